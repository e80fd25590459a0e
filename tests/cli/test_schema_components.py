"""`wct schema` and `wct components`: what they print, where they write, how they fail."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from waivern_orchestration.cli import components_command
from waivern_orchestration.cli.app import main
from waivern_orchestration.components import ComponentRegistry, RegistryProblem
from waivern_orchestration.components.registry import default_registry
from waivern_orchestration.json_schema import render_runbook_schema, schema_files
from waivern_orchestration.message_schemas import SchemaRegistry


def test_schema_prints_the_runbook_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0

    printed = capsys.readouterr()
    assert printed.out == render_runbook_schema(default_registry())
    assert json.loads(printed.out)["$id"].endswith("runbook.schema.json")
    assert printed.err == ""


def test_schema_output_writes_the_file_and_says_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "not" / "yet" / "runbook.schema.json"

    assert main(["schema", "--output", str(target)]) == 0

    printed = capsys.readouterr()
    assert target.read_text(encoding="utf-8") == render_runbook_schema(default_registry())
    assert printed.out == ""
    assert printed.err == f"wrote the runbook schema to {target}\n"


def test_schema_output_that_cannot_be_written_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n", encoding="utf-8")
    target = blocker / "runbook.schema.json"

    assert main(["schema", "--output", str(target)]) == 2

    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err.count("\n") == 1
    assert printed.err.startswith(f"wct schema: cannot write {target}: ")
    assert "Traceback" not in printed.err


def test_schema_dir_writes_everything_schemas_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", "--dir", str(tmp_path / "schemas")]) == 0

    written = {path.name: path.read_bytes() for path in (tmp_path / "schemas").iterdir()}
    assert written == schema_files(default_registry())
    assert set(written) >= {
        "runbook.schema.json",
        "results.schema.json",
        "standard_input-1.0.0.json",
        "personal_data_finding-1.0.0.json",
    }
    assert capsys.readouterr().err == f"wrote 5 schema files to {tmp_path / 'schemas'}\n"


def test_components_lists_connectors_and_processors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["components"]) == 0

    components, _, schemas = capsys.readouterr().out.partition("\n\n")
    lines = components.splitlines()
    assert lines[0].split()[:3] == ["NAME", "KIND", "OUTPUT"]
    rows = {line.split()[0]: line.split()[1:4] for line in lines[1:]}
    assert rows["filesystem"] == ["connector", "standard_input/1.0.0", "-"]
    assert rows["sqlite"] == ["connector", "standard_input/1.0.0", "-"]
    assert rows["personal_data"] == [
        "processor",
        "personal_data_finding/1.0.0",
        "standard_input/1.0.0",
    ]
    assert schemas.splitlines() == [
        "Message schemas:",
        "  findings_summary/1.0.0       built-in",
        "  personal_data_finding/1.0.0  built-in",
        "  standard_input/1.0.0         built-in",
    ]


def test_components_json_has_schemas_and_input_combinations(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["components", "--json"]) == 0

    document = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in document["connectors"]] == [
        "filesystem",
        "mysql",
        "postgresql",
        "sqlite",
    ]
    filesystem = document["connectors"][0]
    assert filesystem["output_schemas"] == ["standard_input/1.0.0"]
    assert filesystem["properties_schema"]["required"] == ["path"]
    assert filesystem["description"]
    by_name = {processor["name"]: processor for processor in document["processors"]}
    personal_data = by_name["personal_data"]
    assert personal_data["name"] == "personal_data"
    assert personal_data["input_combinations"] == [["standard_input/1.0.0"]]
    assert personal_data["output_schemas"] == ["personal_data_finding/1.0.0"]
    assert [(s["name"], s["provided_by"], s["built_in"]) for s in document["schemas"]] == [
        ("findings_summary/1.0.0", "waivern-tooling", True),
        ("personal_data_finding/1.0.0", "waivern-tooling", True),
        ("standard_input/1.0.0", "waivern-tooling", True),
    ]
    assert document["problems"] == []


def test_components_reports_plug_ins_that_failed_to_load(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = RegistryProblem("waivern.connectors", "s3", "cannot load: No module named 'boto3'")
    registry = ComponentRegistry(problems=(broken,))
    monkeypatch.setattr(components_command, "default_registry", lambda: registry)
    monkeypatch.setattr(components_command, "default_schemas", SchemaRegistry)

    assert main(["components", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "connectors": [],
        "processors": [],
        "schemas": [],
        "problems": [
            {
                "group": "waivern.connectors",
                "name": "s3",
                "message": "cannot load: No module named 'boto3'",
            }
        ],
    }

    assert main(["components"]) == 0
    text = capsys.readouterr().out
    assert "(no components installed)" in text
    assert "  s3 (waivern.connectors): cannot load: No module named 'boto3'" in text


def test_components_json_from_a_separate_process() -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "waivern_orchestration.cli.app", "components", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr
    document = json.loads(finished.stdout)
    assert {c["name"] for c in document["connectors"]} == {
        "filesystem",
        "mysql",
        "postgresql",
        "sqlite",
    }
    assert {p["name"] for p in document["processors"]} == {"findings_summary", "personal_data"}
