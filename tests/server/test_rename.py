"""Rename through the real server: `prepareRename` answers with the range and placeholder
or refuses with a message the client shows; `rename` edits every runbook of the workspace
that names the child runbook's input (open or only on disk), as versioned
`documentChanges` or plain `changes` as the client takes them. Which names may be renamed,
to what, and the text written are tested in-process (tests/language/test_renames.py)."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from lsp_support import LspSession, OpenDocument, one_client
from navigation_support import CHILD, PARENT, edited_texts, path_of
from runbook_samples import SCAN


async def rename(session: LspSession, document: OpenDocument, new_name: str) -> dict[str, str]:
    edit = await session.client.text_document_rename_async(
        types.RenameParams(text_document=document.id, position=document.at(), new_name=new_name)
    )
    assert edit is not None
    if session.client_name == "visual_studio_code":  # versioned document changes
        assert edit.document_changes and not edit.changes
        opened = {d.path.resolve(): d.version for d in session.documents.values()}
        for change in edit.document_changes:
            assert isinstance(change, types.TextDocumentEdit)
            path = path_of(change.text_document.uri).resolve()
            assert change.text_document.version == opened.get(path)  # None: a file on disk
    else:
        assert edit.changes and not edit.document_changes
    return edited_texts(session, edit)


async def test_a_child_input_is_renamed_in_every_runbook_of_the_workspace(
    lsp: LspSession,
) -> None:
    lsp.write("child.yaml", CHILD)
    parent = lsp.open("runbook.yaml", PARENT)
    lsp.write("second.yaml", PARENT)  # a parent only on disk
    child = lsp.open("child.yaml", CHILD.replace("  documents:", "  docu<|>ments:"))
    prepared = await lsp.client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=child.id, position=child.at())
    )
    assert isinstance(prepared, types.PrepareRenamePlaceholder)
    assert prepared.placeholder == "documents"
    assert prepared.range == types.Range(
        start=types.Position(line=3, character=2), end=types.Position(line=3, character=11)
    )

    texts = await rename(lsp, child, "texts")
    assert sorted(texts) == ["child.yaml", "runbook.yaml", "second.yaml"]
    assert texts["runbook.yaml"] == PARENT.replace("documents: files", "texts: files")
    assert texts["second.yaml"] == texts["runbook.yaml"]
    lsp.replace(child, texts["child.yaml"])
    lsp.replace(parent, texts["runbook.yaml"])
    assert await lsp.diagnostics(child) == []
    assert await lsp.diagnostics(parent) == []

    # the same name: nothing to change
    lsp.replace(child, texts["child.yaml"].replace("  texts:", "  te<|>xts:"))
    same = await lsp.client.text_document_rename_async(
        types.RenameParams(text_document=child.id, position=child.at(), new_name="texts")
    )
    assert same == types.WorkspaceEdit(changes={})


@one_client
async def test_what_cannot_be_renamed_is_refused_with_a_message(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", SCAN.replace("type: filesystem", "type: file<|>system"))
    with pytest.raises(JsonRpcException) as refused:
        await lsp.client.text_document_prepare_rename_async(
            types.PrepareRenameParams(text_document=document.id, position=document.at())
        )
    assert "only an artifact id" in refused.value.message

    lsp.replace(document, SCAN.replace("  files:", "  fi<|>les:"))
    with pytest.raises(JsonRpcException) as refused:
        await lsp.client.text_document_rename_async(
            types.RenameParams(text_document=document.id, position=document.at(), new_name="2nd")
        )
    assert "`2nd` is not a valid name" in refused.value.message
