"""A run's owner paused (SIGSTOP) past the stale-owner window, the run taken over and
finished by another process, then the first woken (SIGCONT): it writes nothing, says why
in one line and exits 2, and the store is the one the second process left, as after a
clean run."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
from typing import Any

import execution_support as support
from waivern_orchestration.store.run_store import STORE_FILE

Workspace = support.Workspace


def _store_rows(workspace: Workspace, run_id: str) -> dict[str, Any]:
    """Everything the store holds about the run (the owner's heartbeat aside)."""
    with sqlite3.connect(workspace.store / STORE_FILE) as db:
        run = db.execute(
            "SELECT status, reason, completed_at, owner_pid, owner_token FROM runs "
            "WHERE run_id = ?",
            (run_id,),
        ).fetchone()
        artifacts = db.execute(
            "SELECT artifact_id, status, started_at, finished_at, error FROM artifacts "
            "WHERE run_id = ? ORDER BY position",
            (run_id,),
        ).fetchall()
        messages = db.execute(
            "SELECT artifact_id, message_json FROM messages WHERE run_id = ? ORDER BY artifact_id",
            (run_id,),
        ).fetchall()
    return {"run": run, "artifacts": artifacts, "messages": messages}


def test_a_paused_owner_whose_run_was_taken_over_never_writes_again(
    workspace: Workspace,
) -> None:
    runbook = workspace.write(
        "runbook.yaml",
        support.runbook_text(
            {
                "p1": support.source(seconds=60, until="go"),
                "p2": support.source(seconds=60, until="go"),
                "p3": {**support.derived(["p1", "p2"]), "output": True},
            }
        ),
    )
    first = workspace.start_wct("run", runbook, "--events", "--store", workspace.store)
    assert first.stdout is not None
    started: set[str] = set()
    run_id = ""
    for line in first.stdout:
        event = json.loads(line)
        run_id = event["run_id"]
        if event["event"] == "artifact_started":
            started.add(event["artifact"])
        if started == {"p1", "p2"}:
            break
    os.kill(first.pid, signal.SIGSTOP)
    try:
        # Stopped for longer than the stale window: its heartbeat is that old.
        with sqlite3.connect(workspace.store / STORE_FILE) as db:
            db.execute("UPDATE runs SET heartbeat_at = 0 WHERE run_id = ?", (run_id,))
        (workspace.folder / "go").touch()

        second = workspace.wct("run", runbook, "--resume", run_id, "--store", workspace.store)
        assert second.returncode == 0, second.stderr
        finished_by_second = _store_rows(workspace, run_id)
    finally:
        os.kill(first.pid, signal.SIGCONT)
    rest, errors = first.communicate(timeout=60)

    assert first.returncode == 2, errors
    assert errors.count("\n") == 1, errors
    assert errors.startswith(
        f"wct: run {run_id} was taken over by another process (the run is completed now)"
    )
    assert "this process stopped without writing" in errors
    last = json.loads(rest.splitlines()[-1])
    assert (last["event"], last["status"]) == ("run_finished", "interrupted")
    assert "taken over" in last["reason"]

    assert _store_rows(workspace, run_id) == finished_by_second  # not a byte more
    assert workspace.run_record(run_id).status == "completed"
    assert workspace.statuses(run_id) == {"p1": "completed", "p2": "completed", "p3": "completed"}
    assert set(workspace.messages(run_id)) == {"p1", "p2", "p3"}
