"""`${VAR}` in every scalar of a runbook's structure: checked with its value, typed as YAML
types the substituted text (plain scalars), with messages that say what was written and
what it became; the plan is made of the values."""

from __future__ import annotations

from pathlib import Path

import pytest

from waivern_orchestration.analysis import analyse
from waivern_orchestration.planner import Planner, PlanningError

RUNBOOK = """\
name: Variables everywhere
description: Structure from the environment
config:
  timeout: ${SCAN_TIMEOUT}
  max_concurrency: ${SCAN_CONCURRENCY:-2}
artifacts:
  files:
    source:
      type: ${CONNECTOR}
      properties:
        path: data
  findings:
    inputs: ${UPSTREAM}
    process:
      type: personal_data
    output: ${PUBLISH}
    optional: ${OPTIONAL:-false}
"""

ENV = {
    "SCAN_TIMEOUT": "30",
    "CONNECTOR": "filesystem",
    "UPSTREAM": "files",
    "PUBLISH": "true",
}


def codes(text: str, env: dict[str, str], path: Path) -> list[tuple[str, str]]:
    """The problems found (not the WCT090 hint that `files` is then used by nothing)."""
    found = analyse(text, path, env=env).diagnostics
    return [(d.code, d.message) for d in found if d.code != "WCT090"]


def test_every_structural_value_is_checked_substituted(tmp_path: Path) -> None:
    runbook = tmp_path / "runbook.yaml"
    analysis = analyse(RUNBOOK, runbook, env=ENV)
    assert analysis.diagnostics == ()
    findings = analysis.artifacts["findings"]
    assert findings.output is True
    assert [reference.name for reference in findings.inputs] == ["files"]
    assert analysis.header is not None and analysis.header.config.timeout == 30
    assert analysis.header.config.max_concurrency == 2


def test_the_plan_is_made_of_the_values(tmp_path: Path) -> None:
    runbook = tmp_path / "runbook.yaml"
    runbook.write_text(RUNBOOK, encoding="utf-8")
    (tmp_path / "data").mkdir()
    plan = Planner(env=ENV).plan(runbook)
    assert plan.config.timeout == 30
    assert plan["findings"].inputs == ("files",)
    assert plan["findings"].definition.output is True
    source = plan["files"].definition.source
    assert source is not None and source.type == "filesystem"


def test_a_value_of_the_wrong_type_says_what_was_written_and_what_it_became(
    tmp_path: Path,
) -> None:
    found = codes(RUNBOOK, {**ENV, "SCAN_TIMEOUT": "soon", "PUBLISH": "maybe"}, tmp_path / "r")
    assert [code for code, _ in found] == ["WCT002", "WCT002"]
    timeout, publish = (message for _, message in found)
    assert timeout.endswith("(`${SCAN_TIMEOUT}` is `soon`)"), timeout
    assert publish.endswith("(`${PUBLISH}` is `maybe`)"), publish


def test_a_reference_or_a_type_from_a_variable_is_checked_with_its_value(
    tmp_path: Path,
) -> None:
    found = codes(RUNBOOK, {**ENV, "UPSTREAM": "filez", "CONNECTOR": "filesytem"}, tmp_path / "r")
    assert sorted(code for code, _ in found) == ["WCT010", "WCT020"]
    # each says what was written and what it became
    messages = sorted(message for _, message in found)
    assert messages[0].endswith("(`${UPSTREAM}` is `filez`)"), messages[0]
    assert messages[1].endswith("(`${CONNECTOR}` is `filesytem`)"), messages[1]


def test_a_secret_value_is_never_shown_in_a_note(tmp_path: Path) -> None:
    text = RUNBOOK.replace("${SCAN_TIMEOUT}", "${SCAN_TOKEN}")
    [(code, message)] = codes(text, {**ENV, "SCAN_TOKEN": "hunter2-do-not-show"}, tmp_path / "r")
    assert code == "WCT002"
    assert "hunter2" not in message
    assert message.endswith("(`${SCAN_TOKEN}`, a secret variable)")


@pytest.mark.parametrize(
    ("written", "value", "expected"),
    [
        pytest.param("${PUBLISH}", "true", True, id="plain: YAML's bool"),
        pytest.param("'${PUBLISH}'", "true", "true", id="quoted: text"),
        pytest.param("${PUBLISH}", "${OTHER}", "${OTHER}", id="never expanded twice"),
        pytest.param("${MISSING}", None, "${MISSING}", id="unset: as written"),
    ],
)
def test_plain_and_quoted_scalars(
    tmp_path: Path, written: str, value: str | None, expected: object
) -> None:
    text = RUNBOOK.replace("output: ${PUBLISH}", f"description: {written}")
    env = {**ENV, "OTHER": "other"}
    if value is not None:
        env["PUBLISH"] = value
    analysis = analyse(text, tmp_path / "runbook.yaml", env=env)
    node = analysis.artifacts["findings"].tree
    assert node is not None
    description = node.value_of("description")  # type: ignore[union-attr]
    assert description is not None and description.value == expected  # type: ignore[union-attr]


def test_an_unset_variable_in_the_structure_refuses_the_plan(tmp_path: Path) -> None:
    runbook = tmp_path / "runbook.yaml"
    runbook.write_text(RUNBOOK, encoding="utf-8")
    env = {name: value for name, value in ENV.items() if name != "UPSTREAM"}
    with pytest.raises(PlanningError) as refused:
        Planner(env=env).plan(runbook)
    assert "WCT050" in {d.code for d in refused.value.diagnostics}


def test_a_changed_value_is_seen_by_an_incremental_analysis(tmp_path: Path) -> None:
    runbook = tmp_path / "runbook.yaml"
    first = analyse(RUNBOOK, runbook, env=ENV)
    edited = RUNBOOK.replace("description: Structure", "description: The structure")
    again = analyse(edited, runbook, env={**ENV, "UPSTREAM": "nowhere"}, previous=first)
    assert sorted(d.code for d in again.diagnostics) == ["WCT010", "WCT090"]
