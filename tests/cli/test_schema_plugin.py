"""A plug-in package with its own message schemas, installed as a user installs one:
`tests/plugins/waivern_credentials` (a `waivern.schemas` entry point per schema, two
processors writing and reading `credential/1.0.0`) built with pip into a folder that is
put on `PYTHONPATH` of `wct` processes. Its schemas are known to `wct validate` (a child
runbook declaring `input_schema: credential/1.0.0` included), `wct schema`, `wct
components` and `wct run` only while it is installed; a copy whose schema file is broken
is reported, never a crash. No network: pip builds the local path without build isolation
(setuptools is in the dev extras) and without dependencies."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

PLUGIN_SOURCE = Path(__file__).resolve().parents[1] / "plugins" / "waivern_credentials"
SCHEMA_FILE = PLUGIN_SOURCE / "waivern_credentials" / "credential-1.0.0.json"

PARENT = """\
name: Credentials
description: Credentials written into the configuration files, counted in a child runbook.

artifacts:
  config_files:
    description: The configuration files.
    source:
      type: filesystem
      properties:
        path: config

  credentials:
    description: Credentials written into them (kind and file, never the value).
    inputs: config_files
    process:
      type: credentials
    output_schema: credential/1.0.0
    output: true

  report:
    description: The credentials counted by kind.
    inputs: credentials
    child_runbook:
      path: count.yaml
      input_mapping:
        found: credentials
      output: counted
    output: true
"""

CHILD = """\
name: Count credentials
description: Counts the credentials the parent maps to `found`.

inputs:
  found:
    input_schema: credential/1.0.0
    description: Credentials found by the `credentials` processor.

outputs:
  counted:
    artifact: by_kind
    description: Credentials by kind.

artifacts:
  by_kind:
    description: Credentials by kind.
    inputs: found
    process:
      type: credential_report
    output_schema: credential_report/1.0.0
"""


def install(source: Path, target: Path) -> Path:
    """`pip install --target` of a copy of ``source`` (pip builds in the source folder:
    the checkout stays clean)."""
    copy = target.parent / f"{target.name}-source"
    shutil.copytree(source, copy)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-index",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(copy),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return target


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install(PLUGIN_SOURCE, tmp_path_factory.mktemp("site") / "plugin")


@pytest.fixture(scope="module")
def broken_plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same plug-in, but its `credential-1.0.0.json` is not JSON."""
    source = tmp_path_factory.mktemp("broken-source") / "waivern_credentials"
    shutil.copytree(PLUGIN_SOURCE, source)
    (source / "waivern_credentials" / "credential-1.0.0.json").write_text(
        '{"type": "object",', encoding="utf-8"
    )
    return install(source, tmp_path_factory.mktemp("broken-site") / "plugin")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "app.ini").write_text(
        "[db]\nuser = app\npassword = hunter2\napi_key = abc123\n", encoding="utf-8"
    )
    (tmp_path / "config" / "ci.env").write_text("TOKEN: xyz\n", encoding="utf-8")
    (tmp_path / "runbook.yaml").write_text(PARENT, encoding="utf-8")
    (tmp_path / "count.yaml").write_text(CHILD, encoding="utf-8")
    return tmp_path


def wct(cwd: Path, *args: str, plugin: Path | None = None) -> subprocess.CompletedProcess[str]:
    env: Mapping[str, str] = {
        key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "WCT_STORE")
    }
    if plugin is not None:
        env = {**env, "PYTHONPATH": str(plugin)}
    return subprocess.run(
        [sys.executable, "-m", "waivern_orchestration.cli.app", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def codes(finished: subprocess.CompletedProcess[str]) -> list[tuple[str, str, int]]:
    found = json.loads(finished.stdout)["diagnostics"]
    return [(Path(d["file"]).name, d["code"], d["range"]["start"]["line"]) for d in found]


def test_the_runbooks_are_valid_only_with_the_plug_in_installed(
    project: Path, plugin: Path
) -> None:
    installed = wct(project, "validate", "runbook.yaml", "count.yaml", plugin=plugin)
    assert installed.returncode == 0, installed.stdout
    assert installed.stderr == "2 files checked: 0 errors\n"

    missing = wct(project, "validate", "runbook.yaml", "count.yaml", "--format", "json")
    assert missing.returncode == 1
    found = codes(missing)
    assert ("runbook.yaml", "WCT021", 15) in found  # process.type: credentials
    assert ("runbook.yaml", "WCT030", 16) in found  # output_schema: credential/1.0.0
    assert ("count.yaml", "WCT030", 5) in found  # input_schema: credential/1.0.0
    messages = [d["message"] for d in json.loads(missing.stdout)["diagnostics"]]
    assert any(
        message.startswith("unknown message schema `credential/1.0.0`") for message in messages
    )


def test_wct_schema_and_components_list_the_plug_in_schemas(project: Path, plugin: Path) -> None:
    written = wct(project, "schema", "--dir", "out", plugin=plugin)
    assert written.returncode == 0, written.stderr
    out = project / "out"
    assert (out / "credential-1.0.0.json").read_bytes() == SCHEMA_FILE.read_bytes()
    report = json.loads((out / "credential_report-1.0.0.json").read_text(encoding="utf-8"))
    assert report["title"] == "credential_report/1.0.0"
    assert (out / "standard_input-1.0.0.json").exists()
    runbook_schema = json.loads((out / "runbook.schema.json").read_text(encoding="utf-8"))
    output_schema = runbook_schema["$defs"]["ArtifactDefinition"]["properties"]["output_schema"]
    assert "credential/1.0.0" in output_schema["examples"]

    listed = wct(project, "components", "--json", plugin=plugin)
    document = json.loads(listed.stdout)
    schemas = {s["name"]: s for s in document["schemas"]}
    assert schemas["credential/1.0.0"]["provided_by"] == "waivern-credentials"
    assert schemas["credential/1.0.0"]["built_in"] is False
    assert schemas["standard_input/1.0.0"]["built_in"] is True
    processors = {p["name"]: p for p in document["processors"]}
    assert processors["credentials"]["output_schemas"] == ["credential/1.0.0"]
    assert processors["credential_report"]["input_combinations"] == [["credential/1.0.0"]]
    assert document["problems"] == []

    without = wct(project, "schema", "--dir", "plain")
    assert not (project / "plain" / "credential-1.0.0.json").exists()
    assert without.returncode == 0


def test_a_run_writes_messages_with_the_plug_in_schemas(project: Path, plugin: Path) -> None:
    ran = wct(project, "run", "runbook.yaml", plugin=plugin)
    assert ran.returncode == 0, ran.stderr
    [run] = json.loads(wct(project, "runs", "--json", plugin=plugin).stdout)
    assert run["status"] == "completed"

    credentials = json.loads(
        wct(project, "inspect", run["run_id"], "credentials", "--json", plugin=plugin).stdout
    )
    assert credentials["schema"] == {"name": "credential", "version": "1.0.0"}
    assert sorted(c["kind"] for c in credentials["content"]["credentials"]) == [
        "api_key",
        "password",
        "token",
    ]
    assert "hunter2" not in json.dumps(credentials)
    report = json.loads(
        wct(project, "inspect", run["run_id"], "report", "--json", plugin=plugin).stdout
    )
    assert report["schema"] == {"name": "credential_report", "version": "1.0.0"}
    assert report["content"] == {
        "total": 3,
        "by_kind": {"api_key": 1, "password": 1, "token": 1},
    }


def test_a_plug_in_whose_schema_file_is_broken_is_reported_not_a_crash(
    project: Path, broken_plugin: Path
) -> None:
    checked = wct(project, "validate", "runbook.yaml", "--format", "json", plugin=broken_plugin)

    assert checked.returncode == 1
    assert "Traceback" not in checked.stderr
    warnings = [line for line in checked.stderr.splitlines() if "credential-1.0.0" in line]
    assert len(warnings) == 1, checked.stderr  # logged once, however often it is named
    assert "cannot load the schema: not JSON" in warnings[0]
    diagnostics = json.loads(checked.stdout)["diagnostics"]
    on_output_schema = [d for d in diagnostics if d["range"]["start"]["line"] == 16]
    assert [d["code"] for d in on_output_schema] == ["WCT030"]
    assert on_output_schema[0]["message"].startswith(
        "message schema `credential/1.0.0` is unavailable: the plug-in "
        "`waivern-credentials` declares message schema `credential/1.0.0`, but its schema "
        "could not be loaded: not JSON"
    )

    listed = json.loads(wct(project, "components", "--json", plugin=broken_plugin).stdout)
    assert {p["group"] for p in listed["problems"]} >= {"waivern.schemas", "waivern.processors"}
