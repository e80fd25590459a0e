"""The documents a run store answers with, the same for `wct` and the editor
(DESIGN.md §4.2: fields may be added, never renamed or removed).

- `runs_document`: `wct runs --json`, the language server's `waivern.runs`;
- `run_document`: `wct inspect RUN_ID --json`, `waivern.inspect [run_id]`;
- `artifact_message`: `wct inspect RUN_ID ARTIFACT --json`, `waivern.inspect [run_id,
  artifact]`.
"""

from __future__ import annotations

from typing import Any

from waivern_orchestration.planner import ExecutionPlan
from waivern_orchestration.store.run_store import RunStore, owner_alive
from waivern_orchestration.store.statuses import ArtifactStatus, RunStatus


def runs_document(store: RunStore, status: RunStatus | None = None) -> list[dict[str, Any]]:
    """The recorded runs, newest first."""
    return [
        {
            "run_id": record.run_id,
            "runbook_path": record.runbook_path,
            "status": record.status,
            "started_at": record.started_at,
            "completed_at": record.completed_at,
            "counts": store.counts(record.run_id),
            "reason": record.reason,
            # A `running` run whose process is gone can be resumed (wct run --resume).
            "owner_alive": record.status is RunStatus.RUNNING and owner_alive(record),
        }
        for record in store.runs(status)
    ]


def run_document(store: RunStore, run_id: str) -> dict[str, Any]:
    """A run and the state of each of its artifacts."""
    record = store.run(run_id)
    return {
        "run_id": record.run_id,
        "runbook_path": record.runbook_path,
        "status": record.status,
        "reason": record.reason,
        "started_at": record.started_at,
        "completed_at": record.completed_at,
        "artifacts": {
            artifact.artifact_id: {
                "status": artifact.status,
                "duration_seconds": artifact.duration_seconds,
                "error": artifact.error,
                "origin": artifact.origin,
                "alias": artifact.alias,
                "warnings": list(artifact.warnings),
            }
            for artifact in store.artifacts(run_id)
        },
    }


class NoStoredOutput(Exception):
    """An artifact whose output cannot be shown; `exit_code` is what `wct inspect` exits with."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def artifact_message(store: RunStore, run_id: str, artifact: str) -> dict[str, Any]:
    """The stored output message of ARTIFACT (a plan id or an alias) in the run."""
    document = run_document(store, run_id)
    plan = ExecutionPlan.from_json(store.plan_json(run_id))
    resolved = plan.resolve(artifact)
    if resolved not in document["artifacts"]:
        known = ", ".join(sorted(document["artifacts"]))
        raise NoStoredOutput(f"run {run_id} has no artifact {artifact!r} (it has: {known})", 2)
    message = store.message(run_id, resolved)
    if message is None:
        state = document["artifacts"][resolved]["status"]
        reason = (
            "its output is sensitive and never stored"
            if state is ArtifactStatus.COMPLETED
            else state
        )
        raise NoStoredOutput(f"{artifact} has no stored output ({reason})", 1)
    return message.to_json()
