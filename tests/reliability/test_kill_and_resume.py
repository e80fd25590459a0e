"""kill -9 at random points of a run, then resume until it completes.

A run of 60 short artifacts (six layers of ten, each artifact fed by two of the layer
before, plus a fan-in of everything at the end) is started with `wct run --events` and
killed with SIGKILL after a random number of artifacts finished (`random` with a fixed
seed), three times, each time resuming the run left behind. After every kill the store
must hold only whole artifacts: every artifact the events reported completed is
completed, every stored message belongs to a completed artifact and every completed
artifact has its message. At the end, from the execution log the components append to:
each artifact ran exactly once, except the ones running at the moment of a kill (at most
twice each, unless a second kill caught them running again).
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
from collections import Counter
from typing import Any

import execution_support as support

Workspace = support.Workspace

LAYERS, WIDTH = 6, 10
KILLS = 3
SEED = 20240917


def _layered_runbook() -> str:
    artifacts: dict[str, dict[str, Any]] = {}
    for column in range(WIDTH):
        artifacts[f"l0_{column}"] = support.source(seconds=0.02)
    for layer in range(1, LAYERS):
        for column in range(WIDTH):
            inputs = [f"l{layer - 1}_{column}", f"l{layer - 1}_{(column + 1) % WIDTH}"]
            artifacts[f"l{layer}_{column}"] = support.derived(inputs, seconds=0.02)
    artifacts["all"] = support.derived([f"l{LAYERS - 1}_{c}" for c in range(WIDTH)])
    return support.runbook_text(artifacts, config={"max_concurrency": 4})


def _run_until_killed(process: subprocess.Popen[str], completions: int) -> tuple[str, set[str]]:
    """Read events until ``completions`` artifacts completed, then SIGKILL; returns the
    run id and the artifacts reported completed."""
    assert process.stdout is not None
    run_id = ""
    completed: set[str] = set()
    for line in process.stdout:
        event = json.loads(line)
        run_id = event["run_id"]
        if event["event"] == "artifact_finished" and event["status"] == "completed":
            completed.add(event["artifact"])
        if (event["event"] == "run_started" and completions == 0) or (
            completions and len(completed) >= completions
        ):
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stdout.close()
    assert process.stderr is not None
    process.stderr.close()
    assert run_id, "the run never started"
    return run_id, completed


def _assert_only_whole_artifacts(workspace: Any, run_id: str) -> dict[str, str]:
    statuses: dict[str, str] = workspace.statuses(run_id)
    messages = workspace.messages(run_id)
    assert set(messages) == {a for a, status in statuses.items() if status == "completed"}
    for artifact, message in messages.items():
        assert message["extensions"]["execution"]["status"] == "completed", artifact
    return statuses


def test_killed_runs_resume_to_completion_without_repeating_completed_artifacts(
    workspace: Workspace,
) -> None:
    chooser = random.Random(SEED)
    runbook = workspace.write("runbook.yaml", _layered_runbook())
    total = LAYERS * WIDTH + 1
    run_id: str | None = None
    running_at_a_kill: Counter[str] = Counter()
    ever_completed: set[str] = set()

    for _ in range(KILLS):
        resume = ["--resume", run_id] if run_id else []
        process = workspace.start_wct(
            "run", runbook, *resume, "--events", "--store", workspace.store
        )
        run_id, reported = _run_until_killed(process, chooser.randrange(0, 12))

        statuses = _assert_only_whole_artifacts(workspace, run_id)
        completed_now = {a for a, status in statuses.items() if status == "completed"}
        assert reported <= completed_now
        assert ever_completed <= completed_now  # a kill never loses a completed artifact
        ever_completed = completed_now
        running_at_a_kill.update(a for a, status in statuses.items() if status == "running")
        assert workspace.run_record(run_id).status == "running"  # as the dead owner left it
        assert len(completed_now) < total, "the run ended before the kill: kill earlier"

    assert run_id is not None
    # A resume that is not itself killed finishes the run, the first time.
    resumed = workspace.wct("run", runbook, "--resume", run_id, "--store", workspace.store)
    assert resumed.returncode == 0, resumed.stderr

    statuses = _assert_only_whole_artifacts(workspace, run_id)
    assert set(statuses.values()) == {"completed"}
    assert len(statuses) == total
    executions: Counter[str] = workspace.executions()
    assert set(executions) == set(statuses)
    for artifact, count in executions.items():
        # Once, plus once more for every kill that caught it running.
        assert 1 <= count <= 1 + running_at_a_kill[artifact], artifact
    listed = json.loads(workspace.wct("runs", "--json", "--store", workspace.store).stdout)
    assert [(run["run_id"], run["status"], run["counts"]["completed"]) for run in listed] == [
        (run_id, "completed", total)
    ]
