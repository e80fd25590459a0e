"""`wct run`, `wct runs`, `wct inspect` as a user (or the language server) runs them: exit
codes, the final table, `--events` lines in the DESIGN.md §4.2 shapes, the JSON shapes,
and signals that stop a run cleanly so that a resume completes it.

The test components are a plug-in found through entry points (see
`tests/execution/conftest.py`, loaded here by path)."""

from __future__ import annotations

import json
import signal
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

import execution_support as support

Workspace = support.Workspace
runbook_text, source, derived = support.runbook_text, support.source, support.derived
events_of = support.events_of

COUNT_KEYS = {"completed", "failed", "skipped", "pending", "not_started"}


@pytest.fixture
def good(workspace: Workspace) -> Path:
    return workspace.write(
        "runbook.yaml",
        runbook_text(
            {
                "files": source(text="hello"),
                "report": {**derived("files"), "output": True},
            }
        ),
    )


@pytest.fixture
def broken(workspace: Workspace) -> Path:
    return workspace.write(
        "broken.yaml",
        runbook_text(
            {
                "files": source(fail="permission denied"),
                "report": derived("files"),
                "other": source(),
            }
        ),
    )


def _run_id(stdout: str) -> str:
    """The run id from the final table's title (`run ID: STATUS`)."""
    title = next(line for line in stdout.splitlines() if line.startswith("run "))
    return title.split()[1].rstrip(":")


def test_wct_run_exits_0_and_prints_the_final_table(workspace: Workspace, good: Path) -> None:
    result = workspace.wct("run", good, "--store", workspace.store)

    assert result.returncode == 0, result.stderr
    run_id = _run_id(result.stdout)
    assert f"run {run_id}: completed" in result.stdout
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    cells = [[cell.strip() for cell in row.strip("│").split("│")] for row in rows]
    assert [row[:2] for row in cells] == [["files", "completed"], ["report", "completed"]]
    assert cells[1][3] == "1 items"  # an output's result
    assert "Traceback" not in result.stderr


def test_wct_run_exits_1_when_an_artifact_fails_and_says_how_to_resume(
    workspace: Workspace, broken: Path
) -> None:
    result = workspace.wct("run", broken, "--store", workspace.store)

    assert result.returncode == 1
    run_id = _run_id(result.stdout)
    assert f"run {run_id}: failed" in result.stdout
    assert "permission denied" in result.stdout
    assert "failed: 1 artifact(s) failed" in result.stdout
    assert (
        f"resume with: wct run {broken} --resume {run_id} --store {workspace.store}"
        in result.stdout.splitlines()
    )


def test_wct_run_events_are_the_documented_json_lines(workspace: Workspace, broken: Path) -> None:
    result = workspace.wct("run", broken, "--events", "--store", workspace.store)

    assert result.returncode == 1
    events = list(events_of(result.stdout))  # stdout holds nothing but events ...
    assert "run " in result.stderr and "│" in result.stderr  # ... the table went to stderr
    run_id = events[0]["run_id"]
    assert all(event["run_id"] == run_id for event in events)
    kinds = [event["event"] for event in events]
    assert kinds[0] == "run_started" and kinds[-1] == "run_finished"
    assert events[0]["total"] == 3
    for event in events:
        assert set(event) >= {"event", "run_id"}
        if event["event"] == "artifact_started":
            assert set(event) >= {"artifact"}
        elif event["event"] == "artifact_finished":
            assert set(event) >= {"artifact", "status", "duration_seconds", "error"}
            assert isinstance(event["duration_seconds"], int | float)
        elif event["event"] == "run_finished":
            assert set(event) >= {"status", "counts"}
    finished = {e["artifact"]: e for e in events if e["event"] == "artifact_finished"}
    assert {name: e["status"] for name, e in finished.items()} == {
        "files": "failed",
        "report": "skipped",
        "other": "completed",
    }
    assert finished["files"]["error"] == "permission denied"
    assert finished["other"]["error"] is None
    assert {e["artifact"] for e in events if e["event"] == "artifact_started"} == {
        "files",
        "other",
    }
    assert events[-1]["status"] == "failed"
    assert events[-1]["counts"] == {
        "completed": 1,
        "failed": 1,
        "skipped": 1,
        "pending": 0,
        "not_started": 0,
    }


def test_wct_runs_json_lists_runs_newest_first_and_filters_by_status(
    workspace: Workspace, good: Path, broken: Path
) -> None:
    first = _run_id(workspace.wct("run", broken, "--store", workspace.store).stdout)
    second = _run_id(workspace.wct("run", good, "--store", workspace.store).stdout)

    listed = workspace.wct("runs", "--json", "--store", workspace.store)

    assert listed.returncode == 0, listed.stderr
    runs = json.loads(listed.stdout)
    assert [run["run_id"] for run in runs] == [second, first]
    for run in runs:
        assert set(run) >= {
            "run_id",
            "runbook_path",
            "status",
            "started_at",
            "completed_at",
            "counts",
        }
        assert set(run["counts"]) == COUNT_KEYS
        for stamp in (run["started_at"], run["completed_at"]):
            assert datetime.fromisoformat(stamp).tzinfo is not None
    assert (runs[0]["status"], runs[0]["runbook_path"]) == ("completed", str(good))
    assert runs[1]["counts"] == {
        "completed": 1,
        "failed": 1,
        "skipped": 1,
        "pending": 0,
        "not_started": 0,
    }

    failed = json.loads(
        workspace.wct("runs", "--json", "--status", "failed", "--store", workspace.store).stdout
    )
    assert [run["run_id"] for run in failed] == [first]


def test_the_store_is_found_through_wct_store_else_in_the_current_folder(
    workspace: Workspace, good: Path, tmp_path: Path
) -> None:
    elsewhere = {"WCT_STORE": str(tmp_path / "elsewhere")}
    workspace.wct("run", good, env=elsewhere)
    workspace.wct("run", good)  # ./.waivern

    assert len(json.loads(workspace.wct("runs", "--json", env=elsewhere).stdout)) == 1
    assert len(json.loads(workspace.wct("runs", "--json").stdout)) == 1
    assert (workspace.folder / ".waivern" / "runs.db").exists()


CHILD = """\
name: Analysis
description: tags the documents it is given
inputs:
  documents:
    input_schema: standard_input/1.0.0
outputs:
  findings:
    artifact: tagged
artifacts:
  tagged:
    inputs: documents
    process:
      type: test_pass
      properties: {text: tag}
"""


@pytest.fixture
def with_child(workspace: Workspace) -> Path:
    return support.child_runbook_project(workspace, CHILD, "parent.yaml")


def test_wct_runs_shows_a_table_with_progress_and_an_empty_store_says_so(
    workspace: Workspace, good: Path, broken: Path
) -> None:
    empty = workspace.wct("runs", "--store", workspace.store)
    assert (empty.returncode, empty.stdout) == (0, "")
    assert empty.stderr == f"no runs recorded in {workspace.store}\n"

    failed = _run_id(workspace.wct("run", broken, "--store", workspace.store).stdout)
    completed = _run_id(workspace.wct("run", good, "--store", workspace.store).stdout)
    listed = workspace.wct("runs", "--store", workspace.store)

    assert listed.returncode == 0, listed.stderr
    rows = [line for line in listed.stdout.splitlines() if line.startswith("│")]
    assert [row.split("│")[1].strip() for row in rows] == [completed, failed]  # newest first
    cells = [cell.strip() for cell in rows[1].split("│")[1:-1]]
    assert cells[1] == "failed"
    assert cells[3:6] == ["1/3", "1", "0"]  # done/total, failed, pending
    assert cells[6] == str(broken)
    only = workspace.wct("runs", "--status", "failed", "--store", workspace.store)
    assert completed not in only.stdout and failed in only.stdout


def test_wct_inspect_shows_each_artifact_with_its_error_and_the_reason(
    workspace: Workspace, broken: Path
) -> None:
    run_id = _run_id(workspace.wct("run", broken, "--store", workspace.store).stdout)

    shown = workspace.wct("inspect", run_id, "--store", workspace.store)

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0].rstrip() == f"run {run_id}: failed"
    rows = {
        cells[0]: cells[1:]
        for line in shown.stdout.splitlines()
        if line.startswith("│") and (cells := [cell.strip() for cell in line.split("│")[1:-1]])
    }
    assert rows["files"][0] == "failed" and rows["files"][-1] == "permission denied"
    assert rows["report"][0] == "skipped" and rows["report"][-1] == "input `files` failed"
    assert rows["other"][:1] == ["completed"] and rows["other"][2] == "parent"
    assert shown.stdout.splitlines()[-1].rstrip() == "failed: 1 artifact(s) failed"


def test_wct_inspect_run_json_has_every_artifacts_state(
    workspace: Workspace, with_child: Path
) -> None:
    run_id = _run_id(workspace.wct("run", with_child, "--store", workspace.store).stdout)

    shown = workspace.wct("inspect", run_id, "--json", "--store", workspace.store)

    assert shown.returncode == 0, shown.stderr
    document = json.loads(shown.stdout)
    assert set(document) >= {
        "run_id",
        "runbook_path",
        "status",
        "started_at",
        "completed_at",
        "artifacts",
    }
    assert (document["run_id"], document["status"]) == (run_id, "completed")
    assert document["runbook_path"] == str(with_child)
    assert list(document["artifacts"]) == ["files", "scan.analysis.tagged", "report"]
    for state in document["artifacts"].values():
        assert set(state) >= {"status", "duration_seconds", "error", "origin", "alias"}
        assert state["status"] == "completed"
    child = document["artifacts"]["scan.analysis.tagged"]
    assert (child["origin"], child["alias"]) == ("child:Analysis", "scan")


def test_wct_inspect_artifact_json_is_the_stored_message_and_accepts_an_alias(
    workspace: Workspace, with_child: Path
) -> None:
    run_id = _run_id(workspace.wct("run", with_child, "--store", workspace.store).stdout)

    by_alias = workspace.wct("inspect", run_id, "scan", "--json", "--store", workspace.store)
    by_id = workspace.wct(
        "inspect", run_id, "scan.analysis.tagged", "--json", "--store", workspace.store
    )

    assert by_alias.returncode == 0, by_alias.stderr
    message = json.loads(by_alias.stdout)
    assert message == json.loads(by_id.stdout)
    assert set(message) == {"id", "schema", "content", "extensions"}
    assert message["id"] == "scan.analysis.tagged"
    assert message["schema"] == {"name": "standard_input", "version": "1.0.0"}
    assert [item["content"] for item in message["content"]["items"]] == ["hello", "tag"]
    execution = message["extensions"]["execution"]
    assert set(execution) >= {"status", "duration_seconds", "error", "origin", "alias"}
    assert (execution["status"], execution["origin"], execution["alias"]) == (
        "completed",
        "child:Analysis",
        "scan",
    )


def test_wct_inspect_refuses_unknown_runs_and_artifacts_in_one_line(
    workspace: Workspace, good: Path
) -> None:
    run_id = _run_id(workspace.wct("run", good, "--store", workspace.store).stdout)

    unknown_run = workspace.wct("inspect", "nope", "--json", "--store", workspace.store)
    unknown_artifact = workspace.wct("inspect", run_id, "nope", "--store", workspace.store)

    assert unknown_run.returncode == 2
    assert unknown_run.stderr == "wct: unknown run id 'nope' (see `wct runs`)\n"
    assert unknown_artifact.returncode == 2
    assert unknown_artifact.stderr == (
        f"wct: run {run_id} has no artifact 'nope' (it has: files, report)\n"
    )


SECRET = "TOPSECRET-4242-never-shown"

SENSITIVE_CHILD = """\
name: Counter
description: counts the items of a sensitive input
inputs:
  documents:
    input_schema: standard_input/1.0.0
    sensitive: true
outputs:
  total:
    artifact: counted
artifacts:
  counted:
    inputs: documents
    process:
      type: test_pass
      properties: {mode: count}
"""


def test_a_sensitive_input_is_never_shown_and_inspect_says_why(workspace: Workspace) -> None:
    workspace.write("secret.txt", SECRET)
    workspace.write("counter.yaml", SENSITIVE_CHILD)
    runbook = workspace.write(
        "runbook.yaml",
        runbook_text(
            {
                "secret": source(text_file="secret.txt"),
                "count": {
                    "inputs": "secret",
                    "child_runbook": {
                        "path": "counter.yaml",
                        "input_mapping": {"documents": "secret"},
                        "output": "total",
                    },
                    "output": True,
                },
            }
        ),
    )

    run = workspace.wct("run", runbook, "--events", "--store", workspace.store)
    run_id = next(events_of(run.stdout))["run_id"]
    secret = workspace.wct("inspect", run_id, "secret", "--json", "--store", workspace.store)
    count = workspace.wct("inspect", run_id, "count", "--json", "--store", workspace.store)

    assert run.returncode == 0, run.stderr
    assert SECRET not in run.stdout + run.stderr + secret.stdout + count.stdout
    assert secret.returncode == 1
    assert secret.stderr == (
        "wct: secret has no stored output (its output is sensitive and never stored)\n"
    )
    assert [item["content"] for item in json.loads(count.stdout)["content"]["items"]] == [
        "1 item(s)"
    ]


def test_wct_run_of_a_missing_file_or_a_bad_runbook_is_not_a_traceback(
    workspace: Workspace,
) -> None:
    missing = workspace.wct("run", "missing.yaml", "--store", workspace.store)
    bad = workspace.write("bad.yaml", "name: x\ndescription: y\nartifacts:\n  a: {source: {")
    invalid = workspace.wct("run", bad, "--store", workspace.store)

    assert missing.returncode == 2
    assert missing.stderr == "wct: missing.yaml: no such runbook file\n"
    assert invalid.returncode == 1
    assert "WCT001" in invalid.stderr
    assert invalid.stderr.splitlines()[-1] == f"wct: {bad} has errors: not run"
    assert "Traceback" not in missing.stderr + invalid.stderr


def test_messages_for_people_are_not_wrapped_at_the_terminal_width(
    workspace: Workspace, broken: Path
) -> None:
    """Piped output (CI logs, the language server) must keep one line per message: a
    resume command cut in two cannot be copied, and an error line is no longer one line."""
    default_width = {"COLUMNS": ""}
    run = workspace.wct("run", broken, "--store", workspace.store, env=default_width)
    run_id = _run_id(run.stdout)
    other = workspace.write("other.yaml", broken.read_text())
    refused = workspace.wct(
        "run", other, "--resume", run_id, "--store", workspace.store, env=default_width
    )

    assert (
        f"resume with: wct run {broken} --resume {run_id} --store {workspace.store}"
        in run.stdout.splitlines()
    )
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1, refused.stderr


# -- signals ------------------------------------------------------------------------------


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_interrupts_the_run_cleanly_and_a_resume_completes_it(
    workspace: Workspace, number: signal.Signals
) -> None:
    runbook = workspace.write(
        "runbook.yaml",
        runbook_text(
            {
                "quick": source(),
                # Stubborn: still sleeping when the process exits (the run does not wait
                # for components that ignore `cancelled()`).
                "slow": source(seconds=60, until="release.marker", stubborn=True),
                "after": derived("slow"),
            }
        ),
    )
    process = workspace.start_wct("run", runbook, "--events", "--store", workspace.store)
    assert process.stdout is not None and process.stderr is not None
    seen: list[dict[str, object]] = []
    for line in process.stdout:
        seen.append(json.loads(line))
        finished = {e.get("artifact") for e in seen if e["event"] == "artifact_finished"}
        started = {e.get("artifact") for e in seen if e["event"] == "artifact_started"}
        if "quick" in finished and "slow" in started:
            break

    process.send_signal(number)
    rest, errors = process.communicate(timeout=30)

    events = seen + list(events_of(rest))
    run_id = str(events[0]["run_id"])
    assert process.returncode == 1, errors
    assert "Traceback" not in errors
    assert events[-1]["event"] == "run_finished"
    assert events[-1]["status"] == "interrupted"
    assert events[-1]["reason"] == f"interrupted by {number.name}"
    assert workspace.run_record(run_id).status == "interrupted"
    assert workspace.statuses(run_id) == {
        "quick": "completed",
        "slow": "not_started",
        "after": "not_started",
    }

    workspace.write("release.marker", "")
    resumed = workspace.wct("run", runbook, "--resume", run_id, "--store", workspace.store)

    assert resumed.returncode == 0, resumed.stderr
    assert set(workspace.statuses(run_id).values()) == {"completed"}
    assert workspace.executions()["quick"] == 1


def test_plugin_components_are_discovered_through_entry_points(workspace: Workspace) -> None:
    listed = subprocess.run(
        workspace.wct_command("components", "--json"),
        env=support.plugin_env(workspace.plugin),
        capture_output=True,
        text=True,
        check=True,
    )

    document = json.loads(listed.stdout)
    assert "test_source" in {c["name"] for c in document["connectors"]}
    assert {"test_pass", "test_batch"} <= {p["name"] for p in document["processors"]}


def test_a_limit_hit_is_said_in_the_table_and_the_events(workspace: Workspace) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        workspace.write(f"data/{name}", "write to ada@example.com\n")
    runbook = workspace.write(
        "limited.yaml",
        """\
        name: limited
        description: at most two files
        artifacts:
          files:
            source: {type: filesystem, properties: {path: data, max_files: 2}}
            output: true
        """,
    )
    limit = "max_files is 2: skipped 1 more matching file (from 'c.txt' on)"
    table = workspace.wct("run", runbook, "--store", workspace.store)
    assert table.returncode == 0, table.stderr
    assert f"limit reached: {limit}" in table.stdout
    assert "warning" not in table.stdout  # the limit is not counted again as a warning

    result = workspace.wct("run", runbook, "--events", "--store", workspace.store)
    finished = [e for e in events_of(result.stdout) if e["event"] == "artifact_finished"]
    assert [(e["artifact"], e["limits"], e["warnings"]) for e in finished] == [
        ("files", [limit], 1)
    ]
