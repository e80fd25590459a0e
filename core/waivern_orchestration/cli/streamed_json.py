"""JSON output of a document that may hold a streamed list (`StreamedItems` or another
lazy sequence): the same text `json.dump(document, indent=2)` gives, written item by
item, so that a message of any size is printed in bounded memory."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

_PLACEHOLDER = "\u0000streamed\u0000"


def dump(document: dict[str, Any], out: TextIO) -> None:
    lazy: list[Sequence[Any]] = []
    skeleton = _with_placeholders(document, lazy)
    text = json.dumps(skeleton, indent=2)
    marker = json.dumps(_PLACEHOLDER)
    for index, part in enumerate(text.split(marker)):
        out.write(part)
        if index < len(lazy):  # the list sits where the placeholder was, at its line's indent
            line = part.rpartition("\n")[2]
            _write_items(lazy[index], len(line) - len(line.lstrip(" ")), out)


def _with_placeholders(value: Any, lazy: list[Sequence[Any]]) -> Any:
    if isinstance(value, dict):
        return {key: _with_placeholders(item, lazy) for key, item in value.items()}
    if isinstance(value, list | tuple | str | int | float | bool) or value is None:
        return value
    if isinstance(value, Sequence):
        lazy.append(value)
        return _PLACEHOLDER
    return value


def _write_items(items: Sequence[Any], indent: int, out: TextIO) -> None:
    """``items`` as a JSON array whose closing bracket sits at ``indent``."""
    inner = " " * (indent + 2)
    first = True
    for item in items:
        out.write("[\n" if first else ",\n")
        first = False
        out.write(inner + json.dumps(item, indent=2).replace("\n", "\n" + inner))
    out.write("[]" if first else "\n" + " " * indent + "]")
