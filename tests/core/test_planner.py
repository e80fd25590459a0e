"""Planning: flattened child runbooks, aliases, environment substitution, JSON round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from waivern_orchestration.planner import ExecutionPlan, Planner, PlanningError

PARENT = """\
name: Parent
description: scans files, analyses them in a child runbook
config:
  template_paths: [templates]
artifacts:
  files:
    source:
      type: filesystem
      properties:
        path: ${DATA_DIR:-data}
  scan:
    inputs: files
    child_runbook:
      path: analysis.yaml
      input_mapping: {documents: files}
      output: findings
  report:
    inputs: scan
    output: true
"""

CHILD = """\
name: Analysis
description: finds personal data
inputs:
  documents:
    input_schema: standard_input/1.0.0
outputs:
  findings:
    artifact: pd
artifacts:
  pd:
    inputs: documents
    process:
      type: personal_data
"""


@pytest.fixture
def parent(tmp_path: Path) -> Path:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "analysis.yaml").write_text(CHILD)
    runbook = tmp_path / "runbook.yaml"
    runbook.write_text(PARENT)
    return runbook


def test_child_artifacts_join_the_plan_under_a_deterministic_namespace(parent: Path) -> None:
    plan = Planner(env={}).plan(parent)

    assert plan.ids == ("files", "scan.analysis.pd", "report")
    assert plan["scan.analysis.pd"].inputs == ("files",)
    assert plan["scan.analysis.pd"].origin == "child:Analysis"
    assert plan["files"].origin == "parent"
    assert Planner(env={}).plan(parent) == plan


def test_an_alias_stands_for_the_child_output(parent: Path) -> None:
    plan = Planner(env={}).plan(parent)

    assert plan.resolve("scan") == "scan.analysis.pd"
    assert plan["report"].inputs == ("scan.analysis.pd",)
    assert plan["report"].input_schemas == ("personal_data_finding/1.0.0",)
    assert plan["report"].output_schema == "personal_data_finding/1.0.0"


def test_environment_variables_are_substituted(parent: Path) -> None:
    assert Planner(env={}).plan(parent)["files"].definition.source.properties == {  # type: ignore[union-attr]
        "path": "data"
    }
    planned = Planner(env={"DATA_DIR": "/srv/files"}).plan(parent)["files"]
    assert planned.definition.source.properties == {"path": "/srv/files"}  # type: ignore[union-attr]


def test_an_unset_variable_without_default_is_an_error_at_plan_time(parent: Path) -> None:
    parent.write_text(PARENT.replace("${DATA_DIR:-data}", "${DATA_DIR}"))

    with pytest.raises(PlanningError) as raised:
        Planner(env={}).plan(parent)

    assert [d.code for d in raised.value.diagnostics] == ["WCT050"]
    assert raised.value.diagnostics[0].is_error


def test_the_plan_survives_a_json_round_trip_unchanged(parent: Path) -> None:
    plan = Planner(env={}).plan(parent)

    restored = ExecutionPlan.from_json(json.loads(json.dumps(plan.to_json())))

    assert restored == plan
    assert restored.to_json() == plan.to_json()


def test_planning_refuses_a_runbook_with_errors_and_lists_them_all(parent: Path) -> None:
    parent.write_text(
        PARENT.replace("inputs: scan", "inputs: scna").replace("filesystem", "filesytem")
    )

    with pytest.raises(PlanningError) as raised:
        Planner(env={}).plan(parent)

    assert sorted(d.code for d in raised.value.diagnostics) == ["WCT010", "WCT020"]


def test_a_missing_runbook_file_is_a_planning_error(tmp_path: Path) -> None:
    with pytest.raises(PlanningError, match="cannot read the runbook"):
        Planner(env={}).plan(tmp_path / "missing.yaml")
