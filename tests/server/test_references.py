"""Find references: every use of an artifact in its runbook, and for what a child runbook
declares, the places in the runbooks that use it (open or only on disk)."""

from __future__ import annotations

from lsprotocol import types as lsp

from lsp_support import LspSession, OpenDocument
from navigation_support import CHILD, PARENT, Spot, spots


async def references(
    session: LspSession, document: OpenDocument, *, declaration: bool = True
) -> list[Spot]:
    found = await session.client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=document.id,
            position=document.at(),
            context=lsp.ReferenceContext(include_declaration=declaration),
        )
    )
    return sorted(spots(session, found))


RUNBOOK = """\
name: Scan
description: Finds personal data
artifacts:
  fi<|>les:
    source:
      type: filesystem
      properties:
        path: data
  findings:
    inputs: [files]
    process:
      type: personal_data
  summary:
    inputs:
      - findings
      - files
    process:
      type: findings_summary
    output: true
"""


async def test_every_use_of_an_artifact(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", RUNBOOK)
    assert await references(lsp, document) == [
        ("runbook.yaml", 3, "files"),
        ("runbook.yaml", 9, "files"),
        ("runbook.yaml", 15, "files"),
    ]
    # without the declaration; asked from a use
    lsp.replace(document, RUNBOOK.replace("fi<|>les:", "files:").replace("- files", "- fi<|>les"))
    assert await references(lsp, document, declaration=False) == [
        ("runbook.yaml", 9, "files"),
        ("runbook.yaml", 15, "files"),
    ]


async def test_a_child_input_is_fed_by_the_parents_input_mapping(lsp: LspSession) -> None:
    # one parent is open, the other only on disk in the workspace
    lsp.write("child.yaml", CHILD)
    lsp.open("runbook.yaml", PARENT)
    lsp.write("second.yaml", PARENT)
    lsp.write("unrelated.yaml", "name: not a runbook\n")
    child = lsp.open("child.yaml", CHILD.replace("  documents:", "  docu<|>ments:"))
    assert await references(lsp, child) == [
        ("child.yaml", 3, "documents"),  # the declaration
        ("child.yaml", 10, "documents"),  # the use in the child
        ("runbook.yaml", 13, "documents"),
        ("second.yaml", 13, "documents"),
    ]


async def test_from_a_parents_input_mapping_key_into_the_child(lsp: LspSession) -> None:
    lsp.write("child.yaml", CHILD)
    parent = lsp.open(
        "runbook.yaml", PARENT.replace("    documents: files", "    docu<|>ments: files")
    )
    assert await references(lsp, parent, declaration=False) == [
        ("child.yaml", 10, "documents"),
        ("runbook.yaml", 13, "documents"),
    ]


async def test_a_child_output_is_taken_by_the_parents_output(lsp: LspSession) -> None:
    child = lsp.open("child.yaml", CHILD.replace("  findings:", "  find<|>ings:"))
    lsp.open("runbook.yaml", PARENT)
    assert await references(lsp, child) == [
        ("child.yaml", 6, "findings"),
        ("runbook.yaml", 14, "findings"),
    ]


async def test_a_child_runbook_path_finds_every_parent_using_the_file(lsp: LspSession) -> None:
    lsp.write("child.yaml", CHILD)
    lsp.write("second.yaml", PARENT)
    parent = lsp.open("runbook.yaml", PARENT.replace("path: child.yaml", "path: chi<|>ld.yaml"))
    assert await references(lsp, parent) == [
        ("runbook.yaml", 11, "child.yaml"),
        ("second.yaml", 11, "child.yaml"),
    ]


async def test_an_artifact_standing_for_a_child_output_is_listed_once(lsp: LspSession) -> None:
    lsp.write("child.yaml", CHILD)
    runbook = PARENT.replace("  analysed:", "  analy<|>sed:").replace(
        "    output: true\n",
        "  summary:\n    inputs: analysed\n    process:\n      type: findings_summary\n"
        "    output: true\n",
    )
    parent = lsp.open("runbook.yaml", runbook)
    assert await references(lsp, parent) == [
        ("runbook.yaml", 8, "analysed"),
        ("runbook.yaml", 16, "analysed"),
    ]
