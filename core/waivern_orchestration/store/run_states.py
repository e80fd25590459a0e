"""What the run store says about a runbook, for the views that ask again and again (the
editor's hover, code lenses, inlay hints, graph): its latest run and each artifact's
status in it, or any run by its id (`reuse.from_run`).

The store is opened read-only, only when it changed since the last look: the sizes and
modification times of its files are the cache key, so asking on every hover costs a few
`stat` calls. A missing, unreadable, locked or newer-than-this-wct store means "no status"
(None), never an error. Runs recorded the path of their runbook as given on the command
line (absolute, symlinks kept); they are matched to a document by real path.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from waivern_orchestration.analysis.child_paths import real_path
from waivern_orchestration.store.run_store import (
    STORE_FILE,
    ArtifactRecord,
    RunRecord,
    RunStore,
    StoreError,
)
from waivern_orchestration.store.statuses import ArtifactStatus, RunStatus, limits_of, resumable

# A store file modified this recently may change again within the file system's timestamp
# granularity without its size changing: such a snapshot is read again, not trusted.
_SETTLED_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class ArtifactState:
    """One artifact in one run."""

    artifact_id: str  # as planned (a child runbook's artifacts carry their namespace)
    status: ArtifactStatus
    started_at: datetime | None
    finished_at: datetime | None
    duration_seconds: float | None
    error: str | None
    alias: str | None  # the parent-side name of a child runbook's output
    limits: tuple[str, ...] = ()  # limits the runbook set that cut its output short

    @classmethod
    def of(cls, record: ArtifactRecord) -> ArtifactState:
        return cls(
            record.artifact_id,
            record.status,
            _time(record.started_at),
            _time(record.finished_at),
            record.duration_seconds,
            record.error,
            record.alias,
            limits_of(record.warnings),
        )


@dataclass(frozen=True)
class RunState:
    """A run and the status of each of its artifacts."""

    run_id: str
    runbook_path: Path
    recorded_status: RunStatus  # as stored
    reason: str | None
    started_at: datetime | None
    completed_at: datetime | None
    runbook_sha256: str
    record: RunRecord = field(repr=False)
    # By plan id, and by alias for a child runbook's outputs (the names the runbook uses).
    artifacts: Mapping[str, ArtifactState] = field(repr=False)

    @property
    def status(self) -> RunStatus:
        """The run's status; a `running` run whose process is gone reads `interrupted`
        (it can be resumed)."""
        return self.record.current_status

    @property
    def resumable(self) -> bool:
        """Would `wct run --resume` take this run up (`statuses.resumable`)?"""
        failed = {
            a.artifact_id for a in self.artifacts.values() if a.status is ArtifactStatus.FAILED
        }
        return resumable(self.status, len(failed))

    def artifact(self, name: str) -> ArtifactState | None:
        """An artifact by its id or alias as the runbook writes it."""
        return self.artifacts.get(name)

    def ran_text(self, text: str) -> bool:
        """Was the run started from this very text of the runbook?"""
        return hashlib.sha256(text.encode("utf-8")).hexdigest() == self.runbook_sha256


def latest_run_state(store_dir: Path, runbook_path: Path) -> RunState | None:
    """The latest run of the runbook recorded in the store, or None (never run, or no
    readable store)."""
    return _SNAPSHOTS.latest(store_dir, runbook_path)


def run_state(store_dir: Path, run_id: str) -> RunState | None:
    """A run by id, or None when the store does not have it (or cannot be read)."""
    return _SNAPSHOTS.run(store_dir, run_id)


Stamp = tuple[tuple[int, int] | None, ...]
_Query = Callable[[RunStore], "RunState | None"]


@dataclass
class _Snapshot:
    """What was read from one store while its files stayed as they are."""

    stamp: Stamp
    trusted: bool
    latest: dict[Path, RunState | None] = field(default_factory=dict)
    runs: dict[str, RunState | None] = field(default_factory=dict)


class _Snapshots:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshots: dict[Path, _Snapshot] = {}

    def latest(self, store_dir: Path, runbook_path: Path) -> RunState | None:
        snapshot = self._snapshot(store_dir)
        if snapshot is None:
            return None
        wanted = real_path(runbook_path)
        if wanted in snapshot.latest:
            return snapshot.latest[wanted]
        read, found = _read(store_dir, lambda store: _latest_run(store, wanted))
        if read and snapshot.trusted:
            with self._lock:  # (asked from several threads at once)
                snapshot.latest[wanted] = found
        return found

    def run(self, store_dir: Path, run_id: str) -> RunState | None:
        snapshot = self._snapshot(store_dir)
        if snapshot is None:
            return None
        if run_id in snapshot.runs:
            return snapshot.runs[run_id]
        read, found = _read(store_dir, lambda store: _run_by_id(store, run_id))
        if read and snapshot.trusted:
            with self._lock:
                snapshot.runs[run_id] = found
        return found

    def _snapshot(self, store_dir: Path) -> _Snapshot | None:
        database = store_dir / STORE_FILE
        stamp = tuple(_stat(Path(f"{database}{suffix}")) for suffix in ("", "-wal"))
        if stamp[0] is None:
            return None
        with self._lock:
            known = self._snapshots.get(database)
            if known is None or known.stamp != stamp or not known.trusted:
                newest = max(mtime for mtime, _size in filter(None, stamp))
                settled = time.time_ns() - newest > _SETTLED_SECONDS * 1e9
                known = self._snapshots[database] = _Snapshot(stamp, settled)
            return known


_SNAPSHOTS = _Snapshots()


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_mtime_ns, found.st_size)


def _read(store_dir: Path, query: _Query) -> tuple[bool, RunState | None]:
    """(whether the store could be read, what the query found)."""
    try:
        with RunStore(store_dir, read_only=True, wait_seconds=1) as store:
            return True, query(store)
    except (StoreError, sqlite3.Error, OSError):
        return False, None


def _latest_run(store: RunStore, runbook: Path) -> RunState | None:
    resolved: dict[str, Path] = {}
    for record in store.runs():  # newest first
        if record.runbook_path not in resolved:
            resolved[record.runbook_path] = real_path(Path(record.runbook_path))
        if resolved[record.runbook_path] == runbook:
            return _status(store, record)
    return None


def _run_by_id(store: RunStore, run_id: str) -> RunState | None:
    try:
        record = store.run(run_id)
    except StoreError:
        return None
    return _status(store, record)


def _status(store: RunStore, record: RunRecord) -> RunState:
    artifacts: dict[str, ArtifactState] = {}
    for row in store.artifacts(record.run_id):
        status = ArtifactState.of(row)
        artifacts[row.artifact_id] = status
        if row.alias is not None:
            artifacts.setdefault(row.alias, status)
    return RunState(
        run_id=record.run_id,
        runbook_path=Path(record.runbook_path),
        recorded_status=record.status,
        reason=record.reason,
        started_at=_time(record.started_at),
        completed_at=_time(record.completed_at),
        runbook_sha256=record.runbook_sha256,
        record=record,
        artifacts=artifacts,
    )


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
