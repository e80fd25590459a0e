"""The chain of mapping keys that leads to a line, read from indentation alone.

It holds while the document does not parse (the line being typed rarely does), so
completion and hover on field names work on any text. Block YAML as runbooks are
written: `key:` lines, `- ` list items, comments and blank lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# `  key:`, `  - key:`, `  "key":` with the key's column
_KEY_LINE = re.compile(
    r"^(?P<indent>[ ]*)(?P<dash>(?:-[ ]+)*)"
    r"(?P<key>[^\s#:'\"{}\[\],&*!|>%@`-][^:#]*?|\"[^\"]*\"|'[^']*')"
    r"[ ]*:(?:[ ]|$)"
)
_ITEM_LINE = re.compile(r"^(?P<indent>[ ]*)-(?:[ ]|$)")


@dataclass(frozen=True, slots=True)
class KeyLine:
    key: str
    column: int  # where the key starts
    in_item: bool  # written after a `- `: it belongs to a list item


def key_on_line(line: str) -> KeyLine | None:
    match = _KEY_LINE.match(line)
    if match is None:
        return None
    key = match.group("key").strip()
    if key[:1] in "\"'":
        key = key[1:-1]
    column = len(match.group("indent")) + len(match.group("dash"))
    return KeyLine(key, column, bool(match.group("dash")))


def indentation(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def is_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def parents(lines: Sequence[str], line: int, column: int) -> list[str]:
    """The keys of the mappings enclosing a position at `column` on `line`, outermost
    first (list items are transparent: `inputs:` then `- a` gives `["inputs"]`)."""
    found: list[str] = []
    limit = column
    for number in range(min(line, len(lines)) - 1, -1, -1):
        text = lines[number]
        if is_blank(text):
            continue
        start = indentation(text)
        if start >= limit:
            continue
        key = key_on_line(text)
        if key is not None and key.column < limit:
            found.append(key.key)
            limit = key.column if not key.in_item else start
        elif _ITEM_LINE.match(text):
            limit = start
        else:
            limit = start
        if limit == 0:
            break
    found.reverse()
    return found


def path_at(lines: Sequence[str], line: int) -> list[str]:
    """The key path of a key written on `line` (its parents plus itself)."""
    text = lines[line] if 0 <= line < len(lines) else ""
    key = key_on_line(text)
    if key is None:
        return parents(lines, line, indentation(text) if text.strip() else 0)
    return [*parents(lines, line, key.column), key.key]
