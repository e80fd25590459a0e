"""Batch mode: a processor hands work to the `local` provider (a detached worker process)
and its artifact waits `pending`; the run ends `interrupted` with the other branches done;
`wct poll` stores the result and names the next step; a resume completes from the cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from execution_support import Workspace, derived, runbook_text, source, wait_for_batch_workers
from waivern_orchestration.components import ComponentRegistry
from waivern_orchestration.execution.batch import (
    JobStatus,
    LocalProvider,
    PollSummary,
    poll,
    provider,
)
from waivern_orchestration.store.run_store import RunStore
from waivern_orchestration.store.statuses import JobState


def _batch_runbook(workspace: Workspace) -> Path:
    return workspace.write(
        "runbook.yaml",
        runbook_text(
            {
                "words": source(text="four"),
                "doubled": {
                    "inputs": "words",
                    "process": {"type": "test_batch", "properties": {"record": "runs.log"}},
                },
                "after": derived("doubled"),
                "other": source(),
                "other_report": derived("other"),
            }
        ),
    )


def _poll_until_done(store_dir: Path, run_id: str) -> PollSummary:
    """Poll once the worker processes have answered (as a user polls after waiting)."""
    wait_for_batch_workers(store_dir)
    with RunStore(store_dir) as store:
        summary = poll(store, run_id)
    assert summary.waiting == 0, summary
    return summary


def test_a_pending_artifact_interrupts_the_run_while_independent_branches_complete(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    outcome, events = workspace.run(_batch_runbook(workspace), registry)

    assert outcome.status == "interrupted"
    assert outcome.reason is not None and f"wct poll {outcome.run_id}" in outcome.reason
    assert workspace.statuses(outcome.run_id) == {
        "words": "completed",
        "doubled": "pending",
        "after": "not_started",
        "other": "completed",
        "other_report": "completed",
    }
    assert outcome.counts["pending"] == 1
    pending = [e for e in events if e["event"] == "artifact_finished" and e["status"] == "pending"]
    assert [e["artifact"] for e in pending] == ["doubled"]
    assert workspace.run_record(outcome.run_id).status == "interrupted"


def test_after_a_poll_a_resume_completes_the_pending_artifact_from_the_cache(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook = _batch_runbook(workspace)
    interrupted, _ = workspace.run(runbook, registry)

    summary = _poll_until_done(workspace.store, interrupted.run_id)
    assert (summary.completed, summary.waiting, summary.failed) == (1, 0, [])

    resumed, _ = workspace.run(runbook, registry, resume=interrupted.run_id)

    assert resumed.status == "completed"
    assert set(workspace.statuses(resumed.run_id).values()) == {"completed"}
    doubled = workspace.messages(resumed.run_id)["doubled"]
    assert [item["content"] for item in doubled["content"]["items"]] == ["8"]  # len("four") * 2
    with RunStore(workspace.store, read_only=True) as store:
        jobs = store.batch_jobs(resumed.run_id)
    assert [(job.artifact_id, job.status) for job in jobs] == [("doubled", "completed")]
    # Nothing that completed before the interruption ran again.
    assert workspace.executions() == {
        "words": 1,
        "doubled": 2,
        "after": 1,
        "other": 1,
        "other_report": 1,
    }


def test_resuming_before_the_results_are_in_keeps_waiting_without_a_second_job(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook = _batch_runbook(workspace)
    interrupted, _ = workspace.run(runbook, registry)

    again, _ = workspace.run(runbook, registry, resume=interrupted.run_id)  # no poll yet

    assert again.status == "interrupted"
    assert workspace.statuses(again.run_id)["doubled"] == "pending"
    with RunStore(workspace.store, read_only=True) as store:
        assert len(store.batch_jobs(again.run_id)) == 1


def test_wct_poll_stores_the_results_and_prints_the_exact_next_step(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook = _batch_runbook(workspace)
    interrupted, _ = workspace.run(runbook, registry)
    _poll_until_done(workspace.store, interrupted.run_id)  # the worker has answered

    polled = workspace.wct("poll", interrupted.run_id, "--store", workspace.store)

    assert polled.returncode == 0, polled.stderr
    lines = polled.stdout.splitlines()
    assert lines[0] == (
        f"run {interrupted.run_id}: 1 batch job(s) with results, 0 still working, 0 failed"
    )
    next_step = f"wct run {runbook} --resume {interrupted.run_id} --store {workspace.store}"
    assert lines[-1] == f"next: resume the run: {next_step}"

    resumed = workspace.wct(*next_step.split()[1:])

    assert resumed.returncode == 0, resumed.stderr
    assert workspace.run_record(interrupted.run_id).status == "completed"


def test_wct_poll_of_an_unknown_run_is_one_line_and_exit_2(workspace: Workspace) -> None:
    RunStore(workspace.store).close()

    polled = workspace.wct("poll", "no-such-run", "--store", workspace.store)

    assert polled.returncode == 2
    assert polled.stderr == "wct: unknown run id 'no-such-run' (see `wct runs`)\n"


def test_the_local_provider_says_where_each_job_is(tmp_path: Path) -> None:
    """What `wct poll` hears from the built-in provider: working, done, failed, or a job
    it cannot know (its folder gone, its worker dead without a result)."""
    provider = LocalProvider(tmp_path)
    working = tmp_path / "jobs" / "working"
    working.mkdir(parents=True)
    (working / "worker.pid").write_text(str(os.getpid()), encoding="utf-8")
    done = tmp_path / "jobs" / "done"
    done.mkdir()
    (done / "result.json").write_text("[8]", encoding="utf-8")
    broken = tmp_path / "jobs" / "broken"
    broken.mkdir()
    (broken / "error.json").write_text('{"error": "handler raised"}', encoding="utf-8")
    dead = tmp_path / "jobs" / "dead"
    dead.mkdir()
    (dead / "worker.pid").write_text(str(_a_pid_no_longer_running()), encoding="utf-8")

    assert provider.status("working") == JobStatus(JobState.SUBMITTED)
    assert provider.status("done") == JobStatus(JobState.COMPLETED, result=[8])
    assert provider.status("broken") == JobStatus(JobState.FAILED, error="handler raised")
    assert provider.status("dead") == JobStatus(
        JobState.FAILED, error="the worker process ended without a result"
    )
    assert provider.status("gone") == JobStatus(
        JobState.FAILED, error="job gone is unknown to the local provider"
    )


def test_an_unknown_provider_is_named_with_those_installed(tmp_path: Path) -> None:
    with pytest.raises(LookupError, match="unknown batch provider 'carrier-pigeon'") as raised:
        provider("carrier-pigeon", tmp_path)
    assert "(installed: local" in str(raised.value)


def _a_pid_no_longer_running() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: its pid names no process now
    return child.pid
