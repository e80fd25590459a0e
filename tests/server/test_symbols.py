"""Document symbols (the outline of a runbook) and workspace symbols (artifacts of every
runbook in the workspace, open or not)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from lsprotocol import types

from lsp_support import LspSession
from navigation_support import session_without

RUNBOOK = """\
name: Scan
description: Finds personal data
artifacts:
  files:
    source:
      type: filesystem
      properties:
        path: data
  findings:
    inputs: [files]
    process:
      type: personal_data
    output: true
  analysis:
    inputs: files
    child_runbook:
      path: child.yaml
      input_mapping:
        documents: files
      output_mapping:
        findings: child_findings
"""

CHILD = """\
name: Child
description: Analyses documents
inputs:
  documents:
    input_schema: standard_input/1.0.0
outputs:
  findings:
    artifact: found
artifacts:
  found:
    inputs: documents
    process:
      type: personal_data
"""


async def document_symbols(
    session: LspSession, name: str
) -> list[types.DocumentSymbol] | list[types.SymbolInformation]:
    document = next(d for d in session.documents.values() if d.path.name == name)
    found = await session.client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=document.id)
    )
    assert found is not None
    return found  # type: ignore[return-value]


async def test_the_outline_lists_artifacts_by_how_they_are_produced(lsp: LspSession) -> None:
    lsp.write("child.yaml", CHILD)
    lsp.open("runbook.yaml", RUNBOOK)
    symbols = await document_symbols(lsp, "runbook.yaml")
    assert all(isinstance(symbol, types.DocumentSymbol) for symbol in symbols)
    outline = [(s.name, s.kind, s.detail, s.selection_range.start.line) for s in symbols]
    assert outline == [
        ("files", types.SymbolKind.Event, "source: filesystem", 3),
        ("findings", types.SymbolKind.Function, "personal_data ← files · output", 8),
        ("analysis", types.SymbolKind.Module, "child runbook: child.yaml", 13),
    ]
    # the block of an artifact is its range; the names output_mapping makes are beneath it
    analysis = symbols[2]
    assert isinstance(analysis, types.DocumentSymbol)
    assert (analysis.range.start.line, analysis.range.end.line) == (13, 20)
    assert [(c.name, c.kind, c.detail) for c in analysis.children or ()] == [
        ("child_findings", types.SymbolKind.Field, "output findings")
    ]


async def test_a_child_runbook_lists_its_inputs_and_outputs(lsp: LspSession) -> None:
    lsp.open("child.yaml", CHILD)
    symbols = await document_symbols(lsp, "child.yaml")
    assert [(s.name, s.kind, s.detail) for s in symbols] == [  # type: ignore[union-attr]
        ("documents", types.SymbolKind.Variable, "input: standard_input/1.0.0"),
        ("findings", types.SymbolKind.Property, "output → found"),
        ("found", types.SymbolKind.Function, "personal_data ← documents"),
    ]


def no_hierarchy(capabilities: types.ClientCapabilities) -> None:
    assert capabilities.text_document and capabilities.text_document.document_symbol
    capabilities.text_document.document_symbol.hierarchical_document_symbol_support = False


@pytest_asyncio.fixture
async def flat_client(tmp_path: Path) -> AsyncIterator[LspSession]:
    async with session_without(tmp_path, "neovim", no_hierarchy) as session:
        yield session


async def test_clients_without_hierarchy_get_a_flat_list(flat_client: LspSession) -> None:
    flat_client.write("child.yaml", CHILD)
    flat_client.open("runbook.yaml", RUNBOOK)
    symbols = await document_symbols(flat_client, "runbook.yaml")
    assert all(isinstance(symbol, types.SymbolInformation) for symbol in symbols)
    assert [(s.name, s.container_name) for s in symbols] == [  # type: ignore[union-attr]
        ("files", None),
        ("findings", None),
        ("analysis", None),
        ("child_findings", "analysis"),
    ]


async def workspace_symbols(session: LspSession, query: str) -> list[tuple[str, str, str]]:
    found = await session.client.workspace_symbol_async(types.WorkspaceSymbolParams(query=query))
    assert found is not None
    return [
        (symbol.name, symbol.container_name or "", Path(symbol.location.uri).name)  # type: ignore[union-attr]
        for symbol in found
    ]


async def test_workspace_symbols_search_every_runbook_open_or_not(lsp: LspSession) -> None:
    lsp.open("runbook.yaml", RUNBOOK)
    lsp.write("child.yaml", CHILD)  # a runbook by its content, never opened
    lsp.write("config.yaml", "artifacts_dir: build\nfiles: 3\n")  # not a runbook
    lsp.write("node_modules/pkg/runbook.yaml", RUNBOOK)  # skipped folder

    assert await workspace_symbols(lsp, "found") == [("found", "child.yaml", "child.yaml")]
    # a subsequence matches; exact and prefix matches first
    assert await workspace_symbols(lsp, "fin") == [
        ("findings", "runbook.yaml", "runbook.yaml"),
        ("findings", "child.yaml", "child.yaml"),
        ("child_findings", "runbook.yaml: analysis", "runbook.yaml"),
    ]
    assert await workspace_symbols(lsp, "chfn") == [
        ("child_findings", "runbook.yaml: analysis", "runbook.yaml")
    ]
    every = await workspace_symbols(lsp, "")
    assert len(every) == 7  # 4 in the runbook; the child's input, output and artifact
