"""Progress within an artifact: items, files and bytes done (and the totals when known),
counted by the component's thread and read by the run's loop, which turns them into
`ArtifactProgress` events with rates and an ETA."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ProgressSnapshot:
    items: int
    files: int
    bytes: int
    total_items: int | None
    total_files: int | None
    total_bytes: int | None
    elapsed: float  # seconds since the artifact started

    def rate(self, done: int) -> float:
        return done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left at the rate so far, from the measure whose total is known (bytes
        first: files differ in size)."""
        for done, total in (
            (self.bytes, self.total_bytes),
            (self.files, self.total_files),
            (self.items, self.total_items),
        ):
            if total and done and self.elapsed > 0:
                return max(total - done, 0) * self.elapsed / done
        return None


@dataclass
class ProgressCounts:
    """Counters one thread adds to and another reads (under a lock)."""

    items: int = 0
    files: int = 0
    bytes: int = 0
    total_items: int | None = None
    total_files: int | None = None
    total_bytes: int | None = None
    started: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _seen: tuple[int, int, int] = (0, 0, 0)

    def add(self, *, items: int = 0, files: int = 0, bytes: int = 0) -> None:
        with self._lock:
            self.items += items
            self.files += files
            self.bytes += bytes

    def already_done(self, items: int) -> None:
        """Items an earlier attempt did (a resume skips them): they leave the total, so the
        rate and the time left are this attempt's."""
        with self._lock:
            if self.total_items is not None:
                self.total_items = max(self.total_items - items, 0)

    def expect(
        self, *, items: int | None = None, files: int | None = None, bytes: int | None = None
    ) -> None:
        with self._lock:
            if items is not None:
                self.total_items = items
            if files is not None:
                self.total_files = files
            if bytes is not None:
                self.total_bytes = bytes

    def changed(self) -> ProgressSnapshot | None:
        """A snapshot when something moved since the last one asked for, else None."""
        with self._lock:
            now = (self.items, self.files, self.bytes)
            if now == self._seen:
                return None
            self._seen = now
            return ProgressSnapshot(
                self.items,
                self.files,
                self.bytes,
                self.total_items,
                self.total_files,
                self.total_bytes,
                time.monotonic() - self.started,
            )
