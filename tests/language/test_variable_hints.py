"""Inlay hints (`language.variable_hints`): the value of each `${VAR}` that is set and no
secret, just after it; none for a secret, an unset variable or lines not asked for."""

from __future__ import annotations

from language_support import RunbookFolder
from runbook_samples import SCAN
from waivern_lsp.language.variable_hints import MAX_HINT_CHARS, variable_hints

RUNBOOK = SCAN.replace("path: data", "path: ${DATA_DIR}/${DB_PASSWORD}/${NOT_SET:-x}")


def test_a_set_variable_shows_its_value_and_a_secret_none(folder: RunbookFolder) -> None:
    runbook = folder.open(RUNBOOK)
    line = next(i for i, text in enumerate(runbook.lines) if "DATA_DIR" in text)
    column = runbook.lines[line].index("}") + 1
    env = {"DATA_DIR": "./data", "DB_PASSWORD": "hunter2-do-not-show"}
    assert variable_hints(runbook.analysis, env, 0, 100) == [((line, column), "= ./data")]
    assert variable_hints(runbook.analysis, env, line + 1, 100) == []


def test_a_long_or_empty_value_is_shown_so(folder: RunbookFolder) -> None:
    runbook = folder.open(RUNBOOK)
    [(_, long)] = variable_hints(runbook.analysis, {"DATA_DIR": "d" * 100}, 0, 100)
    assert long == "= " + "d" * (MAX_HINT_CHARS - 1) + "…"
    [(_, empty)] = variable_hints(runbook.analysis, {"DATA_DIR": ""}, 0, 100)
    assert empty == "= (empty)"
