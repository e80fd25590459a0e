"""Call hierarchy over the artifact graph: incoming calls are the artifacts that take an
artifact's output, outgoing calls the artifacts it takes input from, each with the
ranges where the dependency is written."""

from __future__ import annotations

from lsprotocol import types

from lsp_support import LspSession, OpenDocument

RUNBOOK = """\
name: Scan
description: Finds personal data
artifacts:
  files:
    source:
      type: filesystem
      properties:
        path: data
  database:
    source:
      type: sqlite
      properties:
        database_path: customers.db
  fin<|>dings:
    inputs: [files, database]
    process:
      type: personal_data
  summary:
    inputs: findings
    process:
      type: findings_summary
    output: true
"""


async def prepare(session: LspSession, document: OpenDocument) -> types.CallHierarchyItem:
    items = await session.client.text_document_prepare_call_hierarchy_async(
        types.CallHierarchyPrepareParams(text_document=document.id, position=document.at())
    )
    assert items is not None and len(items) == 1
    return items[0]


def lines(ranges: list[types.Range]) -> list[tuple[int, int]]:
    return [(r.start.line, r.start.character) for r in ranges]


async def test_lineage_of_an_artifact(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", RUNBOOK)
    item = await prepare(lsp, document)
    assert (item.name, item.kind, item.detail) == (
        "findings",
        types.SymbolKind.Function,
        "personal_data ← files, database",
    )
    assert item.selection_range.start.line == 13

    incoming = await lsp.client.call_hierarchy_incoming_calls_async(
        types.CallHierarchyIncomingCallsParams(item=item)
    )
    assert incoming is not None
    assert [(call.from_.name, lines(call.from_ranges)) for call in incoming] == [
        ("summary", [(18, 12)])  # `inputs: findings` in summary
    ]

    outgoing = await lsp.client.call_hierarchy_outgoing_calls_async(
        types.CallHierarchyOutgoingCallsParams(item=item)
    )
    assert outgoing is not None
    assert [(call.to.name, call.to.kind, lines(call.from_ranges)) for call in outgoing] == [
        ("files", types.SymbolKind.Event, [(14, 13)]),
        ("database", types.SymbolKind.Event, [(14, 20)]),
    ]


async def test_prepared_from_a_use_and_through_a_child_output_alias(lsp: LspSession) -> None:
    lsp.write(
        "child.yaml",
        """\
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
        """,
    )
    document = lsp.open(
        "runbook.yaml",
        """\
        name: Parent
        description: Uses a child runbook
        artifacts:
          files:
            source:
              type: filesystem
              properties:
                path: data
          analysis:
            inputs: files
            child_runbook:
              path: child.yaml
              input_mapping:
                documents: files
              output_mapping:
                findings: child_findings
          summary:
            inputs: child_fin<|>dings
            process:
              type: findings_summary
            output: true
        """,
    )
    # the alias stands for the artifact that runs the child runbook
    item = await prepare(lsp, document)
    assert (item.name, item.kind) == ("analysis", types.SymbolKind.Module)
    outgoing = await lsp.client.call_hierarchy_outgoing_calls_async(
        types.CallHierarchyOutgoingCallsParams(item=item)
    )
    assert outgoing is not None
    # `inputs: files` and the `input_mapping` value both say where the input comes from
    assert [(call.to.name, lines(call.from_ranges)) for call in outgoing] == [
        ("files", [(9, 12), (13, 19)])
    ]
    incoming = await lsp.client.call_hierarchy_incoming_calls_async(
        types.CallHierarchyIncomingCallsParams(item=item)
    )
    assert incoming is not None
    assert [(call.from_.name, lines(call.from_ranges)) for call in incoming] == [
        ("summary", [(17, 12)])
    ]
