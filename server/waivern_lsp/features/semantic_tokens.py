"""Semantic tokens (`textDocument/semanticTokens/full` and `/range`): artifact ids,
references to artifacts, child runbook inputs and outputs, component types and `${VAR}`
coloured by what they are (`language.semantic_tokens`, which holds the legend: LSP's own
token types, so themes colour them without configuration).

Tokens are encoded as the protocol wants them (five integers each, relative to the token
before, columns in the client's position encoding), once per analysis for the whole
document; a range request answers from them.
"""

from __future__ import annotations

import weakref

from lsprotocol import types as lsp

from waivern_lsp.conversions import LineCodec
from waivern_lsp.language.semantic_tokens import (
    TOKEN_MODIFIERS,
    TOKEN_TYPES,
    SemanticToken,
    semantic_tokens,
)
from waivern_lsp.server import WaivernServer
from waivern_orchestration.analysis import Analysis

LEGEND = lsp.SemanticTokensLegend(
    token_types=list(TOKEN_TYPES), token_modifiers=list(TOKEN_MODIFIERS)
)


def encoded(tokens: list[SemanticToken], codec: LineCodec) -> list[int]:
    """The protocol's relative encoding: line delta, start delta, length, type, modifiers."""
    data: list[int] = []
    line = start = 0
    for token in tokens:
        first = codec.column_to_client(token.line, token.start)
        length = codec.column_to_client(token.line, token.start + token.length) - first
        delta = token.line - line
        column = first - start if delta == 0 else first
        data += (delta, column, length, int(token.type), int(token.modifiers))
        line, start = token.line, first
    return data


def register(server: WaivernServer) -> None:
    # Asked again on every change and scroll: once per analysis and encoding.
    made: weakref.WeakKeyDictionary[Analysis, tuple[str, list[SemanticToken], list[int]]] = (
        weakref.WeakKeyDictionary()
    )

    async def tokens_of(uri: str) -> tuple[list[SemanticToken], list[int], LineCodec] | None:
        document = await server.document(uri)
        if document is None or document.analysis is None:
            return None
        analysis = document.analysis
        codec = server.codec(document)
        known = made.get(analysis)
        if known is None or known[0] != server.position_encoding:
            tokens = semantic_tokens(analysis)
            known = made[analysis] = (server.position_encoding, tokens, encoded(tokens, codec))
        return known[1], known[2], codec

    @server.request(lsp.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, LEGEND)
    async def full(params: lsp.SemanticTokensParams) -> lsp.SemanticTokens | None:
        found = await tokens_of(params.text_document.uri)
        return None if found is None else lsp.SemanticTokens(data=list(found[1]))

    @server.request(lsp.TEXT_DOCUMENT_SEMANTIC_TOKENS_RANGE, LEGEND)
    async def in_range(params: lsp.SemanticTokensRangeParams) -> lsp.SemanticTokens | None:
        found = await tokens_of(params.text_document.uri)
        if found is None:
            return None
        tokens, _data, codec = found
        first, last = params.range.start.line, params.range.end.line
        shown = [token for token in tokens if first <= token.line <= last]
        return lsp.SemanticTokens(data=encoded(shown, codec))
