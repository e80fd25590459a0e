"""Call hierarchy through the real server: prepared on an artifact, then incoming calls
(the artifacts that take its output) and outgoing calls (those it takes input from), each
item found again by its URI, with the ranges where the dependency is written. The graph
itself is tested in-process (tests/language/test_artifact_graph.py)."""

from __future__ import annotations

from lsprotocol import types

from lsp_support import LspSession, OpenDocument, one_client
from runbook_samples import CHILD, MAPPED_PARENT


async def prepare(session: LspSession, document: OpenDocument) -> types.CallHierarchyItem:
    items = await session.client.text_document_prepare_call_hierarchy_async(
        types.CallHierarchyPrepareParams(text_document=document.id, position=document.at())
    )
    assert items is not None and len(items) == 1
    return items[0]


def lines(ranges: list[types.Range]) -> list[tuple[int, int]]:
    return [(r.start.line, r.start.character) for r in ranges]


@one_client
async def test_lineage_of_an_artifact_prepared_from_a_child_output_alias(lsp: LspSession) -> None:
    lsp.write("child.yaml", CHILD)
    document = lsp.open(
        "runbook.yaml", MAPPED_PARENT.replace("inputs: child_findings", "inputs: child_fin<|>dings")
    )
    # the alias stands for the artifact that runs the child runbook
    item = await prepare(lsp, document)
    assert (item.name, item.kind, item.detail) == (
        "analysed",
        types.SymbolKind.Module,
        "child runbook: child.yaml",
    )
    assert item.selection_range.start.line == 8

    outgoing = await lsp.client.call_hierarchy_outgoing_calls_async(
        types.CallHierarchyOutgoingCallsParams(item=item)
    )
    assert outgoing is not None
    # `inputs: files` and the `input_mapping` value both say where the input comes from
    assert [(call.to.name, call.to.kind, lines(call.from_ranges)) for call in outgoing] == [
        ("files", types.SymbolKind.Event, [(9, 12), (13, 19)])
    ]
    incoming = await lsp.client.call_hierarchy_incoming_calls_async(
        types.CallHierarchyIncomingCallsParams(item=item)
    )
    assert incoming is not None
    assert [(call.from_.name, lines(call.from_ranges)) for call in incoming] == [
        ("summary", [(17, 12)])
    ]
    # a child runbook's declared input is an item too, used by its artifacts
    child = lsp.open("child.yaml", CHILD.replace("  documents:", "  docu<|>ments:"))
    item = await prepare(lsp, child)
    assert (item.name, item.kind, item.detail) == (
        "documents",
        types.SymbolKind.Variable,
        "input: standard_input/1.0.0",
    )
    incoming = await lsp.client.call_hierarchy_incoming_calls_async(
        types.CallHierarchyIncomingCallsParams(item=item)
    )
    assert incoming is not None
    assert [(call.from_.name, lines(call.from_ranges)) for call in incoming] == [
        ("found", [(10, 12)])
    ]

    # a field key: nothing to prepare
    lsp.replace(document, MAPPED_PARENT.replace("    source:", "    sou<|>rce:"))
    assert (
        await lsp.client.text_document_prepare_call_hierarchy_async(
            types.CallHierarchyPrepareParams(text_document=document.id, position=document.at())
        )
        is None
    )
