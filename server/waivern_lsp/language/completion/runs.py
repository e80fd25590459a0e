"""`reuse.from_run`: the runs in the run store, newest first, with their status and date;
`reuse.artifact`: the artifacts of the run `from_run` names, with how each went (an
alias, the parent's name for a child runbook's output, is offered too).

The store is read read-only by `read_runs`, which the server calls off the event loop
and gives up on quickly when the store is busy.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from waivern_lsp.language.completion.choice import Choice, ChoiceKind
from waivern_lsp.language.completion.context import StoredRuns
from waivern_lsp.language.run_words import moment_words, status_words, what_it_did
from waivern_orchestration.store.run_store import (
    ArtifactRecord,
    RunRecord,
    RunStore,
    StoreError,
)
from waivern_orchestration.store.statuses import ArtifactStatus


def read_runs(store_dir: Path, run_id: str | None) -> StoredRuns:
    """The runs of the store (and the artifacts of `run_id`); nothing when there is no
    readable store."""
    try:
        with RunStore(store_dir, read_only=True, wait_seconds=1) as store:
            runs = store.runs()
            artifacts = store.artifacts(run_id) if run_id else []
    except (StoreError, sqlite3.Error, OSError):
        return StoredRuns(readable=False)
    return StoredRuns(runs, artifacts)


def run_choices(store: StoredRuns) -> list[Choice]:
    return [
        Choice(
            run.run_id,
            ChoiceKind.RUN,
            run.run_id,
            detail=f"{run.current_status} · {_when(run.started_at)}",
            documentation=_about_run(run),
            order=f"{index:06}",
        )
        for index, run in enumerate(store.runs)
    ]


def run_artifact_choices(store: StoredRuns) -> list[Choice]:
    found: dict[str, Choice] = {}
    for record in store.artifacts:
        for name in (record.alias, record.artifact_id):
            if name is not None and name not in found:
                found[name] = _artifact_choice(name, record)
    return list(found.values())


def _artifact_choice(name: str, record: ArtifactRecord) -> Choice:
    about = f"`{name}` {what_it_did(record.status)} in that run."
    if name != record.artifact_id:
        about += f" It is the parent's name for the child runbook artifact `{record.artifact_id}`."
    if record.error:
        about += f"\n\nError: {record.error}"
    return Choice(
        name,
        ChoiceKind.ARTIFACT,
        name,
        detail=status_words(record.status),
        documentation=about,
        order="0" if record.status is ArtifactStatus.COMPLETED else "1",
    )


def _when(stamp: str | None) -> str:
    if not stamp:
        return "?"
    try:
        return moment_words(datetime.fromisoformat(stamp))  # (as hover and the extension)
    except ValueError:
        return stamp


def _about_run(run: RunRecord) -> str:
    lines = [
        f"Run of `{run.runbook_path}`: {run.current_status}.",
        f"Started {_when(run.started_at)}",
    ]
    if run.completed_at:
        lines[-1] += f", finished {_when(run.completed_at)}"
    lines[-1] += "."
    if run.reason:
        lines.append(run.reason)
    return "\n\n".join(lines)
