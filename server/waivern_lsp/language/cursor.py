"""What is being typed at the cursor of a runbook: a field key, the value of a field (a
plain value, an item of a `- ` list or of a `[a, b]` list) or a variable name in
`${...}`; the key path it belongs to and the span an accepted completion replaces.

Read from the text alone, so it works while the document does not parse: the line being
typed rarely is valid YAML. Completion starts here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from waivern_lsp.language.yaml_path import (
    KeyLine,
    enclosing_keys,
    indentation,
    is_blank,
    key_on_line,
)
from waivern_orchestration.parse.positions import Position, Range

CursorKind = Literal["key", "value", "variable"]

_KEY_BEING_TYPED = re.compile(r"(?P<indent>[ ]*)(?P<word>[A-Za-z_][A-Za-z0-9_-]*)?")
_ITEM = re.compile(r"(?P<indent>[ ]*)-(?=[ ]|$)")
_KEY_CHARACTERS = re.compile(r"[A-Za-z0-9_-]*")
_VARIABLE_CHARACTERS = re.compile(r"[A-Za-z0-9_]*")
_COMMENT = re.compile(r"(?:^|[ \t])#")
_QUOTES = "\"'"


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the cursor stands and what has been typed there.

    `path` is the chain of keys from the root: for a key, the keys of the mappings it is
    written in (`("artifacts", "files")` for a key of the artifact `files`); for a value
    or a variable, the key whose value it is, last (`("artifacts", "findings", "inputs")`).
    """

    kind: CursorKind
    path: tuple[str, ...]
    key_lines: tuple[int, ...]  # the line each key of `path` is written on
    line: int
    word: str  # what was typed, from the start of `span` up to the cursor
    span: Range  # what an accepted completion replaces
    item: bool = False  # a value: an item of a list
    spaced: bool = True  # False right after `:` or `,`: a completion inserts a space first
    closed: bool = False  # a key already followed by `:`; a variable by `}` or `:-`
    written: tuple[str, ...] = ()  # an item: the other items of its list
    dollar: bool = False  # a variable of which only the `$` is typed


def cursor_at(lines: Sequence[str], position: Position) -> Cursor | None:
    """What is typed at the position; None in a comment or where nothing can be typed."""
    line = position.line
    if not 0 <= line <= len(lines):
        return None
    text = lines[line] if line < len(lines) else ""
    column = min(position.character, len(text))
    if _COMMENT.search(text, 0, column) is not None and not _inside_quotes(text, column):
        return None
    key = key_on_line(text)
    if key is not None:
        if column > key.colon:
            keys = [*enclosing_keys(lines, line, key.column), (line, key)]
            return _value(text, line, column, key.colon + 1, keys, item=False)
        return _key_in_key_line(lines, text, line, column, key)
    item_match = _ITEM.match(text)
    if item_match is not None:
        dash_end = item_match.end()
        if column < dash_end:
            return None
        keys = enclosing_keys(lines, line, dash_end + 1)
        cursor = _value(text, line, column, dash_end, keys, item=True)
        if cursor is None or cursor.kind != "value" or cursor.written:
            return cursor
        items = _block_items(lines, line, len(item_match.group("indent")))
        return replace(cursor, written=items)
    return _key_being_typed(lines, text, line, column)


def _inside_quotes(text: str, column: int) -> bool:
    return any(text.count(quote, 0, column) % 2 for quote in _QUOTES)


def _key_being_typed(lines: Sequence[str], text: str, line: int, column: int) -> Cursor | None:
    match = _KEY_BEING_TYPED.fullmatch(text, 0, column)
    if match is None:
        return None
    start = len(match.group("indent"))
    end = _run_end(_KEY_CHARACTERS, text, column)
    closed = text[end : end + 1] == ":"
    return _key_cursor(lines, line, start, end, text[start:column], closed)


def _key_in_key_line(
    lines: Sequence[str], text: str, line: int, column: int, key: KeyLine
) -> Cursor | None:
    start = key.column
    if column < start or text[start : start + 1] in _QUOTES:
        return None
    end = _run_end(_KEY_CHARACTERS, text, start)
    if column > end:
        return None
    return _key_cursor(lines, line, start, end, text[start:column], closed=True)


def _key_cursor(
    lines: Sequence[str], line: int, start: int, end: int, word: str, closed: bool
) -> Cursor:
    keys = enclosing_keys(lines, line, start)
    return Cursor(
        kind="key",
        path=tuple(key.key for _number, key in keys),
        key_lines=tuple(number for number, _key in keys),
        line=line,
        word=word,
        span=Range.of(line, start, line, end),
        closed=closed,
    )


def _value(
    text: str,
    line: int,
    column: int,
    value_from: int,
    keys: Sequence[tuple[int, KeyLine]],
    *,
    item: bool,
) -> Cursor | None:
    """A value (or an item) written from `value_from` (just after `key:` or `-`)."""
    path = tuple(key.key for _number, key in keys)
    key_lines = tuple(number for number, _key in keys)
    start = value_from
    while start < column and text[start] == " ":
        start += 1
    spaced = start > value_from or text[value_from - 1 : value_from] not in (":", "-")
    opening = text[start : start + 1]
    if opening == "{":
        return None  # flow mappings are not completed
    variable = text.rfind("${", start, column)
    if variable >= 0 and "}" not in text[variable:column]:
        return _variable(text, line, column, variable + 2, path, key_lines)
    if column > start and text[column - 1] == "$" and text[column : column + 1] != "{":
        return Cursor(
            kind="variable",
            path=path,
            key_lines=key_lines,
            line=line,
            word="",
            span=Range.of(line, column - 1, line, column),
            dollar=True,
        )
    written: tuple[str, ...] = ()
    stops = " #"
    if opening == "[":
        separator = max(text.rfind(",", start, column), text.rfind("[", start, column))
        if text.find("]", start, column) >= 0:
            return None  # after the closed list
        spaced = not (text[separator] == "," and column == separator + 1)
        start = separator + 1
        while start < column and text[start] == " ":
            start += 1
        stops = ",] #"
        item = True
        written = _flow_items(text, text.find("[", value_from) + 1, start)
    if text[start : start + 1] in _QUOTES and start < column:
        stops = text[start]
        start += 1
    end = column
    while end < len(text) and text[end] not in stops:
        end += 1
    if not text[start:column].strip() and end > column and text[column:end].strip():
        end = column  # before a word already there: insert, do not replace it
    return Cursor(
        kind="value",
        path=path,
        key_lines=key_lines,
        line=line,
        word=text[start:column],
        span=Range.of(line, start, line, end),
        item=item,
        spaced=spaced,
        written=written,
    )


def _variable(
    text: str, line: int, column: int, start: int, path: tuple[str, ...], key_lines: tuple[int, ...]
) -> Cursor | None:
    """The name in `${NAME` being typed from `start`; None in its `:-default`."""
    if _VARIABLE_CHARACTERS.fullmatch(text, start, column) is None:
        return None
    end = _run_end(_VARIABLE_CHARACTERS, text, column)
    return Cursor(
        kind="variable",
        path=path,
        key_lines=key_lines,
        line=line,
        word=text[start:column],
        span=Range.of(line, start, line, end),
        closed=text[end : end + 1] == "}" or text[end : end + 2] == ":-",
    )


def _flow_items(text: str, opening: int, current: int) -> tuple[str, ...]:
    closing = text.find("]", opening)
    inner = text[opening : closing if closing >= 0 else len(text)]
    found: list[str] = []
    offset = opening
    for part in inner.split(","):
        if not offset <= current <= offset + len(part):
            value = part.strip().strip(_QUOTES)
            if value:
                found.append(value)
        offset += len(part) + 1
    return tuple(found)


def _block_items(lines: Sequence[str], line: int, dash_column: int) -> tuple[str, ...]:
    """The values of the other `- ` items of the list the item on `line` belongs to."""
    found: list[str] = []
    for step in (-1, 1):
        number = line + step
        while 0 <= number < len(lines):
            text = lines[number]
            number += step
            if is_blank(text):
                continue
            match = _ITEM.match(text)
            if indentation(text) != dash_column or match is None:
                break
            value = text[match.end() :].split(" #")[0].strip().strip(_QUOTES)
            if value:
                found.append(value)
    return tuple(found)


def _run_end(characters: re.Pattern[str], text: str, start: int) -> int:
    """Where the run of `characters` starting at `start` ends."""
    match = characters.match(text, start)
    return match.end() if match is not None else start
