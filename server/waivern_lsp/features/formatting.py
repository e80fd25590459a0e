"""Formatting (`textDocument/formatting`, `textDocument/rangeFormatting`): the runbook
with its known fields in the documented order, two-space indentation, comments and
scalars kept as written (`language.formatter`). Range formatting formats the artifacts
(and top-level fields) the range touches, each where it stands.

A runbook that does not parse, or that the formatter cannot format without changing its
meaning, gets no edits (and no error: formatting on save must never get in the way). The
client's tab size is not used: runbooks are indented two spaces, as the docs write them.

Formatting works on the text, not on the analysis: it needs every line as written.
"""

from __future__ import annotations

import asyncio

from lsprotocol import types as lsp

from waivern_lsp.conversions import LineCodec
from waivern_lsp.language.formatter import LineEdit, format_lines
from waivern_lsp.server import WaivernServer
from waivern_orchestration.parse.positions import Position


def text_edits(
    edits: list[LineEdit], lines: list[str], newline: str, codec: LineCodec
) -> list[lsp.TextEdit]:
    """Line edits as LSP text edits on ``lines`` (the document's lines)."""
    result: list[lsp.TextEdit] = []
    for edit in edits:
        start = Position(edit.first, 0)
        if edit.last + 1 < len(lines):
            end = Position(edit.last + 1, 0)
            new_text = "".join(line + newline for line in edit.lines)
        elif edit.first < len(lines):  # down to the last line, which has no line break
            end = Position(len(lines) - 1, len(lines[-1]))
            new_text = newline.join(edit.lines)
            if edit.last < edit.first:  # an insertion before the last line
                end = start
                new_text += newline
        else:
            start = end = Position(len(lines) - 1, len(lines[-1]))
            new_text = "".join(newline + line for line in edit.lines)
        result.append(
            lsp.TextEdit(
                range=lsp.Range(start=codec.position(start), end=codec.position(end)),
                new_text=new_text,
            )
        )
    return result


def register(server: WaivernServer) -> None:
    async def formatted(uri: str, lines_touched: tuple[int, int] | None) -> list[lsp.TextEdit]:
        document = await server.document(uri)
        if document is None:
            return []
        text = document.text
        edits = await asyncio.to_thread(format_lines, text, lines_touched)
        if not edits:
            return []
        newline = "\r\n" if "\r\n" in text else "\n"
        return text_edits(edits, document.lines, newline, server.codec(document))

    @server.request(lsp.TEXT_DOCUMENT_FORMATTING)
    async def format_document(params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit] | None:
        return await formatted(params.text_document.uri, None)

    @server.request(lsp.TEXT_DOCUMENT_RANGE_FORMATTING)
    async def format_range(
        params: lsp.DocumentRangeFormattingParams,
    ) -> list[lsp.TextEdit] | None:
        start, end = params.range.start.line, params.range.end.line
        if end > start and params.range.end.character == 0:
            end -= 1  # a selection of whole lines ends at the start of the next one
        return await formatted(params.text_document.uri, (start, end))
