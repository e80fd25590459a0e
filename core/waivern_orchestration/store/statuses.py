"""Run and artifact statuses. Their values are what the store holds and what `wct`
prints and emits (DESIGN.md §4.6): a contract, never renamed."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class RunStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    # Every required artifact completed, at least one `optional` one failed (its dependents
    # skipped): the required work is done, and `--resume` retries what failed.
    PARTIAL = "partial"


# The runs `wct run --resume` continues (a `running` one only once its process is gone).
RESUMABLE = frozenset({RunStatus.FAILED, RunStatus.INTERRUPTED, RunStatus.PARTIAL})
# The runs whose required artifacts all completed: `wct run` exits 0.
REQUIRED_DONE = frozenset({RunStatus.COMPLETED, RunStatus.PARTIAL})


def resumable(status: RunStatus, failed_artifacts: int) -> bool:
    """Can `--resume` continue a run that stopped with this status and this many failed
    artifacts? A `completed` run with failed artifacts is one whose only failures were
    optional, as a wct from before `partial` recorded it: resumable too."""
    return status in RESUMABLE or (status is RunStatus.COMPLETED and failed_artifacts > 0)


class ArtifactStatus(StrEnum):
    NOT_STARTED = "not_started"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    SKIPPED = "skipped"
    PENDING = "pending"


# The statuses a run's counts are kept under (a `running` artifact counts as not started:
# whoever reads the counts sees a run that has stopped, or will).
COUNTED = (
    ArtifactStatus.COMPLETED,
    ArtifactStatus.FAILED,
    ArtifactStatus.SKIPPED,
    ArtifactStatus.PENDING,
    ArtifactStatus.NOT_STARTED,
)

Counts = dict[str, int]  # by the values of COUNTED


def empty_counts() -> Counts:
    return {status.value: 0 for status in COUNTED}


class JobState(StrEnum):
    """A batch job's state, as its provider reports it and the store keeps it."""

    SUBMITTED = "submitted"  # still being worked on
    COMPLETED = "completed"
    FAILED = "failed"


# A warning that says a limit the runbook set cut an output short (`max_files`, ...): the
# run table, the events, hover and code lenses show these apart from other warnings.
LIMIT_PREFIX = "limit reached: "


def limits_of(warnings: Sequence[str]) -> tuple[str, ...]:
    """The limits reached, from an artifact's warnings (without the prefix)."""
    return tuple(w.removeprefix(LIMIT_PREFIX) for w in warnings if w.startswith(LIMIT_PREFIX))
