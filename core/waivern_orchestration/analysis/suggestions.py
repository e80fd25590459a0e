""" "Did you mean ...?": the closest known names to a misspelt one.

The closest of a runbook's thousands of artifact ids is searched for each unknown
reference (up to a hundred per analysis), and an edit re-runs the reference check: a
fresh search would cost seconds per keystroke in a large runbook with problems.
`ArtifactNames` carries what the previous analysis found over to the next one, searching
only the ids added since (and again only where the closest one was removed): the answers
are those of a fresh search, always.
"""

from __future__ import annotations

import difflib
import threading
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain
from typing import ClassVar

CUTOFF = 0.6
# Past this many ids added or removed between two analyses, the next one searches afresh.
_MAX_CHANGES = 256
_RECENT = 2  # (a runbook's and a child's: each keeps its ids, in a large runbook megabytes)


def closest(word: str, candidates: Iterable[str], count: int = 1) -> list[str]:
    listed = tuple(candidates)
    if len(listed) <= _REMEMBERED_CANDIDATES:
        return list(_closest(word, listed, count))
    return difflib.get_close_matches(word, listed, n=count, cutoff=CUTOFF)


_REMEMBERED_CANDIDATES = 64  # (component types, fields: a few names each)


@lru_cache(maxsize=4096)
def _closest(word: str, candidates: tuple[str, ...], count: int) -> tuple[str, ...]:
    """Remembered for short lists: a runbook repeats its misspellings of component types
    and fields artifact after artifact, and each search builds difflib's matchers anew
    (1.5 s for the 6,500 of a 20,000-artifact runbook with problems)."""
    return tuple(difflib.get_close_matches(word, candidates, n=count, cutoff=CUTOFF))


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`; did you mean `x`?` or an empty string when nothing is close."""
    matches = closest(word, candidates)
    return _phrase(matches[0] if matches else None)


def _phrase(match: str | None) -> str:
    return f"; did you mean `{match}`?" if match is not None else ""


Best = tuple[float, str] | None  # (score, name) as difflib ranks them; None: nothing close


def _best(word: str, candidates: Iterable[str], seeds: Sequence[str] = ()) -> Best:
    """The candidate `closest` would give first, with its score: difflib's ranking, the
    highest ratio, then the later name. A candidate whose bounds (difflib's own) say it
    cannot beat the best so far is skipped without its ratio, the costly part; the
    ``seeds`` (names likely close: those next to the word in sorted order) are tried
    first, so that in a runbook of thousands of similar ids most are skipped."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    length = len(word)
    letters = tuple(Counter(word).items())
    best: Best = None
    for candidate in chain(seeds, candidates):
        size = len(candidate)
        total = length + size  # real_quick_ratio, without setting the candidate:
        if not _wins(2.0 * min(length, size) / total if total else 1.0, candidate, best):
            continue
        # quick_ratio: the characters both have, counted with `str.count` (no call of
        # difflib's per character)
        matches = 0
        for letter, wanted in letters:
            found = candidate.count(letter)
            matches += found if found < wanted else wanted
        if not _wins(2.0 * matches / total, candidate, best):
            continue
        matcher.set_seq1(candidate)
        if _wins(score := matcher.ratio(), candidate, best):
            best = (score, candidate)
    return best


def _wins(score: float, name: str, best: Best) -> bool:
    """Whether ``name`` with ``score`` ranks before ``best`` (or passes the cutoff)."""
    if best is None:
        return score >= CUTOFF
    return score > best[0] or (score == best[0] and name > best[1])


_SEEDS = 3  # names on each side of the word, in sorted order, tried first


class ArtifactNames:
    """The known names of one analysis, answering "did you mean" for unknown ones. Each
    answers from the answers of a recent one (made last, in any thread, with about as
    many names) when the names changed little: the closest of the new names is the closer of
    the old closest (if still there) and the closest of the names added."""

    # The last few made (a child runbook's, another runbook's analysed meanwhile).
    _recent: ClassVar[list[ArtifactNames]] = []
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(names)
        self._sorted: list[str] | None = None  # when first searched
        self._backwards: list[str] = []  # each name read backwards, sorted
        self._found: dict[str, Best] = {}
        self._earlier: dict[str, Best] = {}
        self._added: tuple[str, ...] = ()
        self._removed: frozenset[str] = frozenset()
        size = len(self.names)
        with ArtifactNames._lock:
            recent = ArtifactNames._recent
            last = min(recent, key=lambda names: abs(len(names.names) - size), default=None)
            recent.append(self)
            del recent[:-_RECENT]
        if last is not None and last._found:
            added = self.names - last.names
            removed = last.names - self.names
            if len(added) + len(removed) <= _MAX_CHANGES:
                self._earlier = last._found
                self._added, self._removed = tuple(added), frozenset(removed)

    def did_you_mean(self, word: str) -> str:
        """As `did_you_mean(word, names)`."""
        if word not in self._found:
            self._found[word] = self._search(word)
        best = self._found[word]
        return _phrase(best[1] if best is not None else None)

    def _search(self, word: str) -> Best:
        if word in self._earlier:
            earlier = self._earlier[word]
            if earlier is None or earlier[1] not in self._removed:
                if not self._added:
                    return earlier
                added = _best(word, self._added)
                if earlier is None or added is None:
                    return earlier or added
                return max(earlier, added)
        if self._sorted is None:
            self._sorted = sorted(self.names)
            self._backwards = sorted(name[::-1] for name in self.names)
        names, backwards = self._sorted, self._backwards
        # The names next to the word in sorted order, and read backwards (a name that
        # differs only at its start, or only at its end, is among them)
        at = bisect_left(names, word)
        seeds = names[max(0, at - _SEEDS) : at + _SEEDS]
        at = bisect_left(backwards, word[::-1])
        seeds.extend(name[::-1] for name in backwards[max(0, at - _SEEDS) : at + _SEEDS])
        return _best(word, names, seeds)
