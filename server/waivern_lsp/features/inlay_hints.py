"""Inlay hints (`textDocument/inlayHint`): each artifact's resolved output schema, shown
after its id (`files: → standard_input/1.0.0`), so what flows between artifacts can be
read without hovering, and the value of each `${VAR}` that is set and no secret
(`${DATA_DIR}` `= ./data`, from the environment or a `.env` file). Only for the lines
asked for; none where the schema is unknown; nothing for a client that does not declare
inlay hint support."""

from __future__ import annotations

from lsprotocol import types as lsp

from waivern_lsp.language.schema_hints import schema_hints
from waivern_lsp.language.variable_hints import variable_hints
from waivern_lsp.server import WaivernServer


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
        hints = [
            lsp.InlayHint(
                position=codec.position(position),
                label=label,
                kind=lsp.InlayHintKind.Type,
                padding_left=True,
            )
            for position, label in schema_hints(document.analysis, document.lines, first, last)
        ]
        if document.analysis.env_sites:
            env = server.runbooks.environment(document.path)
            hints += [
                lsp.InlayHint(position=codec.position(position), label=label, padding_left=True)
                for position, label in variable_hints(document.analysis, env, first, last)
            ]
        return hints
