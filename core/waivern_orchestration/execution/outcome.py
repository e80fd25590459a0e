"""How a run ended: its final status, why, and its counts. A run stopped early carries
a `StopReason` (a time limit, a signal, another process taking the run over, the
cluster running its batches gone), a type the
outcome is decided on; its text is only what people read."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from waivern_orchestration.store.statuses import ArtifactStatus, Counts, RunStatus


class StopKind(Enum):
    TIMED_OUT = "timed_out"  # `config.timeout` passed: the run failed
    SIGNALLED = "signalled"  # SIGINT, SIGTERM: interrupted, resumable
    TAKEN_OVER = "taken_over"  # another process claimed the run (this one looked dead)
    EXECUTOR_LOST = "executor_lost"  # the cluster running the batches is gone: resumable


@dataclass(frozen=True, slots=True)
class StopReason:
    kind: StopKind
    message: str

    @classmethod
    def timed_out(cls, seconds: float) -> StopReason:
        return cls(StopKind.TIMED_OUT, f"timed out after {seconds} s (config.timeout)")

    @classmethod
    def signalled(cls, signal_name: str) -> StopReason:
        return cls(StopKind.SIGNALLED, f"interrupted by {signal_name}")

    @classmethod
    def taken_over(cls) -> StopReason:
        return cls(StopKind.TAKEN_OVER, "another process took over this run")

    @classmethod
    def executor_lost(cls, why: str) -> StopReason:
        return cls(StopKind.EXECUTOR_LOST, f"{why}: resume it (on a new cluster, or locally)")


@dataclass(frozen=True)
class RunOutcome:
    run_id: str
    status: RunStatus
    reason: str | None
    counts: Counts


def decide_outcome(
    run_id: str, counts: Counts, failed_required: bool, stop: StopReason | None
) -> tuple[RunStatus, str | None]:
    """The run's status and the reason shown with it, from what became of its artifacts."""
    if stop is not None and stop.kind is StopKind.TIMED_OUT:
        return RunStatus.FAILED, stop.message
    if failed_required:
        return RunStatus.FAILED, f"{counts[ArtifactStatus.FAILED]} artifact(s) failed"
    if stop is not None:
        return RunStatus.INTERRUPTED, stop.message
    if counts[ArtifactStatus.PENDING]:
        return RunStatus.INTERRUPTED, (
            f"{counts[ArtifactStatus.PENDING]} artifact(s) wait for batch results: `wct poll "
            f"{run_id}`, then resume"
        )
    if counts[ArtifactStatus.NOT_STARTED]:
        return RunStatus.INTERRUPTED, (
            f"{counts[ArtifactStatus.NOT_STARTED]} artifact(s) did not run"
        )
    if counts[ArtifactStatus.FAILED]:  # (no required one: those fail the run above)
        return RunStatus.PARTIAL, partial_reason(
            counts[ArtifactStatus.FAILED], counts[ArtifactStatus.SKIPPED]
        )
    return RunStatus.COMPLETED, None


def partial_reason(failed: int, skipped: int) -> str:
    """Why a run is `partial`: "1 optional artifact failed (2 dependents skipped); --resume
    retries them"."""
    text = f"{failed} optional artifact{'s' if failed != 1 else ''} failed"
    if skipped:
        text += f" ({skipped} dependent{'s' if skipped != 1 else ''} skipped)"
    what = "it" if failed == 1 and not skipped else "them"
    return f"{text}; --resume retries {what}"
