"""Runs that end badly end cleanly: a timeout fails the run with its reason and keeps what
completed, a failure in the middle of a wide DAG takes down exactly its dependents, and a
component still working when the run ends cannot crash anything afterwards."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

import execution_support as support

Workspace = support.Workspace
source, derived, runbook_text = support.source, support.derived, support.runbook_text


def _timed_out_runbook(workspace: Any, slow_seconds: float) -> Path:
    """`slow` ignores cancellation: it is still working when the run ends."""
    return workspace.write(
        "runbook.yaml",
        runbook_text(
            {
                "quick": source(),
                "after_quick": derived("quick"),
                "slow": source(seconds=slow_seconds, stubborn=True),
                "after_slow": derived("slow"),
            },
            config={"timeout": 1},
        ),
    )


def test_a_timeout_fails_the_run_with_its_reason_and_keeps_what_completed(
    workspace: Workspace,
) -> None:
    runbook = _timed_out_runbook(workspace, slow_seconds=60)

    result = workspace.wct("run", runbook, "--events", "--store", workspace.store)

    assert result.returncode == 1
    finished = json.loads(result.stdout.splitlines()[-1])
    run_id = finished["run_id"]
    assert (finished["event"], finished["status"]) == ("run_finished", "failed")
    assert finished["reason"] == "timed out after 1 s (config.timeout)"
    assert finished["counts"] == {
        "completed": 2,
        "failed": 0,
        "skipped": 0,
        "pending": 0,
        "not_started": 2,
    }
    record = workspace.run_record(run_id)
    assert (record.status, record.reason) == ("failed", "timed out after 1 s (config.timeout)")
    assert workspace.statuses(run_id) == {
        "quick": "completed",
        "after_quick": "completed",
        "slow": "not_started",
        "after_slow": "not_started",
    }
    assert "failed: timed out after 1 s (config.timeout)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_component_still_working_after_the_run_ended_raises_nothing(
    workspace: Workspace, registry: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`slow` ignores cancellation and returns after the run has ended (timed out): its
    worker thread must not die on the closed event loop (under `wct` that is a traceback
    on stderr after the summary)."""
    crashes: list[str] = []
    monkeypatch.setattr(
        threading,
        "excepthook",
        lambda args: crashes.append(
            f"{args.thread.name}: {args.exc_type.__name__}: {args.exc_value}"
        ),
    )
    runbook = _timed_out_runbook(workspace, slow_seconds=1.5)

    outcome, _ = workspace.run(runbook, registry)
    for thread in threading.enumerate():
        if thread.name.startswith("wct-worker-"):
            thread.join(timeout=10)

    assert outcome.status == "failed"
    assert workspace.log_lines()[-1] == ("end", "slow")  # it did come back
    assert crashes == []


def test_a_failure_in_the_middle_of_a_wide_dag_skips_exactly_its_dependents(
    workspace: Workspace, registry: Any
) -> None:
    width = 8
    artifacts: dict[str, dict[str, Any]] = {}
    for column in range(width):
        artifacts[f"a{column}"] = source()
    for column in range(width):
        failing = {"fail": "disk full"} if column == 3 else {}
        artifacts[f"b{column}"] = derived(f"a{column}", **failing)
    for column in range(width):
        artifacts[f"c{column}"] = derived([f"b{column}", f"b{(column + 1) % width}"])
    runbook = workspace.write(
        "runbook.yaml", runbook_text(artifacts, config={"max_concurrency": 4})
    )

    outcome, events = workspace.run(runbook, registry)

    assert outcome.status == "failed"
    statuses = workspace.statuses(outcome.run_id)
    assert statuses.pop("b3") == "failed"
    assert {a: statuses.pop(a) for a in ("c2", "c3")} == {"c2": "skipped", "c3": "skipped"}
    assert set(statuses.values()) == {"completed"}
    assert outcome.counts == {
        "completed": 3 * width - 3,
        "failed": 1,
        "skipped": 2,
        "pending": 0,
        "not_started": 0,
    }
    assert workspace.artifacts(outcome.run_id)["b3"].error == "disk full"
    finished = [e["artifact"] for e in events if e["event"] == "artifact_finished"]
    assert sorted(finished) == sorted(artifacts)  # every artifact reported exactly once
    assert "c2" not in workspace.executions() and "c3" not in workspace.executions()


def test_a_multi_line_component_error_is_recorded_as_its_first_line(
    workspace: Workspace, registry: Any
) -> None:
    runbook = workspace.write(
        "runbook.yaml",
        runbook_text({"broken": source(fail="cannot connect\n  details: refused\n")}),
    )

    outcome, events = workspace.run(runbook, registry)

    assert workspace.artifacts(outcome.run_id)["broken"].error == "cannot connect"
    assert events[-2]["error"] == "cannot connect"


def test_many_dependents_of_a_failure_are_all_skipped_and_reported(
    workspace: Workspace, registry: Any
) -> None:
    artifacts: dict[str, dict[str, Any]] = {"root": source(fail="gone")}
    for number in range(30):
        artifacts[f"d{number}"] = derived("root")
    artifacts["tail"] = derived([f"d{number}" for number in range(30)])
    runbook = workspace.write("runbook.yaml", runbook_text(artifacts))

    outcome, events = workspace.run(runbook, registry)

    assert outcome.counts["skipped"] == 31
    skipped = [e for e in events if e["event"] == "artifact_finished" and e["status"] == "skipped"]
    assert len(skipped) == 31
    assert len({e["artifact"] for e in skipped}) == 31  # each once, `tail` included
    assert workspace.executions() == {"root": 1}
