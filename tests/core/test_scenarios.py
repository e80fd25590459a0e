"""Scenarios: one folder per diagnostic code under `tests/scenarios/`.

Each folder holds `runbook.yaml` (the file analysed; child runbooks lie beside it or in
subfolders and are never analysed on their own) and `expected.yaml`: the diagnostics the
analyser must report, as a list of `{code, line}` (1-based, as the user sees it) with an
optional `message_contains` and `related: [{file, line, message_contains}]`. When a
scenario needs more, `expected.yaml` is a mapping:

    env: {VAR: value}             # the environment the analysis sees (default: empty)
    symlinks: {link: target}      # links created in the copy, to files of this folder
    diagnostics: [...]

The folder is copied to a temporary directory first, so a symlink can point outside the
runbook's directory without one being committed. The reported (code, line) pairs must
equal the expected ones exactly: an extra or a missing diagnostic fails.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from waivern_orchestration.analysis import analyse
from waivern_orchestration.diagnostics import CODES, Diagnostic

SCENARIOS = Path(__file__).parents[1] / "scenarios"

# DESIGN.md §4.1: every code is an error but these.
SEVERITIES = {"WCT050": "warning", "WCT060": "warning", "WCT090": "hint"}

# Needs a run store, which a scenario folder cannot provide.
NOT_SCENARIO_CODES = {"WCT060", "WCT070"}  # WCT070: run failures, shown by the server


@dataclass(frozen=True)
class Scenario:
    folder: Path
    env: dict[str, str]
    symlinks: dict[str, str]
    expected: list[dict[str, Any]]


def load_scenario(folder: Path) -> Scenario:
    loaded = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    if isinstance(loaded, list):
        loaded = {"diagnostics": loaded}
    return Scenario(
        folder,
        {str(k): str(v) for k, v in (loaded.get("env") or {}).items()},
        dict(loaded.get("symlinks") or {}),
        list(loaded.get("diagnostics") or []),
    )


def scenario_folders() -> list[Path]:
    return sorted(entry.parent for entry in SCENARIOS.glob("*/runbook.yaml"))


def analyse_copy(scenario: Scenario, tmp_path: Path) -> tuple[Path, tuple[Diagnostic, ...]]:
    copy = tmp_path / scenario.folder.name
    shutil.copytree(scenario.folder, copy, symlinks=True)
    for link, target in scenario.symlinks.items():
        (copy / link).symlink_to((scenario.folder / target).resolve())
    runbook = copy / "runbook.yaml"
    text = runbook.read_text(encoding="utf-8")
    return copy, analyse(text, runbook, env=scenario.env).diagnostics


def listing(diagnostics: tuple[Diagnostic, ...]) -> str:
    return "\n".join(f"  {d.code} line {d.range.start.line + 1}: {d.message}" for d in diagnostics)


@pytest.mark.parametrize("folder", scenario_folders(), ids=lambda folder: folder.name)
def test_scenario(folder: Path, tmp_path: Path) -> None:
    scenario = load_scenario(folder)

    copy, diagnostics = analyse_copy(scenario, tmp_path)

    reported = Counter((d.code, d.range.start.line + 1) for d in diagnostics)
    expected = Counter((item["code"], item["line"]) for item in scenario.expected)
    assert reported == expected, (
        f"missing: {sorted((expected - reported).elements())}\n"
        f"extra: {sorted((reported - expected).elements())}\n"
        f"reported:\n{listing(diagnostics)}"
    )
    for diagnostic in diagnostics:
        assert diagnostic.file == copy / "runbook.yaml"
        assert diagnostic.severity.value == SEVERITIES.get(diagnostic.code, "error")
    for item in scenario.expected:
        check_details(item, diagnostics, copy)


def check_details(item: dict[str, Any], diagnostics: tuple[Diagnostic, ...], copy: Path) -> None:
    """`message_contains` and `related` of one expected diagnostic."""
    candidates = [
        d for d in diagnostics if d.code == item["code"] and d.range.start.line + 1 == item["line"]
    ]
    wanted = item.get("message_contains", "")
    matching = [d for d in candidates if wanted in d.message]
    assert matching, f"no {item['code']} on line {item['line']} says {wanted!r}:\n" + listing(
        tuple(candidates)
    )
    if "related" not in item:
        return
    diagnostic = matching[0]
    related = sorted(
        (info.file.resolve(), info.range.start.line + 1, info.message)
        for info in diagnostic.related
    )
    expected = sorted(
        ((copy / spec["file"]).resolve(), spec["line"], spec.get("message_contains", ""))
        for spec in item["related"]
    )
    assert len(related) == len(expected), related
    for (file, line, message), (want_file, want_line, want_text) in zip(
        related, expected, strict=True
    ):
        assert (file, line) == (want_file, want_line)
        assert want_text in message


def test_every_code_has_a_scenario() -> None:
    covered = {folder.name.split("_")[0].upper() for folder in scenario_folders()}

    assert set(CODES) - NOT_SCENARIO_CODES <= covered
    assert (SCENARIOS / "valid" / "runbook.yaml").is_file()


def test_every_scenario_folder_is_complete() -> None:
    """A folder without `runbook.yaml` or `expected.yaml` would be skipped silently."""
    for folder in sorted(entry for entry in SCENARIOS.iterdir() if entry.is_dir()):
        assert (folder / "runbook.yaml").is_file(), folder.name
        assert (folder / "expected.yaml").is_file(), folder.name
