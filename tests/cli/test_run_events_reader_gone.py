"""`wct run --events` whose reader goes away (an editor closed while its run goes on):
the run carries on to its end, recorded in the store, instead of dying on a broken pipe."""

from __future__ import annotations

import json

import execution_support as support

Workspace = support.Workspace


def test_a_run_whose_events_reader_went_away_still_completes(workspace: Workspace) -> None:
    runbook = workspace.write(
        "runbook.yaml",
        support.runbook_text(
            {
                "first": support.source(text="one"),
                "slow": {**support.derived("first", seconds=30, until="go"), "output": True},
            }
        ),
    )
    process = workspace.start_wct("run", runbook, "--events", "--store", workspace.store)
    assert process.stdout is not None
    started = json.loads(process.stdout.readline())
    assert started["event"] == "run_started"

    process.stdout.close()  # the reader is gone; events still to come have nowhere to go
    (workspace.folder / "go").touch()
    _, errors = process.communicate(timeout=60)

    assert process.returncode == 0, errors
    assert "Traceback" not in errors
    assert workspace.run_record(started["run_id"]).status == "completed"
    assert set(workspace.statuses(started["run_id"]).values()) == {"completed"}
