"""The documents a run store answers with, the same for `wct` and the editor
(DESIGN.md §4.2: fields may be added, never renamed or removed).

- `run_summaries`: `wct runs --json`, the language server's `waivern.runs`;
- `run_report`: `wct inspect RUN_ID --json`, `waivern.inspect [run_id]`;
- `artifact_message`: `wct inspect RUN_ID ARTIFACT --json`, `waivern.inspect [run_id,
  artifact]`.

The first two are built as the TypedDicts declared here (`RunSummary`, `RunReport`), which
are also their JSON Schema in `schemas/server-api.schema.json` and the editor's types.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import Any

from typing_extensions import TypedDict  # for pydantic (the JSON Schema) before 3.12

from waivern_orchestration.components.file_text import ResolvedItems
from waivern_orchestration.components.streams import StreamedItems
from waivern_orchestration.store.plans import stored_plan
from waivern_orchestration.store.run_store import RunStore, owner_alive
from waivern_orchestration.store.statuses import ArtifactStatus, RunStatus


class RunCounts(TypedDict):
    """A run's artifacts by status (a `running` artifact counts as not started)."""

    completed: int
    failed: int
    skipped: int
    pending: int
    not_started: int


class RunSummary(TypedDict):
    """One recorded run (`wct runs --json`, `waivern.runs`)."""

    run_id: str
    runbook_path: str
    """The runbook's path as the run was given it (absolute)."""
    status: RunStatus
    started_at: str
    """ISO 8601, with time zone."""
    completed_at: str | None
    """ISO 8601, with time zone; null while the run has not ended."""
    counts: RunCounts
    reason: str | None
    """Why the run stopped, when it did not complete."""
    owner_alive: bool
    """A `running` run whose process is still there (false: it died, the run is
    resumable with `wct run --resume`)."""
    executor: str | None
    """Where it ran (its last attempt): `local`, `dask-local:N`, or the Dask scheduler's
    address (`tcp://HOST:PORT`, `tls://HOST:PORT`); null for runs of wct 0.1.0."""
    idle_seconds: float
    """How long a resumed run stood still between an end (or its process's death) and a
    resume: how long it took is `completed_at - started_at - idle_seconds`."""


class ArtifactReport(TypedDict):
    """One artifact in a run."""

    status: ArtifactStatus
    duration_seconds: float | None
    error: str | None
    origin: str
    """`parent`, or `child:<child runbook name>` for a child runbook's artifacts."""
    alias: str | None
    """The parent-side name of a child runbook's output."""
    warnings: list[str]


class RunReport(TypedDict):
    """A run and the state of each of its artifacts (`wct inspect RUN_ID --json`,
    `waivern.inspect [run_id]`)."""

    run_id: str
    runbook_path: str
    status: RunStatus
    reason: str | None
    """Why the run stopped, when it did not complete."""
    started_at: str
    completed_at: str | None
    executor: str | None
    """Where it ran (its last attempt), as in `RunSummary`."""
    artifacts: dict[str, ArtifactReport]
    """By planned artifact id, in plan order."""


def run_summaries(store: RunStore, status: RunStatus | None = None) -> list[RunSummary]:
    """The recorded runs, newest first."""
    return [
        RunSummary(
            run_id=record.run_id,
            runbook_path=record.runbook_path,
            status=record.status,
            started_at=record.started_at,
            completed_at=record.completed_at,
            counts=_run_counts(store, record.run_id),
            reason=record.reason,
            # A `running` run whose process is gone can be resumed (wct run --resume).
            owner_alive=record.status is RunStatus.RUNNING and owner_alive(record),
            executor=record.executor,
            idle_seconds=record.idle_seconds,
        )
        for record in store.runs(status)
    ]


def run_report(store: RunStore, run_id: str) -> RunReport:
    """A run and the state of each of its artifacts."""
    record = store.run(run_id)
    return RunReport(
        run_id=record.run_id,
        runbook_path=record.runbook_path,
        status=record.status,
        reason=record.reason,
        started_at=record.started_at,
        completed_at=record.completed_at,
        executor=record.executor,
        artifacts={
            artifact.artifact_id: ArtifactReport(
                status=artifact.status,
                duration_seconds=artifact.duration_seconds,
                error=artifact.error,
                origin=artifact.origin,
                alias=artifact.alias,
                warnings=list(artifact.warnings),
            )
            for artifact in store.artifacts(run_id)
        },
    )


def _run_counts(store: RunStore, run_id: str) -> RunCounts:
    counts = store.counts(run_id)  # keyed by every counted status
    return RunCounts(
        completed=counts[ArtifactStatus.COMPLETED],
        failed=counts[ArtifactStatus.FAILED],
        skipped=counts[ArtifactStatus.SKIPPED],
        pending=counts[ArtifactStatus.PENDING],
        not_started=counts[ArtifactStatus.NOT_STARTED],
    )


class NoStoredOutput(Exception):
    """An artifact whose output cannot be shown; `exit_code` is what `wct inspect` exits with."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def artifact_message(
    store: RunStore,
    run_id: str,
    artifact: str,
    *,
    offset: int = 0,
    limit: int | None = None,
    warn: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The stored output message of ARTIFACT (a plan id or an alias) in the run.

    Text kept in its file is read (a warning, through ``warn``, when it changed since the
    run). Its list of items (the streamed one, else the content's first list) is given
    from ``offset``, at most ``limit`` of them, with a `page` object saying which; with
    neither, whole, and a streamed list stays a lazy sequence (`streamed_json` writes it
    batch by batch)."""
    document = run_report(store, run_id)
    plan = stored_plan(store, run_id)
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
    shown = message.to_json()
    content = shown["content"] = dict(message.content)
    listed = _listed_field(content)
    if listed is None:
        return shown
    items = ResolvedItems(content[listed], warn or (lambda _: None))
    if offset == 0 and limit is None:
        content[listed] = items if isinstance(content[listed], StreamedItems) else list(items)
        return shown
    stored = content[listed]
    chosen = (
        stored.from_offset(offset)
        if isinstance(stored, StreamedItems)
        else islice(stored, offset, None)
    )
    page = islice(chosen, limit) if limit is not None else chosen
    content[listed] = list(ResolvedItems(list(page), warn or (lambda _: None)))
    shown["page"] = {"field": listed, "offset": offset, "limit": limit, "total": len(items)}
    return shown


def _listed_field(content: dict[str, Any]) -> str | None:
    """The content's list of items: the streamed one, else the first list."""
    for name, value in content.items():
        if isinstance(value, StreamedItems):
            return name
    return next((name for name, value in content.items() if isinstance(value, list)), None)
