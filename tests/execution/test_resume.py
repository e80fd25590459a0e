"""Resuming a run: what completed stays completed, what failed runs again once its cause
is fixed, and the resume refuses — in one clear line, exit 2 — what it cannot do."""

from __future__ import annotations

import contextlib
import json
import signal
import sqlite3
import subprocess
from pathlib import Path

from execution_support import Workspace, derived, runbook_text, source
from waivern_orchestration.components import ComponentRegistry
from waivern_orchestration.store.run_store import STORE_FILE


def _broken_runbook(workspace: Workspace) -> Path:
    """`flaky` fails until `fixed.marker` exists; `after` depends on it, `steady` does not."""
    return workspace.write(
        "runbook.yaml",
        runbook_text(
            {
                "steady": source(),
                "steady_report": derived("steady"),
                "flaky": source(fail_unless="fixed.marker"),
                "after": derived("flaky"),
                "last": derived(["after", "steady_report"]),
            }
        ),
    )


def test_a_resume_runs_the_failed_artifacts_again_and_never_the_completed_ones(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook = _broken_runbook(workspace)
    failed, _ = workspace.run(runbook, registry)
    assert failed.status == "failed"
    assert workspace.statuses(failed.run_id) == {
        "steady": "completed",
        "steady_report": "completed",
        "flaky": "failed",
        "after": "skipped",
        "last": "skipped",
    }

    workspace.write("fixed.marker", "the cause is fixed")
    resumed, events = workspace.run(runbook, registry, resume=failed.run_id)

    assert resumed.run_id == failed.run_id
    assert resumed.status == "completed"
    assert resumed.reason is None
    assert set(workspace.statuses(failed.run_id).values()) == {"completed"}
    assert workspace.executions() == {
        "steady": 1,
        "steady_report": 1,
        "flaky": 2,
        "after": 1,
        "last": 1,
    }
    started = {event["artifact"] for event in events if event["event"] == "artifact_started"}
    assert started == {"flaky", "after", "last"}
    assert workspace.run_record(failed.run_id).status == "completed"


def test_a_resume_still_fails_while_the_cause_is_not_fixed(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook = _broken_runbook(workspace)
    failed, _ = workspace.run(runbook, registry)

    again, _ = workspace.run(runbook, registry, resume=failed.run_id)

    assert again.status == "failed"
    assert workspace.statuses(failed.run_id)["flaky"] == "failed"
    assert workspace.executions()["steady"] == 1


def test_a_changed_runbook_is_announced_and_the_recorded_plan_is_used(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook = _broken_runbook(workspace)
    failed, _ = workspace.run(runbook, registry)
    runbook.write_text(runbook.read_text().replace("written by a test", "edited since"))
    workspace.write("fixed.marker", "")

    notices: list[str] = []
    resumed, _ = workspace.run(runbook, registry, resume=failed.run_id, notices=notices)

    assert resumed.status == "completed"
    assert len(notices) == 1
    assert f"the runbook changed since run {failed.run_id} started" in notices[0]


def test_wct_run_resume_says_the_runbook_changed(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook = _broken_runbook(workspace)
    failed, _ = workspace.run(runbook, registry)
    runbook.write_text(runbook.read_text() + "\n")

    resumed = workspace.wct("run", runbook, "--resume", failed.run_id, "--store", workspace.store)

    assert f"wct: the runbook changed since run {failed.run_id} started" in resumed.stderr


def _refused(result_stderr: str) -> str:
    lines = [line for line in result_stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result_stderr  # one clear line, never a traceback
    return lines[0]


def test_resuming_an_unknown_run_is_one_clear_line_and_exit_2(workspace: Workspace) -> None:
    runbook = workspace.write("runbook.yaml", runbook_text({"a": source()}))

    result = workspace.wct("run", runbook, "--resume", "no-such-run", "--store", workspace.store)

    assert result.returncode == 2
    assert _refused(result.stderr) == "wct: unknown run id 'no-such-run' (see `wct runs`)"


def test_resuming_a_completed_run_is_refused_with_exit_2(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook = workspace.write("runbook.yaml", runbook_text({"a": source()}))
    done, _ = workspace.run(runbook, registry)

    result = workspace.wct("run", runbook, "--resume", done.run_id, "--store", workspace.store)

    assert result.returncode == 2
    assert _refused(result.stderr) == (
        f"wct: run {done.run_id} has already completed: nothing to resume"
    )
    assert workspace.executions() == {"a": 1}


def test_resuming_a_run_of_another_runbook_is_refused_with_exit_2(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook = _broken_runbook(workspace)
    failed, _ = workspace.run(runbook, registry)
    other = workspace.write("other.yaml", runbook.read_text())

    result = workspace.wct("run", other, "--resume", failed.run_id, "--store", workspace.store)

    assert result.returncode == 2
    assert f"run {failed.run_id} belongs to {runbook}" in _refused(result.stderr)


def test_a_run_can_be_resumed_through_another_spelling_of_its_runbooks_path(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook = workspace.write("runbook.yaml", runbook_text({"a": source(fail_unless="ok")}))
    failed, _ = workspace.run(runbook, registry)
    (workspace.folder / "sub").mkdir()
    workspace.write("ok", "")

    resumed, _ = workspace.run(
        workspace.folder / "sub" / ".." / "runbook.yaml", registry, failed.run_id
    )

    assert resumed.status == "completed"


def _slow_run(workspace: Workspace) -> tuple[Path, subprocess.Popen[str], str]:
    """A `wct run --events` left running inside its slow artifact once `quick` completed;
    (runbook, process, run id)."""
    runbook = workspace.write(
        "runbook.yaml",
        runbook_text(
            {
                "quick": source(),
                "slow": source(seconds=60, until="release.marker"),
                "end": derived("slow"),
            }
        ),
    )
    process = workspace.start_wct("run", runbook, "--events", "--store", workspace.store)
    assert process.stdout is not None
    run_id = ""
    seen_quick = seen_slow = False
    for line in process.stdout:
        if '"run_started"' in line:
            run_id = line.split('"run_id": "')[1].split('"')[0]
        if '"artifact_finished"' in line and '"quick"' in line:
            seen_quick = True
        if '"artifact_started"' in line and '"slow"' in line:
            seen_slow = True
        if seen_quick and seen_slow:
            break
    assert run_id
    return runbook, process, run_id


def test_resuming_a_run_its_live_owner_still_executes_is_refused_with_exit_2(
    workspace: Workspace,
) -> None:
    runbook, process, run_id = _slow_run(workspace)
    try:
        result = workspace.wct("run", runbook, "--resume", run_id, "--store", workspace.store)
    finally:
        process.kill()
        process.wait()

    assert result.returncode == 2
    line = _refused(result.stderr)
    assert line.startswith(f"wct: run {run_id} is being executed by process {process.pid}")


def test_a_run_whose_owner_was_killed_resumes_without_a_stale_lock(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook, process, run_id = _slow_run(workspace)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert workspace.run_record(run_id).status == "running"  # as the dead owner left it
    workspace.write("release.marker", "")

    resumed, _ = workspace.run(runbook, registry, resume=run_id)

    assert resumed.status == "completed"
    assert workspace.executions()["quick"] == 1


# -- optional failures: the run ends `partial`, and a resume produces what failed ----------


def _optional_runbook(workspace: Workspace) -> Path:
    """`extra` (optional) reads `extra.txt`, missing until the test writes it; `extra_report`
    and `combined` depend on it, `steady` and `steady_report` do not."""
    return workspace.write(
        "runbook.yaml",
        runbook_text(
            {
                "steady": source(),
                "steady_report": derived("steady"),
                "extra": {**source(text_file="extra.txt"), "optional": True},
                "extra_report": derived("extra"),
                "combined": derived(["extra_report", "steady_report"]),
            }
        ),
    )


def test_a_partial_run_is_listed_as_such_and_its_resume_produces_what_failed(
    workspace: Workspace,
) -> None:
    runbook = _optional_runbook(workspace)

    first = workspace.wct("run", runbook, "--store", workspace.store)

    assert first.returncode == 0, first.stderr  # the required work is done
    [listed] = json.loads(
        workspace.wct("runs", "--status", "partial", "--json", "--store", workspace.store).stdout
    )
    run_id = listed["run_id"]
    assert listed["status"] == "partial"
    assert listed["reason"] == (
        "1 optional artifact failed (2 dependents skipped); --resume retries them"
    )
    assert listed["counts"] == {
        "completed": 2,
        "failed": 1,
        "skipped": 2,
        "pending": 0,
        "not_started": 0,
    }
    assert f"run {run_id}: partial" in first.stdout
    assert f"partial: {listed['reason']}" in first.stdout
    assert f"resume with: wct run {runbook} --resume {run_id} --store {workspace.store}" in (
        first.stdout
    )
    assert (
        json.loads(
            workspace.wct(
                "runs", "--status", "completed", "--json", "--store", workspace.store
            ).stdout
        )
        == []
    )
    kept = {name: workspace.artifacts(run_id)[name] for name in ("steady", "steady_report")}

    workspace.write("extra.txt", "the share is mounted again")
    resumed = workspace.wct(
        "run", runbook, "--resume", run_id, "--events", "--store", workspace.store
    )

    assert resumed.returncode == 0, resumed.stderr
    events = [json.loads(line) for line in resumed.stdout.splitlines()]
    started = {event["artifact"] for event in events if event["event"] == "artifact_started"}
    assert started == {"extra", "extra_report", "combined"}
    assert (events[-1]["event"], events[-1]["status"], events[-1]["reason"]) == (
        "run_finished",
        "completed",
        None,
    )
    assert set(workspace.statuses(run_id).values()) == {"completed"}
    assert workspace.executions() == {
        "steady": 1,
        "steady_report": 1,
        "extra": 2,
        "extra_report": 1,
        "combined": 1,
    }
    after = workspace.artifacts(run_id)
    for name, record in kept.items():  # completed artifacts stay as they were
        assert (after[name].started_at, after[name].duration_seconds) == (
            record.started_at,
            record.duration_seconds,
        )
    content = workspace.messages(run_id)["combined"]["content"]
    assert [item["content"] for item in content["items"]] == [
        "the share is mounted again",
        "steady",
    ]
    inspected = json.loads(
        workspace.wct("inspect", run_id, "--json", "--store", workspace.store).stdout
    )
    assert inspected["status"] == "completed"


def test_a_partial_run_resumed_before_the_cause_is_fixed_stays_partial(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook = _optional_runbook(workspace)
    partial, _ = workspace.run(runbook, registry)

    again, _ = workspace.run(runbook, registry, resume=partial.run_id)

    assert (again.status, again.reason) == ("partial", partial.reason)
    assert workspace.statuses(partial.run_id)["extra"] == "failed"
    assert workspace.executions()["steady"] == 1


def test_a_completed_run_with_failed_optional_artifacts_from_an_earlier_wct_resumes(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    """Before `partial`, such a run was recorded `completed` (and refused on resume)."""
    runbook = _optional_runbook(workspace)
    partial, _ = workspace.run(runbook, registry)
    with contextlib.closing(sqlite3.connect(workspace.store / STORE_FILE)) as db, db:
        db.execute(
            "UPDATE runs SET status = 'completed', reason = ? WHERE run_id = ?",
            ("optional artifacts failed; their dependents were skipped", partial.run_id),
        )
    workspace.write("extra.txt", "fixed")

    result = workspace.wct("run", runbook, "--resume", partial.run_id, "--store", workspace.store)

    assert result.returncode == 0, result.stderr
    assert set(workspace.statuses(partial.run_id).values()) == {"completed"}
    assert workspace.run_record(partial.run_id).status == "completed"
    assert workspace.executions()["steady"] == 1
