""" "Did you mean ...?": the closest known names to a misspelt one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str], count: int = 1) -> list[str]:
    return difflib.get_close_matches(word, list(candidates), n=count, cutoff=0.6)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`; did you mean `x`?` or an empty string when nothing is close."""
    matches = closest(word, candidates)
    return f"; did you mean `{matches[0]}`?" if matches else ""
