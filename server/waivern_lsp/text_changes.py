"""Incremental text changes (`textDocument/didChange`) applied in time proportional to how
far the change is from the previous one, not to the document's size.

pygls rebuilds the whole text line by line for every change (tens of milliseconds for
each keystroke in a runbook of 5,000 artifacts, on the event loop). Here the start of the
changed line is found from the line of the previous change (typing stays on one line)
and the new text is made by slicing. The result is the text pygls makes, always: where
pygls' own rules are unusual (a line break other than `\\n`, a range past the last line or
ending before it starts) pygls applies the change itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types as lsp
from pygls.workspace import TextDocument

# Line breaks `str.splitlines` knows besides `\n` (pygls splits lines with it).
_OTHER_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


@dataclass(frozen=True)
class _Landmark:
    """A line's start offset in one text (the text itself, to know it is still current)."""

    text: str
    line: int
    offset: int


class TextChanges:
    """Applies the changes of each document, remembering where the last one was."""

    def __init__(self) -> None:
        self._landmarks: dict[str, _Landmark] = {}

    def apply(self, document: TextDocument, change: lsp.TextDocumentContentChangeEvent) -> None:
        if not isinstance(change, lsp.TextDocumentContentChangePartial) or not self._applied(
            document, change
        ):
            self._landmarks.pop(document.uri, None)
            document.apply_change(change)

    def forget(self, uri: str) -> None:
        self._landmarks.pop(uri, None)

    def _applied(
        self, document: TextDocument, change: lsp.TextDocumentContentChangePartial
    ) -> bool:
        text = document.source
        start, end = change.range.start, change.range.end
        if end.line < start.line or _other_breaks(change.text):
            return False
        landmark = self._landmarks.get(document.uri)
        if landmark is None or landmark.text is not text:
            # (a landmark's text was made here from one without them: no need to look)
            if _other_breaks(text):
                return False
            landmark = _Landmark(text, 0, 0)
        first = _line_start(text, start.line, landmark)
        if first is None or first >= len(text):
            return False  # past the last line: pygls' rules for that
        last = first if end.line == start.line else _line_start(text, end.line, landmark)
        if last is None or last >= len(text):
            return False
        codec = document.position_codec
        begin = first + _column(codec, text, first, start.character)
        finish = last + _column(codec, text, last, end.character)
        new = text[:begin] + change.text + text[finish:]
        document._source = new
        # the changed line starts where it did: the next keystroke's landmark
        self._landmarks[document.uri] = _Landmark(new, start.line, first)
        return True


def _other_breaks(text: str) -> bool:
    return any(mark in text for mark in _OTHER_BREAKS)


def _line_start(text: str, line: int, landmark: _Landmark) -> int | None:
    """The offset at which ``line`` starts, found from the nearer of the text's start and
    ``landmark``; None when the text has fewer lines."""
    offset, at = (landmark.offset, landmark.line) if abs(landmark.line - line) < line else (0, 0)
    while at < line:
        found = text.find("\n", offset)
        if found < 0:
            return None
        offset, at = found + 1, at + 1
    while at > line:
        offset = text.rfind("\n", 0, offset - 1) + 1
        at -= 1
    return offset


def _column(codec: object, text: str, start: int, units: int) -> int:
    """A column in the client's units on the line starting at ``start``, in characters,
    as pygls' position codec counts it (on the line with its line break)."""
    found = text.find("\n", start)
    line = text[start : found + 1] if found >= 0 else text[start:]
    if line.isascii():
        # pygls: a column past the line's end (its break counted) is the last character
        return units if units <= len(line) else len(line) - 1
    position = codec.position_from_client_units(  # type: ignore[attr-defined]
        [line], lsp.Position(line=0, character=units)
    )
    return int(position.character)
