"""The cap on the diagnostics one file publishes: at most `maxDiagnostics` (1,000 unless
set) are listed, the most severe first, and one summary says how many more problems there
are and of which codes. No editor has to lay out 25,000 problems of one file while its
user types (Neovim spends over a second on that many), and the errors survive the cap.

The analysis already lists at most 100 diagnostics of one code per file and counts the
rest in one diagnostic of that code (`waivern_orchestration.diagnostics.capped`); this cap
counts the problems such a diagnostic stands for when it is left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from waivern_orchestration.diagnostics import Diagnostic, Severity

DEFAULT_MAX_DIAGNOSTICS = 1_000

_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFORMATION: 2, Severity.HINT: 3}


@dataclass(frozen=True)
class Unlisted:
    """The problems left out by the cap."""

    problems: int
    by_code: tuple[tuple[str, int], ...]  # most first, then by code
    severity: Severity  # the most severe of them
    first: Diagnostic  # the first left out, by position: where the summary stands
    limit: int

    @property
    def message(self) -> str:
        codes = ", ".join(f"{code} \u00d7{count:,}" for code, count in self.by_code)
        return (
            f"… and {self.problems:,} more {'problem' if self.problems == 1 else 'problems'}, "
            f"not listed: {codes} "
            f"(at most {self.limit:,} diagnostics are listed per file, errors first: "
            "the `maxDiagnostics` setting)"
        )


def capped_for_editor(
    diagnostics: Sequence[Diagnostic], limit: int = DEFAULT_MAX_DIAGNOSTICS
) -> tuple[list[Diagnostic], Unlisted | None]:
    """The ``limit`` most severe diagnostics (the earlier first among equals), in the
    order given, and what was left out (None when nothing was)."""
    if len(diagnostics) <= limit:
        return list(diagnostics), None
    order = sorted(range(len(diagnostics)), key=lambda index: _RANK[diagnostics[index].severity])
    kept = sorted(order[:limit])
    left_out = sorted(order[limit:])
    counts: Counter[str] = Counter()
    for index in left_out:
        diagnostic = diagnostics[index]
        counts[diagnostic.code] += diagnostic.problems
    by_code = tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    unlisted = Unlisted(
        problems=sum(counts.values()),
        by_code=by_code,
        severity=min((diagnostics[index].severity for index in left_out), key=_RANK.__getitem__),
        first=diagnostics[left_out[0]],
        limit=limit,
    )
    return [diagnostics[index] for index in kept], unlisted
