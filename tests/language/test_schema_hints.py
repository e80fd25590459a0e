"""Inlay hints (`language.schema_hints`): each artifact's resolved output
schema just after its id, only on the lines asked for, none where the schema is unknown."""

from __future__ import annotations

from language_support import RunbookFolder
from runbook_samples import SCAN
from waivern_lsp.language.schema_hints import schema_hints


def test_each_artifact_shows_its_output_schema(folder: RunbookFolder) -> None:
    runbook = folder.open(SCAN)
    assert schema_hints(runbook.analysis, runbook.lines, 0, 100) == [
        ((3, 8), "→ standard_input/1.0.0"),  # just after `files:`
        ((8, 11), "→ personal_data_finding/1.0.0"),
    ]
    assert schema_hints(runbook.analysis, runbook.lines, 0, 5) == [
        ((3, 8), "→ standard_input/1.0.0")
    ]
    assert schema_hints(runbook.analysis, runbook.lines, 4, 7) == []


def test_no_hint_where_the_schema_is_unknown(folder: RunbookFolder) -> None:
    runbook = folder.open(SCAN.replace("personal_data", "no_such_processor"))
    assert [line for (line, _), _ in schema_hints(runbook.analysis, runbook.lines, 0, 100)] == [3]


def test_a_key_spaced_from_its_colon_gets_the_hint_right_after_the_name(
    folder: RunbookFolder,
) -> None:
    runbook = folder.open(SCAN.replace("  files:", "  files :"))
    assert schema_hints(runbook.analysis, runbook.lines, 3, 3) == [
        ((3, 7), "→ standard_input/1.0.0")
    ]
