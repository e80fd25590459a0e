"""How runs are put into words, the same in hover, code lenses and completion: a duration
("250 ms", "4.50 s", "2 min 5 s", "1 h 2 min") and an artifact status as a person reads
it ("not started" for `not_started`)."""

from __future__ import annotations

from waivern_orchestration.store.statuses import ArtifactStatus


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms" if seconds >= 0.001 else "< 1 ms"
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def status_words(status: ArtifactStatus | str) -> str:
    """The status as words (the stored value, `_` read as a space)."""
    return str(status).replace("_", " ")


_DID = {
    ArtifactStatus.COMPLETED: "completed",
    ArtifactStatus.FAILED: "failed",
    ArtifactStatus.SKIPPED: "was skipped",
    ArtifactStatus.NOT_STARTED: "was not started",
    ArtifactStatus.PENDING: "was waiting for batch results",
    ArtifactStatus.RUNNING: "was running",
}


def what_it_did(status: ArtifactStatus | str) -> str:
    """For "`files` … in that run": "completed", "failed", "was not started", …"""
    try:
        return _DID[ArtifactStatus(status)]
    except ValueError:  # a status of a later version
        return f"was {status_words(status)}"
