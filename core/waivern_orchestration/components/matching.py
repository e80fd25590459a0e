"""Matching many regular expressions over one text: exactly ``pattern.finditer(text)`` for
each pattern, at native speed where Hyperscan is installed.

`text_matcher(patterns)` gives a `HyperscanMatcher` when the `hyperscan` package loads,
else a `ReMatcher` (plain `re`, the reference). Both return, per pattern, the list of
`re.Match` objects that ``pattern.finditer(text)`` returns (the same spans and groups; only
a match's `pos` and `endpos`, where `re` started looking, may differ), so callers cannot
tell them apart except by speed.

How the Hyperscan matcher stays exact: each pattern is translated into a *wider* pattern
that Hyperscan supports (lookarounds and anchors dropped, lazy and possessive repeats made
greedy, every class that could match a non-ASCII character also matching ``?``, the
stand-in for every non-ASCII character in the scanned bytes). Anything the real pattern
matches, the wider one matches too, at the same offsets. A Hyperscan pass over the text
gives, per pattern, the end offsets of the wider matches and their leftmost starts: no real
match can start before the leftmost start of a wider match that ends after it. The real
`re` pattern then runs only from those places, on the original string (so lookbehinds see
the text before the start and the result is `finditer`'s own), either to the end (patterns
of unbounded length) or within a window that no match starting inside it can see past
(patterns of bounded length: `window_margin`). Where Hyperscan refuses leftmost starts
(some unbounded patterns), the reversed wider pattern scans the reversed text: its match
ends are every place a real match can start, and `re` tries a match at each. A pattern
Hyperscan cannot take at all (a backreference, an empty match) is matched by `re` alone.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, pairwise
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any, Protocol

try:  # a native wheel: on a platform without one, matching only loses speed
    import hyperscan
except ImportError:  # pragma: no cover - depends on the platform
    hyperscan = None  # type: ignore[assignment]

# Every character outside ASCII reaches Hyperscan as this byte (one byte per character, so
# offsets stay the same); every class that could match a non-ASCII character matches it.
_STAND_IN = ord("?")
_ASCII_SPACE = frozenset(index for index in range(128) if chr(index).isspace())
_ASCII_DIGIT = frozenset(range(ord("0"), ord("9") + 1))
_ASCII_WORD = frozenset(index for index in range(128) if chr(index).isalnum() or chr(index) == "_")
_ALL_ASCII = frozenset(range(128))
_ASCII_LETTERS = frozenset(index for index in range(128) if chr(index).isalpha())
# The non-ASCII characters that match an ASCII letter when case is ignored.
_ASCII_FOLDS: dict[int, set[int]] = {}
for _letter in _ASCII_LETTERS:
    for _code in (0x130, 0x131, 0x17F, 0x212A, 0x212B):
        if re.fullmatch(re.escape(chr(_code)), chr(_letter), re.IGNORECASE):
            _ASCII_FOLDS.setdefault(_code, set()).add(_letter)


class TextMatcher(Protocol):
    engine: str

    def find_all(self, text: str) -> list[list[re.Match[str]]]:
        """Per pattern, in order: ``list(pattern.finditer(text))``."""
        ...


class ReMatcher:
    """The reference: each pattern's `finditer` over the whole text."""

    engine = "re"

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        self.patterns = tuple(patterns)

    def find_all(self, text: str) -> list[list[re.Match[str]]]:
        return [list(pattern.finditer(text)) for pattern in self.patterns]


def text_matcher(patterns: Sequence[re.Pattern[str]], *, native: bool = True) -> TextMatcher:
    """The fastest exact matcher installed for ``patterns`` (``native=False``: `re`);
    compiled once per process for the same patterns."""
    if native and hyperscan is not None:
        return _hyperscan_matcher(tuple(patterns))
    return ReMatcher(patterns)


@cache
def _hyperscan_matcher(patterns: tuple[re.Pattern[str], ...]) -> TextMatcher:
    return HyperscanMatcher(patterns)


# Compiling a ruleset's Hyperscan databases takes 0.5 to 1 s (one per expression), as long
# as `re` takes over 1 to 2 MB: a scan of a few files must not wait for it. `re` matches the
# first characters a process scans with the patterns, Hyperscan the rest.
NATIVE_AFTER = 2_000_000


class AdaptiveMatcher:
    """`re` until the texts matched add up to ``after`` characters, then the native
    matcher (compiled once, under a lock: scans run in threads). The same matches either
    way."""

    def __init__(self, patterns: Sequence[re.Pattern[str]], after: int | None = None) -> None:
        self.patterns = tuple(patterns)
        self._re = ReMatcher(self.patterns)
        self._native: TextMatcher | None = None
        self._after = NATIVE_AFTER if after is None else after
        self._seen = 0
        self._lock = threading.Lock()

    @property
    def engine(self) -> str:
        return self._re.engine if self._native is None else self._native.engine

    def find_all(self, text: str) -> list[list[re.Match[str]]]:
        native = self._native
        if native is None:
            with self._lock:
                self._seen += len(text)
                if self._native is None and self._seen > self._after:
                    self._native = text_matcher(self.patterns)
                native = self._native
        return (native or self._re).find_all(text)


@cache
def scan_matcher(patterns: tuple[re.Pattern[str], ...]) -> AdaptiveMatcher:
    """The matcher a process's scans share for ``patterns``: see `AdaptiveMatcher`."""
    return AdaptiveMatcher(patterns)


# --- translating a pattern into a wider one Hyperscan supports ----------------------------


class UnsupportedPattern(Exception):
    """The pattern has a construct with no wider Hyperscan equivalent (a backreference)."""


@dataclass(frozen=True, slots=True)
class Prefilter:
    """A pattern's wider Hyperscan expression and how far its matches can reach."""

    expression: bytes
    # The longest match, and how far past a match's end a lookahead or anchor can look;
    # None when unbounded.
    window_margin: int | None


def prefilter(pattern: re.Pattern[str], *, reverse: bool = False) -> Prefilter:
    """The wider expression of ``pattern`` (raises `UnsupportedPattern`); ``reverse``: the
    wider expression of the pattern read backwards (to scan the reversed text)."""
    if isinstance(pattern.pattern, bytes):
        raise UnsupportedPattern("bytes pattern")
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    ignore_case = bool(pattern.flags & re.IGNORECASE)
    expression = _translate(parsed, ignore_case, reverse)
    longest = parsed.getwidth()[1]
    reach = _lookahead_reach(parsed)
    margin = None if longest >= sre_constants.MAXREPEAT or reach is None else longest + reach
    return Prefilter(expression.encode("ascii"), margin)


def _translate(items: Any, ignore_case: bool, reverse: bool) -> str:
    parts = [_translate_item(op, value, ignore_case, reverse) for op, value in items]
    return "".join(reversed(parts) if reverse else parts)


def _translate_item(op: Any, value: Any, ignore_case: bool, reverse: bool) -> str:
    c = sre_constants
    if op is c.LITERAL:
        return _byte_class(_literal_set(value, ignore_case))
    if op is c.NOT_LITERAL:
        return _byte_class(_ALL_ASCII - _literal_set(value, ignore_case) | {_STAND_IN})
    if op is c.ANY:
        return r"[\x00-\xff]"  # wider than `.` without DOTALL: allowed
    if op is c.IN:
        return _byte_class(_class_set(value, ignore_case))
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, high, item = value
        body = _translate(item, ignore_case, reverse)
        if high >= c.MAXREPEAT:
            return f"(?:{body}){{{low},}}"
        return f"(?:{body}){{{low},{high}}}"
    if op is c.SUBPATTERN:
        _group, add_flags, del_flags, item = value
        inner = (ignore_case or bool(add_flags & re.IGNORECASE)) and not (del_flags & re.IGNORECASE)
        return f"(?:{_translate(item, inner, reverse)})"
    if op is c.ATOMIC_GROUP:
        return f"(?:{_translate(value, ignore_case, reverse)})"
    if op is c.BRANCH:
        return "(?:" + "|".join(_translate(item, ignore_case, reverse) for item in value[1]) + ")"
    if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
        return ""  # dropped: the wider pattern matches wherever the real one does
    if op is c.CATEGORY:
        return _byte_class(_class_set([(op, value)], ignore_case))
    raise UnsupportedPattern(str(op))


def _literal_set(code: int, ignore_case: bool) -> set[int]:
    if code >= 128:
        if ignore_case:  # KELVIN SIGN matches `k`, ...
            return {_STAND_IN} | _ASCII_FOLDS.get(code, set())
        return {_STAND_IN}
    char = chr(code)
    if ignore_case and char.isalpha():
        # Unicode case folding: `k` also matches KELVIN SIGN, `s` LONG S, ...
        return {ord(char.lower()), ord(char.upper()), _STAND_IN}
    return {code}


def _class_set(items: Any, ignore_case: bool) -> set[int]:
    c = sre_constants
    members: set[int] = set()
    negate = False
    for op, value in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            members |= _literal_set(value, ignore_case)
        elif op is c.RANGE:
            low, high = value
            for code in range(low, min(high, 127) + 1):
                members |= _literal_set(code, ignore_case)
            if high >= 128:
                members.add(_STAND_IN)
                if ignore_case:
                    members |= _ASCII_LETTERS
        elif op is c.CATEGORY:
            members |= _category_set(value)
        else:
            raise UnsupportedPattern(str(op))
    if negate:
        # What is left out of ASCII, and every non-ASCII character.
        return set(_ALL_ASCII - members) | {_STAND_IN}
    return members


def _category_set(category: Any) -> set[int]:
    c = sre_constants
    sets = {
        c.CATEGORY_DIGIT: set(_ASCII_DIGIT),
        c.CATEGORY_NOT_DIGIT: set(_ALL_ASCII - _ASCII_DIGIT),
        c.CATEGORY_SPACE: set(_ASCII_SPACE),
        c.CATEGORY_NOT_SPACE: set(_ALL_ASCII - _ASCII_SPACE),
        c.CATEGORY_WORD: set(_ASCII_WORD),
        c.CATEGORY_NOT_WORD: set(_ALL_ASCII - _ASCII_WORD),
    }
    if category not in sets:
        raise UnsupportedPattern(str(category))
    return sets[category] | {_STAND_IN}  # each has non-ASCII members


def _byte_class(members: AbstractSet[int]) -> str:
    return "[" + "".join(f"\\x{code:02x}" for code in sorted(members)) + "]"


def _lookahead_reach(items: Any) -> int | None:
    """How many characters past the current position a lookahead (or `$`, `\\b`) can
    look, at most, anywhere in the pattern; None when unbounded."""
    c = sre_constants
    reach = 1  # `\b` and `$` look at one character
    for op, value in items:
        nested: list[Any] = []
        if op is c.ASSERT or op is c.ASSERT_NOT:
            direction, item = value
            inner = _lookahead_reach(item)
            if inner is None:
                return None
            if direction == 1:  # a lookahead inside a lookahead looks further still
                width = item.getwidth()[1]
                if width >= c.MAXREPEAT:
                    return None
                reach = max(reach, width + inner)
            reach = max(reach, inner)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            nested = [value[2]]
        elif op is c.SUBPATTERN:
            nested = [value[3]]
        elif op is c.ATOMIC_GROUP:
            nested = [value]
        elif op is c.BRANCH:
            nested = list(value[1])
        for item in nested:
            inner = _lookahead_reach(item)
            if inner is None:
                return None
            reach = max(reach, inner)
    return reach


# --- the Hyperscan matcher ---------------------------------------------------------------


class HyperscanMatcher:
    """Hyperscan passes over the text, then `re` only where a pattern may match.

    Patterns Hyperscan can give leftmost starts for (`HS_FLAG_SOM_LEFTMOST`) are scanned
    forwards; the others (it refuses SOM for some unbounded shapes) are scanned backwards,
    over the reversed text, where the end of a reversed match is a candidate start. Each
    pattern has a database of its own: in one database of all of them, Hyperscan 5.4 (the
    `hyperscan` 0.9.1 wheel) with SOM was seen to drop some matches of one pattern that
    overlapped another's (a benchmark corpus, `benchmarks/matching.py`)."""

    engine = "hyperscan"

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        self.patterns = tuple(patterns)
        self.margins: dict[int, int | None] = {}  # scanned forwards
        self.backwards: set[int] = set()  # scanned over the reversed text
        self.databases: dict[int, Any] = {}
        for index, pattern in enumerate(self.patterns):
            try:
                wider = prefilter(pattern)
            except UnsupportedPattern:
                continue  # matched by `re` alone
            database = _compiled(wider.expression, hyperscan.HS_FLAG_SOM_LEFTMOST)
            if database is not None:
                self.margins[index] = wider.window_margin
                self.databases[index] = database
                continue
            database = _compiled(prefilter(pattern, reverse=True).expression, 0)
            if database is not None:
                self.backwards.add(index)
                self.databases[index] = database
        self._scratch = threading.local()

    def find_all(self, text: str) -> list[list[re.Match[str]]]:
        data = _bytes_for(text)
        backwards = data[::-1] if self.backwards and text else b""
        found: list[list[re.Match[str]]] = []
        for index, pattern in enumerate(self.patterns):
            if index in self.margins:
                ends: list[int] = []
                starts: list[int] = []
                if text:
                    self._scan(index, data, _on_forward, (ends, starts))
                margin = self.margins[index]
                found.append(_confirmed(pattern, text, ends, starts, margin))
            elif index in self.backwards:
                candidates: list[int] = []
                if text:
                    self._scan(index, backwards, _on_backward, (candidates, len(data)))
                found.append(_matched_at(pattern, text, candidates))
            else:
                found.append(list(pattern.finditer(text)))
        return found

    def _scan(self, index: int, data: bytes, on_match: Any, context: Any) -> None:
        # A scratch space serves one scan at a time: one per thread and database.
        spaces: dict[int, Any] = self._scratch.__dict__.setdefault("spaces", {})
        if index not in spaces:
            spaces[index] = hyperscan.Scratch(self.databases[index])
        database = self.databases[index]
        database.scan(data, match_event_handler=on_match, context=context, scratch=spaces[index])


def _on_forward(
    _id: int, start: int, end: int, _flags: int, hits: tuple[list[int], list[int]]
) -> None:
    hits[0].append(end)
    hits[1].append(start)


def _on_backward(_id: int, _start: int, end: int, _flags: int, hits: tuple[list[int], int]) -> None:
    candidates, length = hits
    candidates.append(length - end)


def _compiled(expression: bytes, flags: int) -> Any:
    """The database of one expression, or None when Hyperscan refuses it (too large with
    SOM, or it matches the empty string)."""
    try:
        return _compile([expression], [0], flags)
    except hyperscan.error:
        return None


def _compile(expressions: list[bytes], ids: list[int], flags: int) -> Any:
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(expressions=expressions, ids=ids, elements=len(expressions), flags=flags)
    return database


def _bytes_for(text: str) -> bytes:
    if text.isascii():
        return text.encode("ascii")
    return text.encode("ascii", "replace")  # one `?` per non-ASCII character


def _confirmed(
    pattern: re.Pattern[str], text: str, ends: list[int], starts: list[int], margin: int | None
) -> list[re.Match[str]]:
    """``list(pattern.finditer(text))``, running `re` only near the wider matches ending at
    ``ends`` whose leftmost starts are ``starts``."""
    if not ends:
        return []
    if any(later < earlier for earlier, later in pairwise(ends)):  # Hyperscan sorts them
        order = sorted(range(len(ends)), key=ends.__getitem__)
        ends = [ends[index] for index in order]
        starts = [starts[index] for index in order]
    # No real match ending at or after ends[i] starts before earliest[i].
    earliest = list(accumulate(reversed(starts), min))[::-1]
    length = len(text)
    found: list[re.Match[str]] = []
    position = 0  # like finditer's: the next match starts here or later
    hit = 0
    while True:
        # A match starting at `position` or later ends after it (the wider pattern has no
        # empty matches: Hyperscan refuses those).
        hit = bisect_right(ends, position, hit)
        if hit == len(ends):
            return found
        start = max(position, earliest[hit])
        if margin is None:
            match = pattern.search(text, start)
            if match is None:
                return found
            found.append(match)
            position = match.end()
            continue
        # Starts up to `last` see nothing past `window_end`: there, the window's answer is
        # the whole text's.
        # A window of at least a few margins: where hits are dense (every position of
        # "1:1:1:..."), `re` then reads each character about once, not once per hit.
        last = max(ends[hit], start + 4 * margin)
        window_end = min(length, last + margin + 1)
        match = pattern.search(text, start, window_end)
        if match is not None and (match.start() <= last or window_end == length):
            found.append(match)
            position = match.end()
        elif window_end == length:
            return found
        else:
            position = last + 1


def _matched_at(pattern: re.Pattern[str], text: str, candidates: list[int]) -> list[re.Match[str]]:
    """``list(pattern.finditer(text))`` when every match starts at one of ``candidates``:
    finditer's next match is the first candidate at or after its position that matches."""
    found: list[re.Match[str]] = []
    position = 0
    for start in sorted(set(candidates)):
        if start < position:
            continue
        match = pattern.match(text, start)
        if match is not None:
            found.append(match)
            position = match.end()
    return found
