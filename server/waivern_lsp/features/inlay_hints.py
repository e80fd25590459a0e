"""Inlay hints (`textDocument/inlayHint`): each artifact's resolved output schema, shown
after its id (`files: → standard_input/1.0.0`), so what flows between artifacts can be
read without hovering. Only for the lines asked for; none where the schema is unknown;
nothing for a client that does not declare inlay hint support."""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types as lsp

from waivern_lsp.server import WaivernServer
from waivern_orchestration.analysis import Analysis
from waivern_orchestration.parse.positions import Position


def register(server: WaivernServer) -> None:
    @server.request(lsp.TEXT_DOCUMENT_INLAY_HINT, lsp.InlayHintOptions(resolve_provider=False))
    async def inlay_hint(params: lsp.InlayHintParams) -> list[lsp.InlayHint] | None:
        if not server.supports("text_document.inlay_hint"):
            return None
        document = await server.document(params.text_document.uri)
        if document is None or document.analysis is None:
            return None
        codec = server.codec(document)
        first, last = params.range.start.line, params.range.end.line
        return [
            lsp.InlayHint(
                position=codec.position(position),
                label=label,
                kind=lsp.InlayHintKind.Type,
                padding_left=True,
            )
            for position, label in schema_hints(document.analysis, document.lines, first, last)
        ]


def schema_hints(
    analysis: Analysis, lines: Sequence[str], first_line: int, last_line: int
) -> list[tuple[Position, str]]:
    """(where, label) for each artifact whose id stands on the lines first..last and whose
    output schema is known: just after the `:` of its key."""
    hints: list[tuple[Position, str]] = []
    for info in analysis.artifact_list:
        end = info.key_range.end
        if not first_line <= end.line <= last_line:
            continue
        schema = analysis.schemas.get(info.id)
        if schema is None:
            continue
        after_colon = lines[end.line][end.character : end.character + 1] == ":"
        hints.append((Position(end.line, end.character + after_colon), f"→ {schema}"))
    return hints
