"""Document symbols (`textDocument/documentSymbol`) and workspace symbols
(`workspace/symbol`): the outline of a runbook, and "go to artifact" across every runbook
of the workspace.

A runbook's outline (`language.outline`) lists its artifacts, the names a child runbook's
`output_mapping` makes, and a child runbook's declared inputs and outputs. Clients that
support it get the hierarchy (`DocumentSymbol`); others a flat list
(`SymbolInformation`) whose container names the parent.

Workspace symbols search the same names in every runbook of the workspace: open ones and
runbook files on disk under the workspace folders (found by the runbook globs or by
content). The query matches case-insensitively as a subsequence (`pdf` finds
`personal_data_findings`); exact, prefix and substring matches come first.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from pathlib import Path

from lsprotocol import types as lsp

from waivern_lsp.conversions import LineCodec, symbol_kind
from waivern_lsp.language.outline import RunbookSymbol, every_symbol, match_score, runbook_symbols
from waivern_lsp.runbook_index import IndexedRunbook
from waivern_lsp.server import WaivernServer
from waivern_orchestration.analysis import Analysis

MAX_WORKSPACE_SYMBOLS = 1_000


def _document_symbol(symbol: RunbookSymbol, codec: LineCodec) -> lsp.DocumentSymbol:
    return lsp.DocumentSymbol(
        name=symbol.name,
        kind=symbol_kind(symbol.kind),
        detail=symbol.detail or None,
        range=codec.range(symbol.range),
        selection_range=codec.range(symbol.selection),
        children=[_document_symbol(child, codec) for child in symbol.children] or None,
    )


def _flat(
    symbols: list[RunbookSymbol], uri: str, codec: LineCodec, container: str | None = None
) -> Iterator[lsp.SymbolInformation]:
    for symbol in symbols:
        yield lsp.SymbolInformation(
            name=symbol.name,
            kind=symbol_kind(symbol.kind),
            location=lsp.Location(uri=uri, range=codec.range(symbol.range)),
            container_name=container,
        )
        yield from _flat(list(symbol.children), uri, codec, symbol.name)


def _container(runbook: IndexedRunbook, roots: tuple[Path, ...]) -> str:
    for root in roots:
        if runbook.path.is_relative_to(root):
            return runbook.path.relative_to(root).as_posix()
    return runbook.path.name


def register(server: WaivernServer) -> None:
    index = server.index
    # the outline is asked for again and again (outline view, breadcrumbs): once per text
    answered: weakref.WeakKeyDictionary[
        Analysis, tuple[str, list[lsp.DocumentSymbol] | list[lsp.SymbolInformation]]
    ] = weakref.WeakKeyDictionary()

    @server.request(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def document_symbols(
        params: lsp.DocumentSymbolParams,
    ) -> list[lsp.DocumentSymbol] | list[lsp.SymbolInformation] | None:
        here = await index.document(params.text_document.uri)
        if here is None:
            return None
        made = answered.get(here.analysis)
        if made is not None and made[0] == here.uri:
            return made[1]
        codec = here.codec(index.encoding)
        symbols = runbook_symbols(here.analysis)
        answer: list[lsp.DocumentSymbol] | list[lsp.SymbolInformation]
        if server.supports("text_document.document_symbol.hierarchical_document_symbol_support"):
            answer = [_document_symbol(symbol, codec) for symbol in symbols]
        else:
            answer = list(_flat(symbols, here.uri, codec))
        answered[here.analysis] = (here.uri, answer)
        return answer

    @server.request(lsp.WORKSPACE_SYMBOL)
    async def workspace_symbols(
        params: lsp.WorkspaceSymbolParams,
    ) -> list[lsp.SymbolInformation] | None:
        roots = tuple(root.resolve() for root in server.runbooks.roots)
        scored: list[tuple[int, int, IndexedRunbook, RunbookSymbol, str]] = []
        for runbook in await index.runbooks():
            container = _container(runbook, roots)
            for symbol, parent in every_symbol(runbook_symbols(runbook.analysis)):
                score = match_score(params.query, symbol.name)
                if score is not None:
                    where = container if parent is None else f"{container}: {parent}"
                    scored.append((score, len(scored), runbook, symbol, where))
        scored.sort(key=lambda item: item[:2])
        return [
            lsp.SymbolInformation(
                name=symbol.name,
                kind=symbol_kind(symbol.kind),
                location=index.location(runbook, symbol.selection),
                container_name=where,
            )
            for _score, _order, runbook, symbol, where in scored[:MAX_WORKSPACE_SYMBOLS]
        ]
