"""Rename: an artifact id (or a child runbook's input) everywhere at once, after
`prepareRename` says what will be renamed; refused, with a reason, where it cannot be."""

from __future__ import annotations

import textwrap

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from lsp_support import LspSession, OpenDocument
from navigation_support import CHILD, PARENT, edited_texts

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
    output: true
  strict_findings:
    inputs: "files"
    process:
      type: personal_data
      properties:
        ruleset: strict
    output: true
"""


async def rename(session: LspSession, document: OpenDocument, new_name: str) -> dict[str, str]:
    edit = await session.client.text_document_rename_async(
        types.RenameParams(text_document=document.id, position=document.at(), new_name=new_name)
    )
    assert edit is not None
    if session.client_name == "visual_studio_code":  # versioned document changes
        assert edit.document_changes and not edit.changes
    else:
        assert edit.changes and not edit.document_changes
    return edited_texts(session, edit)


async def test_prepare_rename_names_the_artifact(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", RUNBOOK)
    prepared = await lsp.client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=document.id, position=document.at())
    )
    assert isinstance(prepared, types.PrepareRenamePlaceholder)
    assert prepared.placeholder == "files"
    assert prepared.range == types.Range(
        start=types.Position(line=3, character=2), end=types.Position(line=3, character=7)
    )


async def test_renaming_an_artifact_renames_every_use(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", RUNBOOK)
    renamed = (await rename(lsp, document, "documents"))["runbook.yaml"]
    expected = RUNBOOK.replace("fi<|>les:", "documents:").replace("[files]", "[documents]")
    assert renamed == textwrap.dedent(expected).replace('"files"', '"documents"')
    lsp.replace(document, renamed)
    assert await lsp.diagnostics(document) == []


async def test_a_name_yaml_reads_as_something_else_is_quoted(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", RUNBOOK)
    renamed = (await rename(lsp, document, "yes"))["runbook.yaml"]
    assert '  "yes":' in renamed and 'inputs: ["yes"]' in renamed
    lsp.replace(document, renamed)
    assert await lsp.diagnostics(document) == []


async def prepare_refused(session: LspSession, document: OpenDocument) -> str:
    with pytest.raises(JsonRpcException) as refused:
        await session.client.text_document_prepare_rename_async(
            types.PrepareRenameParams(text_document=document.id, position=document.at())
        )
    return refused.value.message


async def rename_refused(session: LspSession, document: OpenDocument, new_name: str) -> str:
    with pytest.raises(JsonRpcException) as refused:
        await session.client.text_document_rename_async(
            types.RenameParams(text_document=document.id, position=document.at(), new_name=new_name)
        )
    return refused.value.message


async def test_what_cannot_be_renamed_is_refused_with_a_reason(lsp: LspSession) -> None:
    document = lsp.open(
        "runbook.yaml",
        RUNBOOK.replace("fi<|>les:", "files:").replace("type: filesystem", "type: file<|>system"),
    )
    assert "only an artifact id" in await prepare_refused(lsp, document)

    lsp.replace(document, RUNBOOK.replace("[files]", "[fi<|>lez]").replace("fi<|>les:", "files:"))
    assert "`filez` is not an artifact of this runbook" in await prepare_refused(lsp, document)


async def test_an_invalid_or_taken_new_name_is_refused(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", RUNBOOK)
    assert "not a valid name" in await rename_refused(lsp, document, "my files")
    assert "not a valid name" in await rename_refused(lsp, document, "2nd")
    assert "`findings` is already an artifact" in await rename_refused(lsp, document, "findings")


async def test_renaming_a_child_input_renames_the_parents_mapping_keys(lsp: LspSession) -> None:
    lsp.write("child.yaml", CHILD)
    parent = lsp.open("runbook.yaml", PARENT)
    lsp.write("second.yaml", PARENT)  # a parent only on disk
    child = lsp.open("child.yaml", CHILD.replace("  documents:", "  docu<|>ments:"))
    texts = await rename(lsp, child, "texts")
    assert sorted(texts) == ["child.yaml", "runbook.yaml", "second.yaml"]
    # the declaration and the use; the description keeps its word
    assert texts["child.yaml"] == (
        CHILD.replace("  documents:", "  texts:").replace("inputs: documents", "inputs: texts")
    )
    assert texts["runbook.yaml"] == PARENT.replace("documents: files", "texts: files")
    assert texts["second.yaml"] == texts["runbook.yaml"]

    lsp.replace(child, texts["child.yaml"])
    lsp.replace(parent, texts["runbook.yaml"])
    assert await lsp.diagnostics(child) == []
    assert await lsp.diagnostics(parent) == []


async def test_renaming_a_child_output_alias_keeps_the_child_output(lsp: LspSession) -> None:
    lsp.write("child.yaml", CHILD)
    runbook = PARENT.replace(
        "output: findings\n    output: true",
        "output_mapping:\n        findings: child_findings\n"
        "  summary:\n    inputs: child_fin<|>dings\n"
        "    process:\n      type: findings_summary\n    output: true",
    )
    document = lsp.open("runbook.yaml", runbook)
    renamed = (await rename(lsp, document, "pd_findings"))["runbook.yaml"]
    assert "findings: pd_findings" in renamed  # the child's output name stays
    assert "inputs: pd_findings" in renamed
    lsp.replace(document, renamed)
    assert await lsp.diagnostics(document) == []
