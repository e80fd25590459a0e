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
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import ClassVar

CUTOFF = 0.6
# Past this many ids added or removed between two analyses, the next one searches afresh.
_MAX_CHANGES = 256
_RECENT = 2  # (a runbook's and a child's: each keeps its ids, in a large runbook megabytes)


def closest(word: str, candidates: Iterable[str], count: int = 1) -> list[str]:
    return difflib.get_close_matches(word, list(candidates), n=count, cutoff=CUTOFF)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`; did you mean `x`?` or an empty string when nothing is close."""
    matches = closest(word, candidates)
    return _phrase(matches[0] if matches else None)


def _phrase(match: str | None) -> str:
    return f"; did you mean `{match}`?" if match is not None else ""


Best = tuple[float, str] | None  # (score, name) as difflib ranks them; None: nothing close


def _best(word: str, candidates: Sequence[str]) -> Best:
    """The candidate `closest` would give first, with its score (difflib's ranking: the
    highest ratio, then the later name). ``candidates`` come from the last name down, so
    that one whose bounds (difflib's own) say it cannot score more than the best so far
    would lose the tie: its ratio, the costly part, is not computed."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    length = len(word)
    letters = tuple(Counter(word).items())
    best: Best = None
    for candidate in candidates:
        size = len(candidate)
        total = length + size  # real_quick_ratio, without setting the candidate:
        if not _better(2.0 * min(length, size) / total if total else 1.0, best):
            continue
        # quick_ratio: the characters both have, counted with `str.count` (no call of
        # difflib's per character)
        matches = 0
        for letter, wanted in letters:
            found = candidate.count(letter)
            matches += found if found < wanted else wanted
        if not _better(2.0 * matches / total, best):
            continue
        matcher.set_seq1(candidate)
        if _better(score := matcher.ratio(), best):
            best = (score, candidate)
    return best


def _better(score: float, best: Best) -> bool:
    return score >= CUTOFF if best is None else score > best[0]


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
        self._descending: list[str] | None = None  # sorted when first searched
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
                added = _best(word, sorted(self._added, reverse=True))
                if earlier is None or added is None:
                    return earlier or added
                return max(earlier, added)
        if self._descending is None:
            self._descending = sorted(self.names, reverse=True)
        return _best(word, self._descending)
