"""Diagnostics: every problem the analyser finds, with its stable code, file and range.

The codes are a public contract (DESIGN.md §4.1): new ones may be added, none renumbered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import partial
from itertools import compress, repeat
from operator import attrgetter, is_, not_
from pathlib import Path
from typing import Any

from waivern_orchestration.parse.positions import Range


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFORMATION = "information"
    HINT = "hint"


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    severity: Severity
    title: str


_CODES = (
    Code(
        "WCT001",
        Severity.ERROR,
        "YAML syntax error, refused input, or a root that is not a mapping",
    ),
    Code(
        "WCT002", Severity.ERROR, "Structure: unknown field, wrong type or missing required field"
    ),
    Code("WCT003", Severity.ERROR, "Duplicate key"),
    Code("WCT004", Severity.ERROR, "Production method: exactly one of source, inputs, reuse"),
    Code("WCT010", Severity.ERROR, "Unknown artifact"),
    Code("WCT011", Severity.ERROR, "Dependency cycle"),
    Code("WCT012", Severity.ERROR, "The same input listed twice"),
    Code("WCT020", Severity.ERROR, "Unknown connector type"),
    Code("WCT021", Severity.ERROR, "Unknown processor type"),
    Code("WCT022", Severity.ERROR, "Component properties invalid"),
    Code("WCT030", Severity.ERROR, "Schema incompatibility"),
    Code("WCT031", Severity.ERROR, "reuse without output_schema"),
    Code("WCT040", Severity.ERROR, "Child runbook path not allowed"),
    Code("WCT041", Severity.ERROR, "Child runbook not found"),
    Code("WCT042", Severity.ERROR, "Circular child runbook reference"),
    Code("WCT043", Severity.ERROR, "Required child input not mapped"),
    Code("WCT044", Severity.ERROR, "input_mapping key the child does not declare"),
    Code("WCT045", Severity.ERROR, "Child output not declared, or output/output_mapping misuse"),
    Code("WCT046", Severity.ERROR, "Problem inside a child runbook"),
    Code("WCT047", Severity.ERROR, "Runbook inputs/outputs misuse"),
    Code("WCT048", Severity.ERROR, "Child runbooks nested deeper than config.max_child_depth"),
    Code("WCT049", Severity.ERROR, "input_mapping value not among the artifact's inputs"),
    Code("WCT050", Severity.WARNING, "Environment variable not set and no default"),
    Code("WCT060", Severity.WARNING, "Reused run or artifact not found in the run store"),
    # Not from the analysis: the language server shows a run's failures on their artifacts.
    Code("WCT070", Severity.WARNING, "Artifact failed in the latest run"),
    Code("WCT090", Severity.HINT, "Artifact is neither an output nor used"),
)

CODES: dict[str, Code] = {code.code: code for code in _CODES}


@dataclass(frozen=True, slots=True)
class RelatedInformation:
    file: Path
    range: Range
    message: str

    def shifted(self, lines: int) -> RelatedInformation:
        return RelatedInformation(self.file, self.range.shifted(lines), self.message)

    def to_json(self) -> dict[str, Any]:
        return {"file": str(self.file), "range": self.range.to_json(), "message": self.message}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    file: Path
    range: Range
    code: str
    message: str
    severity: Severity = field(default=Severity.ERROR)
    related: tuple[RelatedInformation, ...] = ()
    # The problems this one stands for when they are counted, not listed ("… and 9,900
    # more"); 0 for a problem of its own.
    unlisted: int = 0

    @classmethod
    def of(
        cls,
        code: str,
        file: Path,
        range_: Range,
        message: str,
        related: tuple[RelatedInformation, ...] = (),
    ) -> Diagnostic:
        """A diagnostic whose severity is the one its code is registered with."""
        return cls(file, range_, code, message, CODES[code].severity, related)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def shifted(self, lines: int) -> Diagnostic:
        if not lines:
            return self
        return Diagnostic(
            self.file,
            self.range.shifted(lines),
            self.code,
            self.message,
            self.severity,
            tuple(info.shifted(lines) if info.file == self.file else info for info in self.related),
            self.unlisted,
        )

    def sort_key(self) -> tuple[str, int, int, str, str]:
        start = self.range.start
        return (str(self.file), start.line, start.character, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "range": self.range.to_json(),
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "related": [info.to_json() for info in self.related],
            **({"unlisted": self.unlisted} if self.unlisted else {}),
        }

    @property
    def problems(self) -> int:
        """How many problems it reports: itself, or the ones it counts."""
        return self.unlisted or 1

    def to_text(self) -> str:
        """Compiler style: ``file:line:col: severity CODE message`` with 1-based line/col."""
        start = self.range.start
        return (
            f"{self.file}:{start.line + 1}:{start.character + 1}: "
            f"{self.severity.value} {self.code} {self.message}"
        )


class Reporter:
    """Collects the diagnostics a check finds in one file."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.diagnostics: list[Diagnostic] = []

    def __call__(
        self,
        code: str,
        range_: Range,
        message: str,
        related: tuple[RelatedInformation, ...] = (),
    ) -> None:
        self.diagnostics.append(Diagnostic.of(code, self.file, range_, message, related))


# More than this many diagnostics of one code in one file say nothing more than the first
# ones do (a 10,000-artifact cycle, 200,000 unknown keys), and listing them all costs the
# editor and the terminal seconds: the rest are counted in one last diagnostic.
MAX_PER_CODE = 100


class Remade:
    """Diagnostics made from another one (a summary of the ones past it, one with a
    suggestion added) kept from one analysis of a file to the next: the same source, the
    same object, so that an editor finds the diagnostics an edit did not change by
    identity, without comparing them. Only what the last analysis made is kept."""

    def __init__(self, before: Remade | None = None) -> None:
        self._before = before._made if before is not None else {}
        self._made: dict[tuple[int, str], tuple[Diagnostic, object, Diagnostic]] = {}

    def of(
        self,
        source: Diagnostic,
        stage: str,
        key: object,
        make: Callable[[Diagnostic], Diagnostic],
    ) -> Diagnostic:
        """``make(source)`` (``stage`` names what it makes): the one made last time when
        it was made from the same object with the same ``key``."""
        slot = (id(source), stage)
        kept = self._before.get(slot)
        if kept is not None and kept[0] is source and kept[1] == key:
            made = kept[2]
        else:
            made = make(source)
        self._made[slot] = (source, key, made)
        return made


def capped(
    diagnostics: list[Diagnostic],
    per_code: int = MAX_PER_CODE,
    remade: Remade | None = None,
    single: bool | None = None,
) -> list[Diagnostic]:
    """The first ``per_code`` diagnostics of each code and file (in the order given,
    sorted by position), then one of that code counting the problems of the others.
    (``single``: whether they are all of one file, when the caller knows.)"""
    codes = list(map(_CODE, diagnostics))
    counts = Counter(codes)
    over = {code for code, count in counts.items() if count > per_code}
    if not over:
        return diagnostics  # (no code and file has more either)
    if single is None:
        single = one_file(diagnostics)
    if not single or any(map(_UNLISTED, diagnostics)):
        return _capped_one_by_one(diagnostics, over, per_code)
    # One file, nothing counted yet: each code's first ones found by `list.index` (no
    # Python call per diagnostic: tens of thousands after each edit of a large runbook).
    dropped = list(map(over.__contains__, codes))
    items = list(diagnostics)
    for code in over:
        at = -1
        for _ in range(per_code + 1):
            at = codes.index(code, at + 1)
            dropped[at] = False
        count = counts[code] - per_code
        summary = partial(_summary, count=count, per_code=per_code)
        items[at] = (
            remade.of(items[at], "summary", count, summary) if remade else summary(items[at])
        )
    return list(compress(items, map(not_, dropped)))


def _capped_one_by_one(
    diagnostics: list[Diagnostic], over: set[str], per_code: int
) -> list[Diagnostic]:
    kept: list[Diagnostic] = []
    summaries: dict[tuple[Path, str], int] = {}  # where in `kept`
    unlisted: dict[tuple[Path, str], int] = {}  # the problems each summary counts
    seen: dict[tuple[Path, str], int] = {}
    for diagnostic in diagnostics:
        if diagnostic.code not in over:
            kept.append(diagnostic)
            continue
        key = (diagnostic.file, diagnostic.code)
        number = seen.get(key, 0) + 1
        seen[key] = number
        if number <= per_code:
            kept.append(diagnostic)
            continue
        if number == per_code + 1:
            summaries[key] = len(kept)
            kept.append(diagnostic)  # replaced by the summary below
        unlisted[key] = unlisted.get(key, 0) + diagnostic.problems
    for key, index in summaries.items():
        kept[index] = _summary(kept[index], unlisted[key], per_code)
    return kept


def _summary(first: Diagnostic, count: int, per_code: int) -> Diagnostic:
    """The diagnostic counting ``count`` problems of ``first``'s code, where it stood."""
    message = (
        f"… and {count:,} more {first.code} problems like the ones above "
        f"({CODES[first.code].title.lower()}), not listed: only the first {per_code} "
        "of each code are shown"
    )
    return replace(first, message=message, related=(), unlisted=count)


_CODE = attrgetter("code")
_FILE = attrgetter("file")
_UNLISTED = attrgetter("unlisted")
# `Diagnostic.sort_key` for diagnostics of one file: compared without a call per item.
in_file_key = attrgetter("range.start", "code", "message")


def sort_diagnostics(diagnostics: list[Diagnostic]) -> None:
    """Sorts in place by `Diagnostic.sort_key` (tens of thousands, after every edit of a
    large runbook with problems: one file's are compared without a call per item)."""
    diagnostics.sort(key=in_file_key if one_file(diagnostics) else Diagnostic.sort_key)


def one_file(diagnostics: Sequence[Diagnostic]) -> bool:
    """Whether all are of one file (mostly the same `Path` object, found by identity:
    hashing or comparing paths costs a call each)."""
    if not diagnostics:
        return True
    file = diagnostics[0].file
    return all(map(is_, map(_FILE, diagnostics), repeat(file))) or all(
        diagnostic.file == file for diagnostic in diagnostics
    )
