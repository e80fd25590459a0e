"""Where two versions of a text start and stop differing: the characters they share at
their start and at their end, compared a chunk at a time (at C speed) and then halving
within the first chunk that differs. An edit of a large runbook is found in a few dozen
comparisons, not one per character (the analyser re-parses only there; the language
server keeps the diagnostics outside it)."""

from __future__ import annotations

CHUNK = 65536  # characters compared at once


def common_prefix(a: str, b: str, limit: int | None = None) -> int:
    """How many characters (at most ``limit``) the two texts share at their start."""
    limit = min(len(a), len(b)) if limit is None else limit
    position, size = 0, CHUNK
    while size and position < limit:
        end = min(position + size, limit)
        if a[position:end] == b[position:end]:
            position = end
        else:
            size //= 2
    return position


def common_suffix(a: str, b: str, limit: int) -> int:
    """How many characters (at most ``limit``) the two texts share at their end."""
    length, size = 0, CHUNK
    la, lb = len(a), len(b)
    while size and length < limit:
        more = min(length + size, limit)
        if a[la - more : la - length] == b[lb - more : lb - length]:
            length = more
        else:
            size //= 2
    return length
