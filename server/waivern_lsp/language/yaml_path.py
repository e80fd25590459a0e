"""The chain of mapping keys that leads to a line, and the keys a mapping already has,
read from indentation alone.

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
    colon: int = -1  # where the `:` after the key stands


def key_on_line(line: str) -> KeyLine | None:
    match = _KEY_LINE.match(line)
    if match is None:
        return None
    key = match.group("key").strip()
    if key[:1] in "\"'":
        key = key[1:-1]
    column = len(match.group("indent")) + len(match.group("dash"))
    colon = match.end() - 1 if line[match.end() - 1] == ":" else match.end() - 2
    return KeyLine(key, column, bool(match.group("dash")), colon)


def indentation(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def is_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def parents(lines: Sequence[str], line: int, column: int) -> list[str]:
    """The keys of the mappings enclosing a position at `column` on `line`, outermost
    first (list items are transparent: `inputs:` then `- a` gives `["inputs"]`)."""
    return [key.key for _number, key in enclosing_keys(lines, line, column)]


def enclosing_keys(lines: Sequence[str], line: int, column: int) -> list[tuple[int, KeyLine]]:
    """`parents` with the line each key is written on."""
    found: list[tuple[int, KeyLine]] = []
    limit = column
    deeper = " " * limit  # lines starting so are nested deeper: passed over (fast)
    for number in range(min(line, len(lines)) - 1, -1, -1):
        text = lines[number]
        if text.startswith(deeper) or is_blank(text):
            continue
        start = indentation(text)
        if start >= limit:
            continue
        key = key_on_line(text)
        if key is not None and key.column < limit:
            found.append((number, key))
            limit = key.column if not key.in_item else start
        elif _ITEM_LINE.match(text):
            limit = start
        else:
            limit = start
        if limit == 0:
            break
        deeper = " " * limit
    found.reverse()
    return found


def path_at(lines: Sequence[str], line: int) -> list[str]:
    """The key path of a key written on `line` (its parents plus itself)."""
    text = lines[line] if 0 <= line < len(lines) else ""
    key = key_on_line(text)
    if key is None:
        return parents(lines, line, indentation(text) if text.strip() else 0)
    return [*parents(lines, line, key.column), key.key]


def keys_under(lines: Sequence[str], key_line: int | None) -> dict[str, int]:
    """The keys of the mapping written as the value of the key on `key_line` (the root
    mapping when None), each with its line; the first of a repeated key wins."""
    found: dict[str, int] = {}
    if key_line is None:  # the root: only lines that start in the first column
        for number, text in enumerate(lines):
            if text[:1] not in ("", " ", "#", "-") and (key := key_on_line(text)) is not None:
                found.setdefault(key.key, number)
        return found
    parent = key_on_line(lines[key_line]) if 0 <= key_line < len(lines) else None
    if parent is None:
        return found
    child_column: int | None = None
    for number in range(key_line + 1, len(lines)):
        text = lines[number]
        if is_blank(text):
            continue
        start = indentation(text)
        if start <= parent.column:
            break
        key = key_on_line(text)
        if key is None:
            continue
        if child_column is None:
            child_column = key.column
        if key.column == child_column:
            found.setdefault(key.key, number)
    return found


def value_on_line(line: str) -> str | None:
    """The plain value written after `key:` on the line (quotes and a trailing comment
    taken off), or None when the line is not a key line or the value is empty."""
    match = _KEY_LINE.match(line)
    if match is None:
        return None
    value = line[match.end() :]
    comment = re.search(r"(?:^|[ \t])#", value)
    if comment is not None:
        value = value[: comment.start()]
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value or None
