"""Unused artifacts (WCT090, a hint): neither `output: true` nor an input of another."""

from __future__ import annotations

from waivern_orchestration.analysis.facts import ArtifactInfo, Reference
from waivern_orchestration.analysis.scope import RunbookScope


def check_unused(scope: RunbookScope, references: tuple[Reference, ...]) -> frozenset[str] | None:
    """The artifacts something uses (None when none is checked: one of them could not be
    read)."""
    artifacts = scope.artifacts.values()
    if any(info.broken for info in artifacts):
        return None  # what the unreadable artifact uses is unknown: no guesses
    producers = (scope.producer(reference.name) for reference in references)
    used = frozenset(producer for producer in producers if producer is not None)
    for info in artifacts:
        check_used(scope, info, used)
    return used


def check_used(scope: RunbookScope, info: ArtifactInfo, used: frozenset[str]) -> None:
    if info.output or info.id in used:
        return
    scope.report(
        "WCT090",
        info.key_range,
        f"artifact `{info.id}` is neither `output: true` nor used by another "
        "artifact: mark it as an output or remove it",
    )
