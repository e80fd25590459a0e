"""Runbooks built in Python: the models refuse what one artifact gets wrong (while the
analysis of the same YAML keeps its positioned diagnostics), and a `Runbook` object is
analysed, planned and run without a YAML file; the README's snippet runs as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

import runbook_samples
from waivern_orchestration import (
    ArtifactDefinition,
    ChildRunbookConfig,
    ProcessConfig,
    ReuseConfig,
    Runbook,
    RunbookInput,
    SourceConfig,
    analyse,
    analyse_runbook,
    artifact_output,
    plan_runbook,
    run_runbook,
    runbook_yaml,
)
from waivern_orchestration.planner import PlanningError
from waivern_orchestration.python_api import runbook_path
from waivern_orchestration.store.statuses import RunStatus

README = Path(__file__).resolve().parents[2] / "README.md"

FILES = {"type": "filesystem", "properties": {"path": "data"}}
PERSONAL_DATA = {"type": "personal_data"}
REUSE = {"from_run": "run-1", "artifact": "findings"}
CHILD = {"path": "child.yaml", "input_mapping": {"documents": "files"}, "output": "findings"}

# An artifact as written (a runbook's YAML, `model_validate`'s data), what the model says
# and the code the analysis gives the same artifact in a file.
REFUSED: dict[str, tuple[dict[str, Any], str, str]] = {
    "source and inputs": (
        {"source": FILES, "inputs": "x"},
        "has `source` and `inputs`: give exactly one of `source`, `inputs` or `reuse`",
        "WCT004",
    ),
    "inputs and reuse": (
        {"inputs": "x", "reuse": REUSE, "output_schema": "standard_input/1.0.0"},
        "has `inputs` and `reuse`",
        "WCT004",
    ),
    "no production method": (
        {"description": "nothing says how"},
        "needs exactly one of `source`, `inputs` or `reuse`",
        "WCT004",
    ),
    "child runbook without inputs": (
        {"child_runbook": CHILD},
        "(`child_runbook` also needs `inputs`)",
        "WCT004",
    ),
    "child runbook and process": (
        {"inputs": "x", "process": PERSONAL_DATA, "child_runbook": CHILD},
        "`child_runbook` produces the artifact: remove `process`",
        "WCT004",
    ),
    "child runbook and reuse": (
        {"reuse": REUSE, "output_schema": "standard_input/1.0.0", "child_runbook": CHILD},
        "`child_runbook` produces the artifact: remove `reuse`",
        "WCT004",
    ),
    "process without inputs": (
        {"source": FILES, "process": PERSONAL_DATA},
        "`process` works on `inputs`: the artifact has none",
        "WCT004",
    ),
    "merge without inputs": (
        {"source": FILES, "merge": "concatenate"},
        "`merge` combines `inputs`: the artifact has none",
        "WCT004",
    ),
    "empty inputs": ({"inputs": []}, "`inputs` is empty", "WCT004"),
    "child output and output mapping": (
        {"inputs": "x", "child_runbook": {**CHILD, "output_mapping": {"findings": "pd"}}},
        "give either `output` (this artifact becomes that child output) or `output_mapping`",
        "WCT045",
    ),
    "child output nor output mapping": (
        {"inputs": "x", "child_runbook": {"path": "child.yaml"}},
        "`child_runbook` needs `output` (the child output this artifact becomes) or "
        "`output_mapping`",
        "WCT045",
    ),
}


# -- the models refuse --------------------------------------------------------------------------


def test_a_source_and_inputs_together_are_refused_as_in_the_original() -> None:
    with pytest.raises(ValidationError, match="has `source` and `inputs`"):
        ArtifactDefinition(source=SourceConfig(type="filesystem"), inputs="x")


def test_an_artifact_without_a_production_method_is_refused() -> None:
    with pytest.raises(ValidationError, match="needs exactly one of `source`, `inputs` or"):
        ArtifactDefinition(description="data")


def test_a_child_runbook_with_both_or_neither_output_choice_is_refused() -> None:
    with pytest.raises(ValidationError, match="not both"):
        ChildRunbookConfig(path="child.yaml", output="findings", output_mapping={"a": "b"})
    with pytest.raises(ValidationError, match="needs `output`"):
        ChildRunbookConfig(path="child.yaml")


@pytest.mark.parametrize("case", REFUSED)
def test_each_rule_across_an_artifacts_fields_is_a_validation_error(case: str) -> None:
    data, message, _code = REFUSED[case]

    with pytest.raises(ValidationError) as raised:
        Runbook.model_validate({"name": "n", "description": "d", "artifacts": {"bad": data}})

    [error] = raised.value.errors()
    assert error["loc"][:2] == ("artifacts", "bad")
    assert message in error["msg"]


@pytest.mark.parametrize("case", REFUSED)
def test_the_analysis_reports_the_same_rule_once_with_its_code_and_position(
    case: str, tmp_path: Path
) -> None:
    data, _message, code = REFUSED[case]
    text = yaml.safe_dump({"name": "n", "description": "d", "artifacts": {"bad": data}})

    analysis = analyse(text, tmp_path / "runbook.yaml", env={})

    own = [d for d in analysis.diagnostics if d.code in ("WCT002", "WCT004", "WCT045")]
    assert own and {d.code for d in own} == {code}  # no second, vaguer WCT002
    lines = text.splitlines()
    for diagnostic in own:  # on a key of the artifact (or an empty value), not on all of it
        start, end = diagnostic.range.start, diagnostic.range.end
        assert start.line == end.line
        underlined = lines[start.line][start.character : end.character]
        assert underlined in ("bad", *data, "output_mapping", "child_runbook", "[]")


# -- analyse, plan, run -------------------------------------------------------------------------


def scan(data_path: str = "data") -> Runbook:
    return Runbook(
        name="Python scan",
        description="Personal data in the files of ./data",
        artifacts={
            "files": ArtifactDefinition(
                source=SourceConfig(type="filesystem", properties={"path": data_path})
            ),
            "findings": ArtifactDefinition(
                inputs="files", process=ProcessConfig(type="personal_data"), output=True
            ),
        },
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "contacts.txt").write_text("Write to jane.doe@example.com\n")
    return tmp_path


def test_a_valid_runbook_built_in_python_analyses_without_diagnostics(folder: Path) -> None:
    analysis = analyse_runbook(scan(), base_dir=folder, env={})

    assert analysis.diagnostics == ()
    assert analysis.path == folder / "Python-scan.python.yaml"
    assert not analysis.path.exists()  # stood for, never written
    assert sorted(analysis.artifacts) == ["files", "findings"]


def test_it_plans(folder: Path) -> None:
    plan = plan_runbook(scan(), base_dir=folder, env={})

    assert plan.ids == ("files", "findings")
    assert plan.runbook_path == str(runbook_path(scan(), folder))
    assert plan["findings"].definition.process == ProcessConfig(type="personal_data")


def test_it_runs_and_finds_the_e_mail_address(folder: Path) -> None:
    store = folder / "store"

    outcome = run_runbook(scan(), base_dir=folder, store_dir=store, env={})

    assert outcome.status is RunStatus.COMPLETED
    assert outcome.counts["completed"] == 2
    output = artifact_output(outcome.run_id, "findings", store_dir=store)
    assert output["schema"] == {"name": "personal_data_finding", "version": "1.0.0"}
    findings = output["content"]["findings"]
    assert [(f["type"], f["location"]) for f in findings] == [
        ("email", {"file": "contacts.txt", "line": 1})
    ]


def test_diagnostics_are_positioned_in_the_runbooks_yaml(folder: Path) -> None:
    runbook = scan()
    runbook.artifacts["findings"] = ArtifactDefinition(
        inputs="fils", process=ProcessConfig(type="personal_data"), output=True
    )

    analysis = analyse_runbook(runbook, base_dir=folder, env={})

    [diagnostic] = [d for d in analysis.diagnostics if d.is_error]
    assert diagnostic.code == "WCT010" and "`files`" in diagnostic.message
    assert analysis.text == runbook_yaml(runbook)
    start, end = diagnostic.range.start, diagnostic.range.end
    assert analysis.text.splitlines()[start.line][start.character : end.character] == "fils"
    with pytest.raises(PlanningError) as raised:
        plan_runbook(runbook, base_dir=folder, env={})
    assert [d.code for d in raised.value.diagnostics] == ["WCT010"]


def test_a_child_runbook_is_found_by_its_path_relative_to_base_dir(folder: Path) -> None:
    (folder / "templates").mkdir()
    (folder / "templates" / "analysis.yaml").write_text(runbook_samples.CHILD)
    runbook = Runbook(
        name="Parent",
        description="files analysed by a child runbook",
        artifacts={
            "files": ArtifactDefinition(
                source=SourceConfig(type="filesystem", properties={"path": "data"})
            ),
            "scan": ArtifactDefinition(
                inputs="files",
                child_runbook=ChildRunbookConfig(
                    path="templates/analysis.yaml",
                    input_mapping={"documents": "files"},
                    output="findings",
                ),
                output=True,
            ),
        },
    )

    assert analyse_runbook(runbook, base_dir=folder, env={}).diagnostics == ()
    plan = plan_runbook(runbook, base_dir=folder, env={})
    assert plan.ids == ("files", "scan.templates.analysis.found")
    outcome = run_runbook(runbook, base_dir=folder, store_dir=folder / "store", env={})
    assert outcome.status is RunStatus.COMPLETED
    output = artifact_output(outcome.run_id, "scan", store_dir=folder / "store")
    [finding] = output["content"]["findings"]
    assert finding["type"] == "email"


def test_a_child_runbook_missing_from_base_dir_is_a_diagnostic(folder: Path) -> None:
    runbook = Runbook.model_validate(
        {
            "name": "Parent",
            "description": "d",
            "artifacts": {
                "files": {"source": FILES},
                "scan": {"inputs": "files", "child_runbook": CHILD, "output": True},
            },
        }
    )

    analysis = analyse_runbook(runbook, base_dir=folder, env={})

    assert [d.code for d in analysis.diagnostics] == ["WCT041"]


def test_the_yaml_says_what_was_set_and_keeps_a_declared_null_default() -> None:
    runbook = Runbook(
        name="n",
        description="d",
        inputs={"extra": RunbookInput(input_schema="standard_input", optional=True, default=None)},
        artifacts={
            "copy": ArtifactDefinition(
                reuse=ReuseConfig(from_run="run-1", artifact="findings"),
                inputs=None,
                output_schema="personal_data_finding/1.0.0",
            )
        },
    )

    written = yaml.safe_load(runbook_yaml(runbook))

    assert written["artifacts"] == {
        "copy": {
            "reuse": {"from_run": "run-1", "artifact": "findings"},
            "output_schema": "personal_data_finding/1.0.0",
        }
    }
    assert written["inputs"] == {
        "extra": {"input_schema": "standard_input", "optional": True, "default": None}
    }
    assert Runbook.model_validate(written) == runbook


# -- the README ---------------------------------------------------------------------------------


def readme_python_api() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```python\n(.*?)^```$", section, flags=re.DOTALL | re.MULTILINE)
    assert blocks, "README.md's Python API section has no python snippet"
    return "\n".join(blocks)


def test_the_readmes_python_api_snippet_runs_as_written(
    capsys: pytest.CaptureFixture[str],
) -> None:
    namespace: dict[str, Any] = {"__name__": "readme"}

    exec(compile(readme_python_api(), str(README), "exec"), namespace)

    assert namespace["outcome"].status is RunStatus.COMPLETED
    printed = capsys.readouterr().out
    assert "('files', 'findings')" in printed
    assert "completed 2" in printed
    assert "email {'file': 'contacts.txt', 'line': 1}" in printed
