"""What a run tells whoever watches it, as it goes: the progress bar of `wct run`, the
JSON lines of `wct run --events` (DESIGN.md §4.2) and the language server reading them.

One dataclass per event; `to_json` gives the `--events` line (`"event"`, `"run_id"`, the
event's fields) and `event_from_json` reads one back (None for a line of another kind, so
that a reader keeps working when later versions add events).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

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

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.kind,
            "run_id": self.run_id,
            "artifact": self.artifact,
            "status": self.status.value,
            "duration_seconds": round(self.duration_seconds, 6),
            "error": self.error,
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


RunEvent = RunStarted | ArtifactStarted | ArtifactFinished | RunFinished


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
