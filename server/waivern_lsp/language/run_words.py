"""How runs are put into words, the same in hover, code lenses and completion: a duration
("250 ms", "4.50 s", "2 min 5 s", "1 h 2 min") and an artifact status as a person reads
it ("not started" for `not_started`). The VS Code extension's views say the same
(run_text.ts: `formatSeconds`, `relativeTime`): halves round up in both, as JavaScript's
`Math.round` does (Python's `round` would take 2.5 to 2)."""

from __future__ import annotations

import math
from datetime import datetime

from waivern_orchestration.store.statuses import ArtifactStatus


def moment_words(moment: datetime) -> str:
    """ "2026-12-06 14:05:09": a moment in local time, in ISO order whatever the locale (the
    extension's `localMoment` writes the same)."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def nearest(value: float) -> int:
    """The nearest whole number, halves up (as `Math.round` in the extension)."""
    return math.floor(value + 0.5)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 1:
        return f"{nearest(seconds * 1000)} ms" if seconds >= 0.001 else "< 1 ms"
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(nearest(seconds), 60)
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
