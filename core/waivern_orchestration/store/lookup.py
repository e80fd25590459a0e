"""Read-only answers about the run store for the analysis (WCT060)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from waivern_orchestration.store.run_store import RunRecord, RunStore, StoreError


class StoreLookup:
    """Read-only answers for the analyser (WCT060): which runs exist, which artifacts
    (ids and aliases) each has. Opens the store lazily, caches per instance; a missing
    or unreadable store simply knows no runs."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._store: RunStore | None = None
        self._opened = False
        self._artifacts: dict[str, set[str] | None] = {}

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
            except (StoreError, sqlite3.Error):
                self._store = None
        return self._store

    def _load(self, run_id: str) -> set[str] | None:
        store = self._open()
        if store is None:
            return None
        try:
            plan = store.plan_json(run_id)
        except (StoreError, sqlite3.Error):
            return None
        produced = store.stored_artifacts(run_id)
        aliases = {name for name, target in plan.get("aliases", {}).items() if target in produced}
        return produced | aliases
