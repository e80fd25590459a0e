"""A runbook's diagnostics in order, made from the previous analysis' sorted list when an
edit changed a few regions of it: the rest is copied as it was (sorting tens of thousands
of diagnostics again after every keystroke costs more than all the checks of an edit)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from waivern_orchestration.diagnostics import Diagnostic, in_file_key, sort_diagnostics
from waivern_orchestration.parse.positions import Position


@dataclass(frozen=True)
class Region:
    """Lines of the text whose diagnostics changed: from ``start`` up to ``end``."""

    start: Position
    end: Position
    # The previous diagnostics there that no longer hold (by `id`); None: all of them.
    dropped: frozenset[int] | None
    added: Sequence[Diagnostic]


def spliced(previous: Sequence[Diagnostic], regions: Sequence[Region]) -> list[Diagnostic] | None:
    """``previous`` (sorted, of one file) with each region's diagnostics replaced; None
    when a region's new diagnostics do not fit between its neighbours (sort them all)."""
    result: list[Diagnostic] = []
    seams: list[int] = []  # where a region's diagnostics meet the ones before and after
    at = 0
    for region in sorted(regions, key=lambda region: region.start):
        first = bisect_left(previous, region.start, at, key=_start)
        last = bisect_left(previous, region.end, first, key=_start)
        if first < at:
            return None  # regions overlap
        result.extend(previous[at:first])
        seams.append(len(result))
        inside = (
            []
            if region.dropped is None
            else [d for d in previous[first:last] if id(d) not in region.dropped]
        )
        inside.extend(region.added)
        sort_diagnostics(inside)
        result.extend(inside)
        seams.append(len(result))
        at = last
    result.extend(previous[at:])
    for seam in seams:
        if 0 < seam < len(result) and in_file_key(result[seam]) < in_file_key(result[seam - 1]):
            return None
    return result


def _start(diagnostic: Diagnostic) -> Position:
    return diagnostic.range.start
