"""The run store (DESIGN.md §4.3): one SQLite database (WAL) in `.waivern/`.

It holds runs (id, runbook, status, times, owner), each run's persisted plan, per-artifact
state, output messages, batch jobs and the batch result cache. Every state change of an
artifact is one short transaction touching a fixed number of rows, so its cost does not
grow with the size of the run. A schema version table and ordered migrations keep stores
written by this version readable by later ones.

Ownership: the process executing a run records its pid, host and start, and refreshes a
heartbeat. A run whose owner is gone (its pid no longer lives on this host, or its
heartbeat is stale) may be claimed by another process; claiming happens inside an
immediate transaction, so of two processes claiming the same run exactly one wins.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import secrets
import socket
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from waivern_orchestration.messages import Message
from waivern_orchestration.store import batches
from waivern_orchestration.store.faults import StoreError as StoreError
from waivern_orchestration.store.faults import (
    StoreGone,
    creation_lock,
    guarded,
    is_empty_file,
    store_fault,
)
from waivern_orchestration.store.reading import open_for_reading
from waivern_orchestration.store.statuses import (
    ArtifactStatus,
    Counts,
    JobState,
    RunStatus,
    empty_counts,
    resumable,
)

STORE_FILE = "runs.db"
HEARTBEAT_SECONDS = 2.0
STALE_AFTER_SECONDS = 30.0

# Each migration takes the store from the previous version to its own; never edit one
# that has shipped, add a new one.
MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        CREATE TABLE runs (
            run_id TEXT PRIMARY KEY,
            runbook_path TEXT NOT NULL,
            runbook_sha256 TEXT NOT NULL,
            status TEXT NOT NULL,
            reason TEXT,
            started_at TEXT NOT NULL,
            completed_at TEXT,
            owner_pid INTEGER,
            owner_host TEXT,
            owner_started_at TEXT,
            owner_token TEXT,
            heartbeat_at REAL
        );
        CREATE INDEX runs_by_start ON runs (started_at);
        CREATE TABLE plans (
            run_id TEXT PRIMARY KEY REFERENCES runs (run_id),
            plan_json TEXT NOT NULL
        );
        CREATE TABLE artifacts (
            run_id TEXT NOT NULL REFERENCES runs (run_id),
            artifact_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            status TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            duration_seconds REAL,
            error TEXT,
            origin TEXT NOT NULL,
            alias TEXT,
            warnings_json TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (run_id, artifact_id)
        );
        CREATE TABLE messages (
            run_id TEXT NOT NULL,
            artifact_id TEXT NOT NULL,
            message_json TEXT,
            sensitive INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (run_id, artifact_id)
        );
        CREATE TABLE batch_jobs (
            key TEXT PRIMARY KEY,
            run_id TEXT NOT NULL,
            artifact_id TEXT NOT NULL,
            provider TEXT NOT NULL,
            handler TEXT NOT NULL,
            job_id TEXT NOT NULL,
            status TEXT NOT NULL,
            error TEXT,
            submitted_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX batch_jobs_by_run ON batch_jobs (run_id);
        CREATE TABLE result_cache (
            key TEXT PRIMARY KEY,
            result_json TEXT NOT NULL,
            stored_at TEXT NOT NULL
        );
        """,
    ),
    (
        2,
        """
        CREATE TABLE batches (
            run_id TEXT NOT NULL,
            artifact_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            items INTEGER NOT NULL,
            data BLOB NOT NULL,
            warnings_json TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (run_id, artifact_id, position)
        );
        """,
    ),
    (
        3,
        """
        ALTER TABLE runs ADD COLUMN executor TEXT;
        """,
    ),
    (
        4,
        """
        ALTER TABLE runs ADD COLUMN idle_seconds REAL NOT NULL DEFAULT 0;
        """,
    ),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


class RunNotFound(StoreError):
    pass


class RunLocked(StoreError):
    pass


class OwnershipLost(StoreError):
    """Another process claimed the run (this one looked dead): nothing was written."""


@dataclass(frozen=True, slots=True)
class RunRecord:
    run_id: str
    runbook_path: str
    runbook_sha256: str
    status: RunStatus
    reason: str | None
    started_at: str
    completed_at: str | None
    owner_pid: int | None
    owner_host: str | None
    heartbeat_at: float | None
    executor: str | None = None  # where it ran: local, dask-local:N, tcp://…, tls://…
    # the time it stood still between an end (or its process's death) and a resume: not
    # part of how long it took
    idle_seconds: float = 0.0

    @property
    def current_status(self) -> RunStatus:
        """The status as it stands: a `running` run whose process is gone is
        `interrupted` (it can be resumed)."""
        if self.status is RunStatus.RUNNING and not owner_alive(self):
            return RunStatus.INTERRUPTED
        return self.status


@dataclass(frozen=True, slots=True)
class ArtifactRecord:
    artifact_id: str
    status: ArtifactStatus
    started_at: str | None
    finished_at: str | None
    duration_seconds: float | None
    error: str | None
    origin: str
    alias: str | None
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FinishedArtifact:
    artifact_id: str
    status: ArtifactStatus
    duration_seconds: float
    error: str | None
    warnings: tuple[str, ...]
    message_json: str | None  # the message as stored (JSON text), when there is one
    sensitive: bool = False  # then only the fact is stored, never the content
    started_at: str | None = None


@dataclass(frozen=True, slots=True)
class StoredStream:
    """What is stored of an artifact's streamed output: the positions of its batches,
    how many items they hold, the last item, and the warnings recorded with them."""

    positions: frozenset[int] = frozenset()
    items: int = 0
    last: Any = None
    warnings: tuple[str, ...] = ()

    @property
    def next_position(self) -> int:
        return max(self.positions) + 1 if self.positions else 0


@dataclass(frozen=True, slots=True)
class BatchJob:
    key: str
    run_id: str
    artifact_id: str
    provider: str
    handler: str
    job_id: str
    status: JobState
    error: str | None


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunStore:
    """One connection to the store; use one per thread (the executor uses its loop's)."""

    def __init__(
        self, directory: Path, *, read_only: bool = False, wait_seconds: float = 30
    ) -> None:
        """``wait_seconds``: how long a statement waits for another process's lock (an
        editor's reader asks for little, so a busy store never holds up a keystroke).
        Whatever is wrong with the store's file is one StoreError."""
        self.directory = directory
        self.path = directory / STORE_FILE
        self.read_only = read_only
        self._identity: tuple[int, int] | None = None
        self.schema_version = SCHEMA_VERSION
        try:
            self._db = self._open(wait_seconds)
        except StoreError:
            raise
        except (sqlite3.Error, OSError) as error:
            raise store_fault(error, directory, STORE_FILE) from None
        try:
            self._migrate()
        except StoreError:
            self._db.close()
            raise
        except sqlite3.Error as error:
            self._db.close()
            raise store_fault(error, directory, STORE_FILE) from None

    def _open(self, wait_seconds: float) -> sqlite3.Connection:
        directory = self.directory
        if self.read_only:
            if not self.path.exists():
                raise StoreError(f"no run store at {directory} (nothing has run here yet)")
            if is_empty_file(self.path):
                with creation_lock(directory, STORE_FILE, shared=True):
                    self._refuse_empty()
            if not self.path.is_file():
                raise StoreError(
                    f"the run store at {directory} cannot be opened: {self.path} is not a file"
                )
            db = open_for_reading(self.path, wait_seconds)  # (creates no file beside it)
            self._refuse_foreign(db)
        else:
            try:
                directory.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"cannot create the run store at {directory}: {error}") from None
            if self.path.exists() and not self.path.is_file():
                raise StoreError(
                    f"the run store at {directory} cannot be opened: {self.path} is not a file"
                )
            creating = not self.path.exists() or is_empty_file(self.path)
            with creation_lock(directory, STORE_FILE) if creating else contextlib.nullcontext():
                self._refuse_empty()  # (under the lock: not one another process creates)
                db = sqlite3.connect(self.path, timeout=wait_seconds, isolation_level=None)
                self._refuse_foreign(db)  # before anything is written to it
                db.execute("PRAGMA journal_mode=WAL")  # (writes the header: the file is a store)
            # WAL + NORMAL: a committed transaction survives the process being killed; only a
            # power loss may drop the last ones.
            db.execute("PRAGMA synchronous=NORMAL")
            found = os.stat(self.path)
            self._identity = (found.st_dev, found.st_ino)
        db.execute(f"PRAGMA busy_timeout={int(wait_seconds * 1000)}")
        return db

    def _refuse_foreign(self, db: sqlite3.Connection) -> None:
        """An SQLite database of something else is never written to."""
        tables = {
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        if tables and "schema_version" not in tables:
            db.close()
            raise StoreError(
                f"{self.path} is an SQLite database but not a run store (it has tables of its "
                "own): choose another folder with --store, or move it aside"
            )

    def _refuse_empty(self) -> None:
        if is_empty_file(self.path):
            raise StoreError(
                f"the run store at {self.directory} is an empty file (0 bytes): it was "
                f"truncated, or is not a run store; move {self.path} aside (a new store is "
                "made in its place), or restore it from a backup"
            )

    def _still_there(self) -> None:
        """The store this process writes is the file at its path (not removed or replaced
        under it: SQLite would go on writing to a file nobody will read)."""
        if self._identity is None:
            return
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            found = None
        if found is None or (found.st_dev, found.st_ino) != self._identity:
            raise StoreGone(
                f"the run store at {self.directory} was removed or replaced while this "
                "process used it: nothing more is recorded, and the run stopped"
            )

    def another(self) -> RunStore:
        """Another connection to this same store (for another thread): StoreGone when the
        file at the path is not the one this connection writes any more."""
        self._still_there()
        other = RunStore(self.directory, read_only=self.read_only)
        if other._identity != self._identity:
            other.close()
            raise StoreGone(
                f"the run store at {self.directory} was removed or replaced while this "
                "process used it: nothing more is recorded, and the run stopped"
            )
        return other

    @guarded
    def streamed_artifacts(self, run_id: str) -> set[str]:
        """The artifacts of a run with stored batches (streamed, or checkpointed)."""
        rows = self._db.execute(
            "SELECT DISTINCT artifact_id FROM batches WHERE run_id = ?", (run_id,)
        )
        return {artifact for (artifact,) in rows}

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- schema ------------------------------------------------------------------------

    @property
    def _executor(self) -> str:
        """The `executor` and `idle_seconds` columns, or NULL and 0 in a store an earlier
        wct wrote (read as it is)."""
        executor = "executor" if self.schema_version >= 3 else "NULL"
        return f"{executor}, {'idle_seconds' if self.schema_version >= 4 else '0'}"

    def _migrate(self) -> None:
        version = self.schema_version = self._version()
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"the run store at {self.directory} was written by a newer wct (schema "
                f"{version}, this one knows {SCHEMA_VERSION}): upgrade wct"
            )
        if version == SCHEMA_VERSION:
            self._check_tables()
            return
        if self.read_only:
            if version > 0:
                # Written by an earlier wct: migrations only add, so what it holds reads
                # the same (what later versions added is absent). Reading never upgrades.
                self._check_tables(version)
                return
            raise StoreError(f"the run store at {self.directory} needs an upgrade: run wct once")
        with self._transaction():
            version = self._version()  # another process may have migrated meanwhile
            for number, script in MIGRATIONS:
                if number > version:
                    for statement in _statements(script):
                        self._db.execute(statement)
            self._db.execute("DELETE FROM schema_version")
            self._db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
        self.schema_version = SCHEMA_VERSION

    def _check_tables(self, version: int = SCHEMA_VERSION) -> None:
        """The tables and columns this schema version has are all there (a store edited
        by hand, or restored from another version's file, fails here in one line rather
        than halfway through a run)."""
        for table, columns in _expected_tables(version).items():
            found = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
            missing = sorted(columns - found)
            if missing:
                what = f"table {table}" if not found else f"column {table}.{missing[0]}"
                raise StoreError(
                    f"the run store at {self.directory} does not have the tables its schema "
                    f"version says (no {what}): move {self.path} aside (a new store is made "
                    "in its place), or restore it from a backup"
                )

    def _version(self) -> int:
        exists = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone()
        if not exists:
            if self.read_only:
                return 0
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
            return 0
        row = self._db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @contextmanager
    def _owned(self, run_id: str, token: str) -> Iterator[sqlite3.Connection]:
        """A transaction that writes only while ``token`` still owns the run: a process
        paused past the stale window, whose run another process has since claimed, can
        never write again (the claim takes the same write lock)."""
        self._still_there()
        with self._transaction() as db:
            row = db.execute(
                "SELECT owner_token, owner_pid, owner_host, status FROM runs WHERE run_id = ?",
                (run_id,),
            ).fetchone()
            if row is None or row[0] != token:
                if row is not None and row[1] is not None:
                    who = f"process {row[1]} on {row[2]}"
                else:
                    who = f"another process (the run is {row[3]} now)" if row else "another"
                raise OwnershipLost(
                    f"run {run_id} was taken over by {who} while this process was stopped "
                    "or unresponsive: this process stopped without writing"
                )
            yield db

    # -- runs --------------------------------------------------------------------------

    @guarded
    def create_run(
        self,
        run_id: str,
        runbook_path: str,
        runbook_sha256: str,
        plan_json: dict[str, Any],
        artifacts: Sequence[tuple[str, str, str | None]],
        executor: str = "local",
    ) -> str:
        """Record a new run owned by this process; ``artifacts`` are (id, origin, alias)
        in plan order; ``executor``: where it runs (`executors.ExecutorSpec.label`).
        Returns the owner token."""
        token = secrets.token_hex(8)
        started = now_iso()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO runs (run_id, runbook_path, runbook_sha256, status, started_at, "
                "owner_pid, owner_host, owner_started_at, owner_token, heartbeat_at, executor) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    runbook_path,
                    runbook_sha256,
                    RunStatus.RUNNING,
                    started,
                    os.getpid(),
                    socket.gethostname(),
                    started,
                    token,
                    time.time(),
                    executor,
                ),
            )
            db.execute(
                "INSERT INTO plans (run_id, plan_json) VALUES (?, ?)",
                (run_id, json.dumps(plan_json, sort_keys=True)),
            )
            db.executemany(
                "INSERT INTO artifacts (run_id, artifact_id, position, status, origin, alias) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (run_id, artifact, position, ArtifactStatus.NOT_STARTED, origin, alias)
                    for position, (artifact, origin, alias) in enumerate(artifacts)
                ],
            )
        return token

    @guarded
    def claim(self, run_id: str, executor: str = "local") -> str:
        """Take ownership of an existing run to resume it (on ``executor``); exactly one
        of several processes claiming at once succeeds. Returns the owner token."""
        token = secrets.token_hex(8)
        with self._transaction() as db:
            run = self._run(db, run_id)
            if run.status is RunStatus.COMPLETED and not resumable(
                run.status, self._failed_artifacts(db, run_id)
            ):
                raise StoreError(f"run {run_id} has already completed: nothing to resume")
            if run.status is RunStatus.RUNNING and owner_alive(run):
                raise RunLocked(
                    f"run {run_id} is being executed by process {run.owner_pid} on "
                    f"{run.owner_host}: wait for it, or cancel it first"
                )
            db.execute(
                "UPDATE runs SET status = ?, reason = NULL, completed_at = NULL, "
                "owner_pid = ?, owner_host = ?, owner_started_at = ?, owner_token = ?, "
                "heartbeat_at = ?, executor = ?, idle_seconds = idle_seconds + ? "
                "WHERE run_id = ?",
                (
                    RunStatus.RUNNING,
                    os.getpid(),
                    socket.gethostname(),
                    now_iso(),
                    token,
                    time.time(),
                    executor,
                    _idle_since(run),
                    run_id,
                ),
            )
        return token

    @guarded
    def resumable(self, record: RunRecord) -> bool:
        """Would `wct run --resume` take this run up (once nobody executes it)?"""
        status = record.current_status
        failed = (
            self._failed_artifacts(self._db, record.run_id) if status is RunStatus.COMPLETED else 0
        )
        return resumable(status, failed)

    @staticmethod
    def _failed_artifacts(db: sqlite3.Connection, run_id: str) -> int:
        row = db.execute(
            "SELECT COUNT(*) FROM artifacts WHERE run_id = ? AND status = ?",
            (run_id, ArtifactStatus.FAILED),
        ).fetchone()
        return int(row[0])

    @guarded
    def heartbeat(self, run_id: str, token: str) -> bool:
        """Refresh the owner's heartbeat; False when this owner no longer owns the run."""
        cursor = self._db.execute(
            "UPDATE runs SET heartbeat_at = ? WHERE run_id = ? AND owner_token = ?",
            (time.time(), run_id, token),
        )
        return cursor.rowcount == 1

    @guarded
    def finish_run(self, run_id: str, token: str, status: RunStatus, reason: str | None) -> None:
        """The run's final status; OwnershipLost when ``token`` no longer owns the run."""
        with self._owned(run_id, token) as db:
            db.execute(
                "UPDATE runs SET status = ?, reason = ?, completed_at = ?, owner_pid = NULL, "
                "owner_token = NULL WHERE run_id = ? AND owner_token = ?",
                (status, reason, now_iso(), run_id, token),
            )

    @guarded
    def run(self, run_id: str) -> RunRecord:
        return self._run(self._db, run_id)

    def _run(self, db: sqlite3.Connection, run_id: str) -> RunRecord:
        row = db.execute(
            "SELECT run_id, runbook_path, runbook_sha256, status, reason, started_at, "
            f"completed_at, owner_pid, owner_host, heartbeat_at, {self._executor} FROM runs "
            "WHERE run_id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            raise RunNotFound(f"unknown run id {run_id!r} (see `wct runs`)")
        return _run_record(row)

    @guarded
    def runs(self, status: RunStatus | None = None) -> list[RunRecord]:
        query = (
            "SELECT run_id, runbook_path, runbook_sha256, status, reason, started_at, "
            f"completed_at, owner_pid, owner_host, heartbeat_at, {self._executor} FROM runs"
        )
        rows = (
            self._db.execute(query + " WHERE status = ? ORDER BY started_at DESC", (status,))
            if status
            else self._db.execute(query + " ORDER BY started_at DESC")
        )
        return [_run_record(row) for row in rows]

    @guarded
    def latest_run(self, runbook_path: str) -> RunRecord | None:
        row = self._db.execute(
            "SELECT run_id FROM runs WHERE runbook_path = ? ORDER BY started_at DESC LIMIT 1",
            (runbook_path,),
        ).fetchone()
        return self.run(row[0]) if row else None

    @guarded
    def counts(self, run_id: str) -> Counts:
        counts = empty_counts()
        for status, count in self._db.execute(
            "SELECT status, COUNT(*) FROM artifacts WHERE run_id = ? GROUP BY status", (run_id,)
        ):
            key = ArtifactStatus.NOT_STARTED if status == ArtifactStatus.RUNNING else status
            counts[key] = counts.get(key, 0) + count
        return counts

    @guarded
    def plan_json(self, run_id: str) -> dict[str, Any]:
        row = self._db.execute("SELECT plan_json FROM plans WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            raise RunNotFound(f"unknown run id {run_id!r} (see `wct runs`)")
        loaded = json.loads(row[0])
        if not isinstance(loaded, dict):
            raise StoreError(
                f"the run store at {self.directory} holds a damaged plan for run {run_id} "
                "(not a JSON object): start a new run"
            )
        return loaded

    # -- artifacts ---------------------------------------------------------------------

    @guarded
    def artifacts(self, run_id: str) -> list[ArtifactRecord]:
        rows = self._db.execute(
            "SELECT artifact_id, status, started_at, finished_at, duration_seconds, error, "
            "origin, alias, warnings_json FROM artifacts WHERE run_id = ? ORDER BY position",
            (run_id,),
        )
        return [
            ArtifactRecord(
                artifact_id=row[0],
                status=_stored(ArtifactStatus, row[1], "an artifact status"),
                started_at=row[2],
                finished_at=row[3],
                duration_seconds=row[4],
                error=row[5],
                origin=row[6],
                alias=row[7],
                warnings=tuple(json.loads(row[8])),
            )
            for row in rows
        ]

    @guarded
    def record_step(
        self,
        run_id: str,
        token: str,
        finished: Sequence[FinishedArtifact],
        started: Sequence[str] = (),
        skipped: Sequence[tuple[str, str]] = (),
    ) -> None:
        """One transaction for one scheduling step: artifacts that finished (with their
        messages), artifacts that started, dependents skipped (id, why). Its cost depends on what
        changed, never on the size of the run. OwnershipLost when ``token`` no longer owns
        the run."""
        stamp = now_iso()
        with self._owned(run_id, token) as db:
            for item in finished:
                db.execute(
                    "UPDATE artifacts SET status = ?, started_at = ?, finished_at = ?, "
                    "duration_seconds = ?, error = ?, warnings_json = ? "
                    "WHERE run_id = ? AND artifact_id = ?",
                    (
                        item.status,
                        item.started_at or stamp,
                        stamp,
                        item.duration_seconds,
                        item.error,
                        json.dumps(list(item.warnings)),
                        run_id,
                        item.artifact_id,
                    ),
                )
                if item.message_json is not None:
                    db.execute(
                        "INSERT OR REPLACE INTO messages (run_id, artifact_id, message_json, "
                        "sensitive) VALUES (?, ?, ?, ?)",
                        (
                            run_id,
                            item.artifact_id,
                            None if item.sensitive else item.message_json,
                            int(item.sensitive),
                        ),
                    )
            if started:
                db.executemany(
                    "UPDATE artifacts SET status = ?, started_at = ?, finished_at = NULL, "
                    "error = NULL WHERE run_id = ? AND artifact_id = ?",
                    [(ArtifactStatus.RUNNING, stamp, run_id, artifact) for artifact in started],
                )
            if skipped:
                db.executemany(
                    "UPDATE artifacts SET status = ?, finished_at = ?, error = ? "
                    "WHERE run_id = ? AND artifact_id = ?",
                    [
                        (ArtifactStatus.SKIPPED, stamp, reason, run_id, artifact)
                        for artifact, reason in skipped
                    ],
                )

    @guarded
    def artifact_started(self, run_id: str, token: str, artifact_id: str) -> None:
        self.record_step(run_id, token, [], started=[artifact_id])

    @guarded
    def artifact_finished(
        self,
        run_id: str,
        token: str,
        artifact_id: str,
        status: ArtifactStatus,
        duration_seconds: float,
        error: str | None,
        warnings: Sequence[str],
        message: Message | None,
        sensitive: bool = False,
    ) -> None:
        """One artifact's outcome (and message), in one transaction."""
        text = json.dumps(message.to_json(), sort_keys=True) if message is not None else None
        self.record_step(
            run_id,
            token,
            [
                FinishedArtifact(
                    artifact_id, status, duration_seconds, error, tuple(warnings), text, sensitive
                )
            ],
        )

    @guarded
    def mark_artifacts(
        self, run_id: str, token: str, artifact_ids: Sequence[str], status: ArtifactStatus
    ) -> None:
        """Several artifacts at once (reset before a resume, or not run after a stop);
        OwnershipLost when ``token`` no longer owns the run."""
        if not artifact_ids:
            return
        with self._owned(run_id, token) as db:
            db.executemany(
                "UPDATE artifacts SET status = ?, finished_at = ? WHERE run_id = ? AND "
                "artifact_id = ?",
                [(status, now_iso(), run_id, artifact) for artifact in artifact_ids],
            )

    @guarded
    def stored_artifacts(self, run_id: str) -> set[str]:
        """Ids of the artifacts of a run that have a stored message (or a sensitive one)."""
        rows = self._db.execute("SELECT artifact_id FROM messages WHERE run_id = ?", (run_id,))
        return {artifact for (artifact,) in rows}

    @guarded
    def message(self, run_id: str, artifact_id: str) -> Message | None:
        """The stored message, or None (not produced, or sensitive and never written)."""
        row = self._db.execute(
            "SELECT message_json FROM messages WHERE run_id = ? AND artifact_id = ?",
            (run_id, artifact_id),
        ).fetchone()
        if row is None or row[0] is None:
            return None
        message = Message.from_json(json.loads(row[0]))
        if isinstance(message.content, dict):
            batches.with_items(message.content, self.path, run_id, artifact_id)
        return message

    # -- streamed outputs --------------------------------------------------------------

    @guarded
    def write_batch(
        self,
        run_id: str,
        token: str,
        artifact_id: str,
        position: int,
        items: list[Any],
        warnings: Sequence[str] = (),
    ) -> int:
        """One batch of an artifact's streamed output, in its own transaction (a
        checkpoint); returns the bytes stored. OwnershipLost when ``token`` no longer
        owns the run."""
        data = batches.encode(items)
        with self._owned(run_id, token) as db:
            db.execute(
                "INSERT OR REPLACE INTO batches (run_id, artifact_id, position, items, data, "
                "warnings_json) VALUES (?, ?, ?, ?, ?, ?)",
                (run_id, artifact_id, position, len(items), data, json.dumps(list(warnings))),
            )
        return len(data)

    @guarded
    def stored_stream(self, run_id: str, artifact_id: str) -> StoredStream:
        rows = self._db.execute(
            "SELECT position, items, warnings_json FROM batches WHERE run_id = ? AND "
            "artifact_id = ? ORDER BY position",
            (run_id, artifact_id),
        ).fetchall()
        last = None
        if rows:
            data = self._db.execute(
                "SELECT data FROM batches WHERE run_id = ? AND artifact_id = ? AND position = ?",
                (run_id, artifact_id, rows[-1][0]),
            ).fetchone()[0]
            found = batches.decode(data)
            last = found[-1] if found else None
        warnings = [warning for row in rows for warning in json.loads(row[2])]
        return StoredStream(
            frozenset(row[0] for row in rows), sum(row[1] for row in rows), last, tuple(warnings)
        )

    @guarded
    def drop_batches(self, run_id: str, token: str, artifact_ids: Sequence[str]) -> None:
        """Forget the stored batches of these artifacts (produced again from the start:
        what an earlier attempt stored came from inputs that are produced again)."""
        if not artifact_ids:
            return
        with self._owned(run_id, token) as db:
            db.executemany(
                "DELETE FROM batches WHERE run_id = ? AND artifact_id = ?",
                [(run_id, artifact) for artifact in artifact_ids],
            )

    @guarded
    def copy_batches(
        self, source_run: str, source_artifact: str, run_id: str, token: str, artifact_id: str
    ) -> None:
        """Reuse: another run's stored batches become this artifact's, without decoding."""
        with self._owned(run_id, token) as db:
            db.execute(
                "DELETE FROM batches WHERE run_id = ? AND artifact_id = ?", (run_id, artifact_id)
            )
            db.execute(
                "INSERT INTO batches (run_id, artifact_id, position, items, data, "
                "warnings_json) SELECT ?, ?, position, items, data, '[]' FROM batches "
                "WHERE run_id = ? AND artifact_id = ?",
                (run_id, artifact_id, source_run, source_artifact),
            )

    # -- batch jobs and results --------------------------------------------------------

    @guarded
    def add_batch_job(self, job: BatchJob) -> None:
        stamp = now_iso()
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO batch_jobs (key, run_id, artifact_id, provider, handler, "
                "job_id, status, error, submitted_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    job.key,
                    job.run_id,
                    job.artifact_id,
                    job.provider,
                    job.handler,
                    job.job_id,
                    job.status,
                    job.error,
                    stamp,
                    stamp,
                ),
            )

    @guarded
    def batch_jobs(self, run_id: str) -> list[BatchJob]:
        rows = self._db.execute(
            "SELECT key, run_id, artifact_id, provider, handler, job_id, status, error "
            "FROM batch_jobs WHERE run_id = ? ORDER BY submitted_at",
            (run_id,),
        )
        return [_batch_job(row) for row in rows]

    @guarded
    def batch_job(self, key: str) -> BatchJob | None:
        row = self._db.execute(
            "SELECT key, run_id, artifact_id, provider, handler, job_id, status, error "
            "FROM batch_jobs WHERE key = ?",
            (key,),
        ).fetchone()
        return _batch_job(row) if row else None

    @guarded
    def forget_batch_job(self, key: str) -> None:
        self._db.execute("DELETE FROM batch_jobs WHERE key = ?", (key,))

    @guarded
    def update_batch_job(self, key: str, status: JobState, error: str | None = None) -> None:
        self._db.execute(
            "UPDATE batch_jobs SET status = ?, error = ?, updated_at = ? WHERE key = ?",
            (status, error, now_iso(), key),
        )

    @guarded
    def store_result(self, key: str, result: Any) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO result_cache (key, result_json, stored_at) "
                "VALUES (?, ?, ?)",
                (key, json.dumps(result, sort_keys=True), now_iso()),
            )
            db.execute(
                "UPDATE batch_jobs SET status = ?, updated_at = ? WHERE key = ?",
                (JobState.COMPLETED, now_iso(), key),
            )

    @guarded
    def result(self, key: str) -> Any | None:
        row = self._db.execute(
            "SELECT result_json FROM result_cache WHERE key = ?", (key,)
        ).fetchone()
        return json.loads(row[0]) if row else None


def owner_alive(run: RunRecord) -> bool:
    """Is the process that owns a `running` run still there?"""
    if run.owner_pid is None:
        return False
    stale = run.heartbeat_at is None or time.time() - run.heartbeat_at > STALE_AFTER_SECONDS
    if run.owner_host == socket.gethostname():
        return process_alive(run.owner_pid) and not stale
    return not stale


def _batch_job(row: Sequence[Any]) -> BatchJob:
    key, run_id, artifact_id, provider, handler, job_id, state, error = row
    return BatchJob(
        key,
        run_id,
        artifact_id,
        provider,
        handler,
        job_id,
        _stored(JobState, state, "a job state"),
        error,
    )


def _idle_since(run: RunRecord) -> float:
    """Seconds since the run last worked: since it ended, else since its dead process's
    last heartbeat (0 when neither is known)."""
    if run.completed_at is not None:
        ended = datetime.fromisoformat(run.completed_at).timestamp()
    elif run.heartbeat_at is not None:
        ended = run.heartbeat_at
    else:
        return 0.0
    return max(0.0, time.time() - ended)


def _run_record(row: Sequence[Any]) -> RunRecord:
    return RunRecord(row[0], row[1], row[2], _stored(RunStatus, row[3], "a run status"), *row[4:])


_Status = TypeVar("_Status", bound=StrEnum)


def _stored(kind: type[_Status], text: str, what: str) -> _Status:
    """A status read from the store (one a later wct wrote may be unknown here)."""
    try:
        return kind(text)
    except ValueError:
        raise StoreError(f"the run store holds {what} this wct does not know: {text!r}") from None


@functools.cache
def _expected_tables(version: int = SCHEMA_VERSION) -> dict[str, frozenset[str]]:
    """Each table of the schema ``version`` with its columns (made once, in memory)."""
    db = sqlite3.connect(":memory:")
    try:
        for _number, script in MIGRATIONS[:version]:
            for statement in _statements(script):
                db.execute(statement)
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            table: frozenset(row[1] for row in db.execute(f"PRAGMA table_info({table})"))
            for table in tables
        }
    finally:
        db.close()


def _statements(script: str) -> list[str]:
    return [statement.strip() for statement in script.split(";") if statement.strip()]
