"""Unused artifacts (WCT090, a hint): neither `output: true` nor an input of another."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from waivern_orchestration.analysis.facts import ArtifactInfo, Reference
from waivern_orchestration.analysis.scope import RunbookScope


def check_unused(scope: RunbookScope, references: tuple[Reference, ...]) -> Counter[str] | None:
    """How many references each artifact has (None when none is checked: one of them
    could not be read)."""
    artifacts = scope.artifacts.values()
    if any(info.broken for info in artifacts):
        return None  # what the unreadable artifact uses is unknown: no guesses
    uses = uses_of(scope, references)
    for info in artifacts:
        check_used(scope, info, uses)
    return uses


def uses_of(scope: RunbookScope, references: Iterable[Reference]) -> Counter[str]:
    """The references to each artifact (by the artifact producing what they name)."""
    producers = (scope.producer(reference.name) for reference in references)
    return Counter(producer for producer in producers if producer is not None)


def check_used(scope: RunbookScope, info: ArtifactInfo, uses: Counter[str]) -> None:
    if info.output or uses[info.id]:
        return
    scope.report(
        "WCT090",
        info.key_range,
        f"artifact `{info.id}` is neither `output: true` nor used by another "
        "artifact: mark it as an output or remove it",
    )
