"""Which YAML files the server serves: runbook globs (relative to the workspace folders,
`**` across folders) or a top-level `artifacts:` key, even while the text does not parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from waivern_lsp.options import DEFAULT_RUNBOOK_GLOBS
from waivern_lsp.runbook_files import has_artifacts, is_runbook, matches_globs

ROOT = Path("/work/project")


@pytest.mark.parametrize(
    ("path", "globs", "expected"),
    [
        ("runbook.yaml", DEFAULT_RUNBOOK_GLOBS, True),
        ("deep/down/scan.runbook.yml", DEFAULT_RUNBOOK_GLOBS, True),
        ("deep/down/notes.yaml", DEFAULT_RUNBOOK_GLOBS, False),
        ("runbooks/scan.yaml", ("runbooks/*.yaml",), True),
        ("runbooks/more/scan.yaml", ("runbooks/*.yaml",), False),
        ("runbooks/more/scan.yaml", ("runbooks/**/*.yaml",), True),
        ("other/runbooks/scan.yaml", ("runbooks/*.yaml",), False),
    ],
)
def test_globs_match_from_the_workspace_folder(
    path: str, globs: tuple[str, ...], expected: bool
) -> None:
    assert matches_globs(ROOT / path, globs, [ROOT]) is expected


def test_a_top_level_artifacts_key_makes_a_runbook_even_when_it_does_not_parse() -> None:
    assert has_artifacts("name: x\nartifacts:\n  a: [unclosed\n")
    assert has_artifacts("{name: x, artifacts: {}}\n")
    assert not has_artifacts("jobs:\n  artifacts:\n    - a\n")  # nested, not top level
    assert not is_runbook(ROOT / "notes.txt", "artifacts:\n", DEFAULT_RUNBOOK_GLOBS, [ROOT])
    assert is_runbook(ROOT / "scan.yml", "artifacts:\n", DEFAULT_RUNBOOK_GLOBS, [ROOT])
