"""Unused artifacts (WCT090, a hint): neither `output: true` nor an input of another
(nor named by the runbook's `outputs`)."""

from __future__ import annotations

from collections import Counter
from itertools import chain

from waivern_orchestration.analysis.facts import ArtifactInfo
from waivern_orchestration.analysis.scope import RunbookScope


def check_unused(
    scope: RunbookScope, dependencies: dict[str, tuple[str, ...]]
) -> Counter[str] | None:
    """How many artifacts (and outputs) use each artifact (None when none is checked: one
    of them could not be read)."""
    artifacts = scope.artifacts.values()
    if any(info.broken for info in artifacts):
        return None  # what the unreadable artifact uses is unknown: no guesses
    uses = Counter(chain.from_iterable(dependencies.values()))
    for output in scope.header.outputs.values():
        producer = scope.producer(output.artifact.name) if output.artifact else None
        if producer is not None:
            uses[producer] += 1
    for info in artifacts:
        if not info.output and not uses.get(info.id):
            report_unused(scope, info)
    return uses


def check_used(scope: RunbookScope, info: ArtifactInfo, uses: Counter[str]) -> None:
    if not info.output and not uses.get(info.id):
        report_unused(scope, info)


def report_unused(scope: RunbookScope, info: ArtifactInfo) -> None:
    scope.report(
        "WCT090",
        info.key_range,
        f"artifact `{info.id}` is neither `output: true` nor used by another "
        "artifact: mark it as an output or remove it",
    )
