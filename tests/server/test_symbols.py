"""Document symbols through the real server (the outline as a hierarchy, or a flat list
for clients without hierarchy support) and workspace symbols (the artifacts of every
runbook in the workspace, open or only on disk). The outline's kinds and details are
tested in-process (tests/language/test_runbook_symbols.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from lsprotocol import types

from lsp_support import LspSession, one_client
from navigation_support import session_without
from runbook_samples import CHILD, MAPPED_PARENT


async def document_symbols(
    session: LspSession, name: str
) -> list[types.DocumentSymbol] | list[types.SymbolInformation]:
    document = next(d for d in session.documents.values() if d.path.name == name)
    found = await session.client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=document.id)
    )
    assert found is not None
    return found  # type: ignore[return-value]


async def workspace_symbols(session: LspSession, query: str) -> list[tuple[str, str, str]]:
    found = await session.client.workspace_symbol_async(types.WorkspaceSymbolParams(query=query))
    assert found is not None
    return [
        (symbol.name, symbol.container_name or "", Path(symbol.location.uri).name)  # type: ignore[union-attr]
        for symbol in found
    ]


@one_client
async def test_the_outline_is_a_hierarchy_and_every_runbook_is_searched(
    lsp: LspSession,
) -> None:
    lsp.write("child.yaml", CHILD)  # a runbook by its content, never opened
    lsp.open("runbook.yaml", MAPPED_PARENT)
    symbols = await document_symbols(lsp, "runbook.yaml")
    assert all(isinstance(symbol, types.DocumentSymbol) for symbol in symbols)
    outline = [(s.name, s.kind, s.detail, s.selection_range.start.line) for s in symbols]
    assert outline == [
        ("files", types.SymbolKind.Event, "source: filesystem", 3),
        ("analysed", types.SymbolKind.Module, "child runbook: child.yaml", 8),
        ("summary", types.SymbolKind.Function, "findings_summary ← child_findings · output", 16),
    ]
    # the block of an artifact is its range; the names output_mapping makes are beneath it
    analysed = symbols[1]
    assert isinstance(analysed, types.DocumentSymbol)
    assert (analysed.range.start.line, analysed.range.end.line) == (8, 15)
    assert [(c.name, c.kind, c.detail) for c in analysed.children or ()] == [
        ("child_findings", types.SymbolKind.Field, "output findings")
    ]

    # workspace symbols: the runbooks open or on disk, not other YAML files
    lsp.write("config.yaml", "artifacts_dir: build\nfiles: 3\n")  # not a runbook
    lsp.write("node_modules/pkg/runbook.yaml", MAPPED_PARENT)  # skipped folder

    assert await workspace_symbols(lsp, "found") == [("found", "child.yaml", "child.yaml")]
    # a subsequence matches; exact and prefix matches first
    assert await workspace_symbols(lsp, "fin") == [
        ("findings", "child.yaml", "child.yaml"),
        ("child_findings", "runbook.yaml: analysed", "runbook.yaml"),
    ]
    every = await workspace_symbols(lsp, "")
    assert len(every) == 7  # 4 in the runbook; the child's input, output and artifact


def no_hierarchy(capabilities: types.ClientCapabilities) -> None:
    assert capabilities.text_document and capabilities.text_document.document_symbol
    capabilities.text_document.document_symbol.hierarchical_document_symbol_support = False


@pytest_asyncio.fixture
async def flat_client(tmp_path: Path) -> AsyncIterator[LspSession]:
    async with session_without(tmp_path, "neovim", no_hierarchy) as session:
        yield session


async def test_clients_without_hierarchy_get_a_flat_list(flat_client: LspSession) -> None:
    flat_client.write("child.yaml", CHILD)
    flat_client.open("runbook.yaml", MAPPED_PARENT)
    symbols = await document_symbols(flat_client, "runbook.yaml")
    assert all(isinstance(symbol, types.SymbolInformation) for symbol in symbols)
    assert [(s.name, s.container_name) for s in symbols] == [  # type: ignore[union-attr]
        ("files", None),
        ("analysed", None),
        ("child_findings", "analysed"),
        ("summary", None),
    ]
