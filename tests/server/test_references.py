"""Find references through the real server: for what a child runbook declares, the places
in every runbook of the workspace that use it (open, or found on disk), with or without
the declaration as the client asks. Which places belong together is tested in-process
(tests/language/test_occurrences.py)."""

from __future__ import annotations

from lsprotocol import types as lsp

from lsp_support import LspSession, OpenDocument, one_client
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


@one_client
async def test_a_child_input_is_found_in_every_runbook_of_the_workspace(lsp: LspSession) -> None:
    # one parent is open, the other only on disk in the workspace
    lsp.write("child.yaml", CHILD)
    parent = lsp.open("runbook.yaml", PARENT)
    lsp.write("second.yaml", PARENT)
    lsp.write("unrelated.yaml", "name: not a runbook\n")
    child = lsp.open("child.yaml", CHILD.replace("  documents:", "  docu<|>ments:"))
    assert await references(lsp, child) == [
        ("child.yaml", 3, "documents"),  # the declaration
        ("child.yaml", 10, "documents"),  # the use in the child
        ("runbook.yaml", 13, "documents"),
        ("second.yaml", 13, "documents"),
    ]
    assert await references(lsp, child, declaration=False) == [
        ("child.yaml", 10, "documents"),
        ("runbook.yaml", 13, "documents"),
        ("second.yaml", 13, "documents"),
    ]

    # from a parent's input_mapping key into the child, closed: read from disk
    lsp.close(child)
    lsp.replace(parent, PARENT.replace("    documents: files", "    docu<|>ments: files"))
    assert await references(lsp, parent, declaration=False) == [
        ("child.yaml", 10, "documents"),
        ("runbook.yaml", 13, "documents"),
        ("second.yaml", 13, "documents"),
    ]
    # an artifact is named in its own runbook only
    lsp.replace(parent, PARENT.replace("  files:", "  fi<|>les:"))
    assert await references(lsp, parent) == [
        ("runbook.yaml", 3, "files"),
        ("runbook.yaml", 9, "files"),
        ("runbook.yaml", 13, "files"),
    ]
    # a field key names nothing
    lsp.replace(parent, PARENT.replace("    source:", "    sou<|>rce:"))
    assert await references(lsp, parent) == []
