"""Unused artifacts (WCT090, a hint): neither `output: true` nor an input of another."""

from __future__ import annotations

from waivern_orchestration.analysis.facts import Reference
from waivern_orchestration.analysis.scope import RunbookScope


def check_unused(scope: RunbookScope, references: tuple[Reference, ...]) -> None:
    artifacts = scope.artifacts.values()
    if any(info.broken for info in artifacts):
        return  # what the unreadable artifact uses is unknown: no guesses
    used = {scope.producer(reference.name) for reference in references}
    for info in artifacts:
        if info.output or info.id in used:
            continue
        scope.report(
            "WCT090",
            info.key_range,
            f"artifact `{info.id}` is neither `output: true` nor used by another "
            "artifact: mark it as an output or remove it",
        )
