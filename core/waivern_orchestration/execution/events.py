"""What a run tells whoever watches it, as it goes: the progress bar of `wct run`, the
JSON lines of `wct run --events` (DESIGN.md §4.2) and the language server reading them.

One dataclass per event; `to_json` gives the `--events` line (`"event"`, `"run_id"`, the
event's fields) and `event_from_json` reads one back (None for a line of another kind, so
that a reader keeps working when later versions add events).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from waivern_orchestration.execution.progress import ProgressSnapshot
from waivern_orchestration.store.statuses import ArtifactStatus, Counts, RunStatus


@dataclass(frozen=True, slots=True)
class RunStarted:
    kind: ClassVar[str] = "run_started"
    run_id: str
    total: int
    already_completed: int  # completed by earlier attempts (a resume)

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.kind,
            "run_id": self.run_id,
            "total": self.total,
            "already_completed": self.already_completed,
        }


@dataclass(frozen=True, slots=True)
class ArtifactStarted:
    kind: ClassVar[str] = "artifact_started"
    run_id: str
    artifact: str

    def to_json(self) -> dict[str, Any]:
        return {"event": self.kind, "run_id": self.run_id, "artifact": self.artifact}


@dataclass(frozen=True, slots=True)
class ArtifactFinished:
    kind: ClassVar[str] = "artifact_finished"
    run_id: str
    artifact: str
    status: ArtifactStatus  # completed, failed, skipped or pending
    duration_seconds: float
    error: str | None
    warnings: int = 0
    limits: tuple[str, ...] = ()  # limits the runbook set that cut the output short

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.kind,
            "run_id": self.run_id,
            "artifact": self.artifact,
            "status": self.status.value,
            "duration_seconds": round(self.duration_seconds, 6),
            "error": self.error,
            "warnings": self.warnings,
            "limits": list(self.limits),
        }


@dataclass(frozen=True, slots=True)
class ArtifactProgress:
    """How far a running artifact has got (sent at most twice a second, when it moved):
    items produced, files and bytes read, the totals when known, rates since the artifact
    started and the seconds left at that rate."""

    kind: ClassVar[str] = "artifact_progress"
    run_id: str
    artifact: str
    items: int
    files: int
    bytes: int
    total_items: int | None
    total_files: int | None
    total_bytes: int | None
    elapsed_seconds: float
    eta_seconds: float | None

    @classmethod
    def of(cls, run_id: str, artifact: str, snapshot: ProgressSnapshot) -> ArtifactProgress:
        return cls(
            run_id,
            artifact,
            snapshot.items,
            snapshot.files,
            snapshot.bytes,
            snapshot.total_items,
            snapshot.total_files,
            snapshot.total_bytes,
            snapshot.elapsed,
            snapshot.eta_seconds,
        )

    def rate(self, done: int) -> float:
        return done / self.elapsed_seconds if self.elapsed_seconds > 0 else 0.0

    def words(self) -> str:
        """As people read it: "1,200/5,000 files · 310/900 MB · 41.3 MB/s · 1 min 5 s left"
        (what is known of it)."""
        parts: list[str] = []
        if self.files or self.total_files:
            parts.append(_counted(self.files, self.total_files, "files"))
        if self.bytes or self.total_bytes:
            mb, total = self.bytes / 1e6, self.total_bytes
            parts.append(f"{mb:,.0f}/{total / 1e6:,.0f} MB" if total else f"{mb:,.0f} MB")
            parts.append(f"{self.rate(self.bytes) / 1e6:,.1f} MB/s")
        if self.items or self.total_items:
            parts.append(_counted(self.items, self.total_items, "items"))
            parts.append(f"{self.rate(self.items):,.0f} items/s")
        if self.eta_seconds is not None:
            parts.append(f"{_seconds(self.eta_seconds)} left")
        return " · ".join(parts)

    def to_json(self) -> dict[str, Any]:
        eta = self.eta_seconds
        return {
            "event": self.kind,
            "run_id": self.run_id,
            "artifact": self.artifact,
            "items": self.items,
            "files": self.files,
            "bytes": self.bytes,
            "total_items": self.total_items,
            "total_files": self.total_files,
            "total_bytes": self.total_bytes,
            "elapsed_seconds": round(self.elapsed_seconds, 3),
            "items_per_second": round(self.rate(self.items), 1),
            "files_per_second": round(self.rate(self.files), 1),
            "bytes_per_second": round(self.rate(self.bytes)),
            "eta_seconds": round(eta, 1) if eta is not None else None,
        }


@dataclass(frozen=True, slots=True)
class RunFinished:
    kind: ClassVar[str] = "run_finished"
    run_id: str
    status: RunStatus
    counts: Counts
    reason: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.kind,
            "run_id": self.run_id,
            "status": self.status.value,
            "counts": dict(self.counts),
            "reason": self.reason,
        }


RunEvent = RunStarted | ArtifactStarted | ArtifactProgress | ArtifactFinished | RunFinished


class EventSink(Protocol):
    """Who hears about a run as it goes."""

    def emit(self, event: RunEvent) -> None: ...


class SilentSink:
    def emit(self, event: RunEvent) -> None:
        pass


def event_from_json(data: object) -> RunEvent | None:
    """An event read back from a `wct run --events` line (parsed JSON); None when it is
    not an event this version knows, or not well formed."""
    if not isinstance(data, dict):
        return None
    try:
        kind, run_id = data["event"], str(data["run_id"])
        if kind == RunStarted.kind:
            return RunStarted(run_id, int(data["total"]), int(data.get("already_completed", 0)))
        if kind == ArtifactStarted.kind:
            return ArtifactStarted(run_id, str(data["artifact"]))
        if kind == ArtifactFinished.kind:
            error = data.get("error")
            return ArtifactFinished(
                run_id,
                str(data["artifact"]),
                ArtifactStatus(data["status"]),
                float(data.get("duration_seconds") or 0.0),
                str(error) if error is not None else None,
                int(data.get("warnings") or 0),
                tuple(str(limit) for limit in data.get("limits") or ()),
            )
        if kind == ArtifactProgress.kind:
            return ArtifactProgress(
                run_id,
                str(data["artifact"]),
                int(data.get("items") or 0),
                int(data.get("files") or 0),
                int(data.get("bytes") or 0),
                _optional_int(data.get("total_items")),
                _optional_int(data.get("total_files")),
                _optional_int(data.get("total_bytes")),
                float(data.get("elapsed_seconds") or 0.0),
                _optional_float(data.get("eta_seconds")),
            )
        if kind == RunFinished.kind:
            counts = data.get("counts") or {}
            reason = data.get("reason")
            return RunFinished(
                run_id,
                RunStatus(data["status"]),
                {str(key): int(value) for key, value in counts.items()},
                str(reason) if reason is not None else None,
            )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return None


def _optional_int(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _optional_float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _counted(done: int, total: int | None, what: str) -> str:
    return f"{done:,}/{total:,} {what}" if total else f"{done:,} {what}"


def _seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"
