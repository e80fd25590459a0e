"""The `personal_data` review step end to end, as a user runs it: the real processor hands
its candidates to the real `local` provider (a detached worker process), the run ends
`interrupted`, `wct poll` collects the result, and the resume completes the artifact
without the false positives."""

from __future__ import annotations

import json

from execution_support import Workspace, wait_for_batch_workers
from runbook_samples import REVIEWED

TEXT = """\
Write to jane.doe@northwind-mail.com about the refund.
The form example uses someone@example.com, which is not a person.
"""


def test_review_pending_then_polled_then_resumed_drops_false_positives(
    workspace: Workspace,
) -> None:
    workspace.write("data/ticket.txt", TEXT)
    runbook = workspace.write("runbook.yaml", REVIEWED)

    first = workspace.wct("run", runbook, "--events", "--store", workspace.store)
    events = [json.loads(line) for line in first.stdout.splitlines()]
    run_id = events[0]["run_id"]
    assert first.returncode == 1
    assert events[-1]["status"] == "interrupted"
    assert {"artifact": "findings", "status": "pending"}.items() <= next(
        e for e in events if e.get("artifact") == "findings" and e["event"] == "artifact_finished"
    ).items()

    # The worker is a detached process: the user waits for it, then polls.
    wait_for_batch_workers(workspace.store)
    polled = workspace.wct("poll", run_id, "--store", workspace.store)
    assert polled.returncode == 0, polled.stderr
    assert "1 batch job(s) with results, 0 still working, 0 failed" in polled.stdout
    assert f"wct run {runbook} --resume {run_id}" in polled.stdout

    resumed = workspace.wct("run", runbook, "--resume", run_id, "--store", workspace.store)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    shown = workspace.wct("inspect", run_id, "findings", "--json", "--store", workspace.store)
    findings = json.loads(shown.stdout)["content"]["findings"]
    values = [finding["value"] for finding in findings]
    assert any("northwind-mail.com" in value for value in values)
    assert not any("example.com" in value for value in values)
