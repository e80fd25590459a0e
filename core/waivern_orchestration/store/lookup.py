"""Read-only answers about the run store for the analysis (WCT060)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from waivern_orchestration.store.run_store import (
    STORE_FILE,
    RunNotFound,
    RunRecord,
    RunStore,
    StoreError,
)


class StoreLookup:
    """Read-only answers for the analyser (WCT060): which runs exist, which artifacts
    (ids and aliases) each has. Opens the store lazily, caches per instance; a missing
    store knows no runs, an unreadable one says why (`problem`)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._store: RunStore | None = None
        self._opened = False
        self._artifacts: dict[str, set[str] | None] = {}
        # Why the store could not be read, when it exists but cannot be (damaged, busy).
        self.problem: str | None = None

    def available(self) -> bool:
        return self._open() is not None

    def run_artifacts(self, run_id: str) -> set[str] | None:
        """Artifact ids and aliases of a run with a stored output, or None when the run is
        not in the store."""
        if run_id not in self._artifacts:
            self._artifacts[run_id] = self._load(run_id)
        return self._artifacts[run_id]

    def runs(self) -> list[RunRecord]:
        store = self._open()
        return store.runs() if store is not None else []

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def _open(self) -> RunStore | None:
        if not self._opened:
            self._opened = True
            try:
                # analysis waits for no writer: a busy store knows no runs this time
                self._store = RunStore(self.directory, read_only=True, wait_seconds=1)
            except (StoreError, sqlite3.Error) as error:
                self._store = None
                if (self.directory / STORE_FILE).exists():
                    self.problem = str(error)
        return self._store

    def _load(self, run_id: str) -> set[str] | None:
        store = self._open()
        if store is None:
            return None
        try:
            plan = store.plan_json(run_id)
            produced = store.stored_artifacts(run_id)
        except RunNotFound:
            return None
        except (StoreError, sqlite3.Error) as error:
            self.problem = str(error)
            return None
        aliases = {name for name, target in plan.get("aliases", {}).items() if target in produced}
        return produced | aliases
