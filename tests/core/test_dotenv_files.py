"""`.env` files: the variables a runbook's `${VAR}` take after the process environment,
nearest file first; what the analysis, the planner and a real `wct` make of them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from waivern_orchestration.analysis import analyse
from waivern_orchestration.analysis.dotenv_files import dotenv_paths, runbook_environment
from waivern_orchestration.components.registry import default_registry
from waivern_orchestration.planner import Planner

RUNBOOK = """\
name: Dotenv
description: Files from a folder a variable names
artifacts:
  files:
    source:
      type: filesystem
      properties:
        path: ${DATA_DIR}
  findings:
    inputs: files
    process:
      type: personal_data
    output: true
"""


def layout(tmp_path: Path) -> tuple[Path, Path]:
    """A workspace with the runbook in `project/`: (workspace, runbook)."""
    project = tmp_path / "project"
    project.mkdir()
    runbook = project / "runbook.yaml"
    runbook.write_text(RUNBOOK, encoding="utf-8")
    return tmp_path, runbook


def test_the_environment_wins_then_the_runbooks_dotenv_then_the_workspaces(
    tmp_path: Path,
) -> None:
    workspace, runbook = layout(tmp_path)
    (runbook.parent / ".env").write_text("A=runbook\nB=runbook\n# a comment\n", encoding="utf-8")
    (workspace / ".env").write_text("A=workspace\nB=workspace\nC=workspace\n", encoding="utf-8")
    found = runbook_environment(runbook, workspace, base={"A": "environment"})
    assert (found["A"], found["B"], found["C"]) == ("environment", "runbook", "workspace")
    assert found.origin("A") is None
    assert found.origin("B") == runbook.parent / ".env"
    assert found.origin("C") == workspace / ".env"
    assert found.files == dotenv_paths(runbook, workspace)
    assert found.problems == ()


def test_values_are_read_as_dotenv_reads_them_and_expanded_once(tmp_path: Path) -> None:
    workspace, runbook = layout(tmp_path)
    (runbook.parent / ".env").write_text(
        "export USER_NAME=olivia\n"
        "QUOTED='a value # not a comment'\n"
        'URL="postgres://${USER_NAME}@db/${DB_NAME:-app}"\n'
        "LITERAL=${NOT_SET}\n"
        "TWICE=${HOLDS_A_REFERENCE}\n",
        encoding="utf-8",
    )
    found = runbook_environment(runbook, workspace, base={"HOLDS_A_REFERENCE": "${USER_NAME}"})
    assert found["USER_NAME"] == "olivia"
    assert found["QUOTED"] == "a value # not a comment"
    assert found["URL"] == "postgres://olivia@db/app"
    assert found["LITERAL"] == "${NOT_SET}"  # unknown: left as written
    assert found["TWICE"] == "${USER_NAME}"  # a value is never expanded again


def test_an_unreadable_dotenv_is_left_out_and_said_in_the_wct050_it_causes(
    tmp_path: Path,
) -> None:
    workspace, runbook = layout(tmp_path)
    dotenv = runbook.parent / ".env"
    dotenv.write_bytes(b"DATA_DIR=\xff\xfe\n")
    found = runbook_environment(runbook, workspace, base={})
    assert "DATA_DIR" not in found
    assert found.problems == (f"{dotenv}: cannot be read (not UTF-8)",)
    analysis = analyse(RUNBOOK, runbook, env=found)
    [unset] = [d for d in analysis.diagnostics if d.code == "WCT050"]
    assert "`.env` file beside the runbook" in unset.message
    assert unset.message.endswith(f"({dotenv}: cannot be read (not UTF-8))")


def test_the_analysis_and_the_planner_read_the_runbooks_dotenv_by_default(
    tmp_path: Path,
) -> None:
    _workspace, runbook = layout(tmp_path)
    assert "DATA_DIR" not in os.environ
    assert [d.code for d in analyse(RUNBOOK, runbook).diagnostics] == ["WCT050"]
    (runbook.parent / "data").mkdir()
    (runbook.parent / ".env").write_text("DATA_DIR=data\n", encoding="utf-8")
    assert analyse(RUNBOOK, runbook).diagnostics == ()
    plan = Planner(registry=default_registry()).plan(runbook)
    source = plan["files"].definition.source
    assert source is not None and source.properties["path"] == "data"


def test_wct_validate_and_run_take_the_values_of_dotenv_files(tmp_path: Path) -> None:
    workspace, runbook = layout(tmp_path)
    data = runbook.parent / "data"
    data.mkdir()
    (data / "notes.txt").write_text("Contact: olivia.smith@northwind.io\n", encoding="utf-8")

    def wct(*args: str) -> subprocess.CompletedProcess[str]:
        env = {key: value for key, value in os.environ.items() if key != "DATA_DIR"}
        return subprocess.run(
            [sys.executable, "-m", "waivern_orchestration.cli.app", *args],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert "WCT050" in wct("validate", str(runbook)).stdout  # (a warning: exit code 0)
    refused = wct("run", str(runbook), "--store", str(workspace / "store"))
    assert refused.returncode != 0 and "DATA_DIR" in refused.stdout + refused.stderr
    # the workspace's `.env` (the current directory) counts, not only the runbook's
    (workspace / ".env").write_text(f"DATA_DIR={data}\n", encoding="utf-8")
    assert "WCT050" not in wct("validate", str(runbook)).stdout
    ran = wct("run", str(runbook), "--store", str(workspace / "store"))
    assert ran.returncode == 0, ran.stderr
    assert "completed" in ran.stdout + ran.stderr
