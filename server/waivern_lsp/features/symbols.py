"""Document symbols (`textDocument/documentSymbol`) and workspace symbols
(`workspace/symbol`): the outline of a runbook, and "go to artifact" across every runbook
of the workspace.

A runbook's outline lists its artifacts, each with a kind and a detail saying how it is
produced (see `artifact_kinds`); the names a child runbook's `output_mapping` makes are
listed beneath its artifact, and a child runbook's declared inputs and outputs are listed
too. Clients that support it get the hierarchy (`DocumentSymbol`); others a flat list
(`SymbolInformation`) whose container names the parent.

Workspace symbols search the same names in every runbook of the workspace: open ones and
runbook files on disk under the workspace folders (found by the runbook globs or by
content). The query matches case-insensitively as a subsequence (`pdf` finds
`personal_data_findings`); exact, prefix and substring matches come first.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types as lsp

from waivern_lsp.conversions import LineCodec, symbol_kind
from waivern_lsp.language.artifact_kinds import (
    ALIAS_KIND,
    INPUT_KIND,
    OUTPUT_KIND,
    SymbolKind,
    artifact_detail,
    artifact_kind,
)
from waivern_lsp.runbook_index import IndexedRunbook
from waivern_lsp.server import WaivernServer
from waivern_orchestration.analysis import Analysis
from waivern_orchestration.analysis.facts import ArtifactInfo
from waivern_orchestration.parse.positions import Range

MAX_WORKSPACE_SYMBOLS = 1_000


@dataclass(frozen=True, slots=True)
class RunbookSymbol:
    name: str
    kind: SymbolKind
    detail: str
    range: Range
    selection: Range
    children: tuple[RunbookSymbol, ...] = ()


_outlines: weakref.WeakKeyDictionary[Analysis, list[RunbookSymbol]] = weakref.WeakKeyDictionary()


def runbook_symbols(analysis: Analysis) -> list[RunbookSymbol]:
    """The outline of a runbook, in document order (made once per analysis)."""
    outline = _outlines.get(analysis)
    if outline is None:
        outline = _outlines[analysis] = _outline(analysis)
    return outline


def _outline(analysis: Analysis) -> list[RunbookSymbol]:
    found: list[RunbookSymbol] = []
    header = analysis.header
    if header is not None:
        for name, declared in header.inputs.items():
            detail = f"input: {declared.schema}" if declared.schema else "input"
            range_ = declared.name.range
            found.append(RunbookSymbol(name, INPUT_KIND, detail, range_, range_))
        for name, offered in header.outputs.items():
            detail = f"output → {offered.artifact.name}" if offered.artifact else "output"
            range_ = offered.name.range
            found.append(RunbookSymbol(name, OUTPUT_KIND, detail, range_, range_))
    found += (_artifact_symbol(info) for info in analysis.artifact_list)
    found.sort(key=lambda symbol: symbol.selection.start)
    return [symbol for symbol in found if symbol.name]  # clients refuse nameless symbols


def _artifact_symbol(info: ArtifactInfo) -> RunbookSymbol:
    children: tuple[RunbookSymbol, ...] = ()
    if info.child is not None:
        children = tuple(
            RunbookSymbol(alias.name, ALIAS_KIND, f"output {output.name}", alias.range, alias.range)
            for output, alias in info.child.output_mapping or ()
        )
    return RunbookSymbol(
        info.id, artifact_kind(info), artifact_detail(info), info.range, info.key_range, children
    )


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


def match_score(query: str, name: str) -> int | None:
    """How well the name matches the query, lower is better; None: no match."""
    if not query:
        return 0
    query, name = query.lower(), name.lower()
    if name == query:
        return 0
    if name.startswith(query):
        return 1
    if query in name:
        return 2
    position = 0
    for char in query:
        position = name.find(char, position) + 1
        if position == 0:
            return None
    return 3


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
            for symbol, parent in _every(runbook_symbols(runbook.analysis)):
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


def _every(
    symbols: tuple[RunbookSymbol, ...] | list[RunbookSymbol], parent: str | None = None
) -> Iterator[tuple[RunbookSymbol, str | None]]:
    for symbol in symbols:
        yield symbol, parent
        yield from _every(symbol.children, symbol.name)
