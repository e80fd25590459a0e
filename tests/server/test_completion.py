"""Completion through the real server: items as each client takes them (snippets or plain
text, Markdown documentation, indentation), ranges in the client's units, trigger
characters that pop nothing up where nothing applies, long lists sent in part, and what
the server reads besides the document (its run store, its environment, a child runbook
on disk). What is offered where is tested in-process (tests/language/test_complete.py)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from lsp_support import LspSession, OpenDocument, from_client, one_client, start_session, to_client
from run_support import run
from runbook_samples import CHILD, PARENT, SCAN

NEW_ARTIFACT = SCAN + "  more:\n    <|>\n"


def labels(items: Sequence[types.CompletionItem]) -> list[str]:
    return [item.label for item in items]


def item(items: Sequence[types.CompletionItem], label: str) -> types.CompletionItem:
    found = [candidate for candidate in items if candidate.label == label]
    assert found, f"{label!r} not offered; offered: {labels(items)}"
    return found[0]


def accept(lsp: LspSession, document: OpenDocument, chosen: types.CompletionItem) -> str:
    """The cursor's line once the item is accepted (its text edit applied)."""
    edit = chosen.text_edit
    assert isinstance(edit, types.TextEdit)
    assert edit.range.start.line == edit.range.end.line == document.at().line
    start = from_client(document.text, edit.range.start, lsp.encoding).character
    end = from_client(document.text, edit.range.end, lsp.encoding).character
    line = document.text.split("\n")[document.at().line]
    return line[:start] + edit.new_text + line[end:]


async def complete_at(
    lsp: LspSession, text: str
) -> tuple[OpenDocument, list[types.CompletionItem]]:
    document = lsp.open("runbook.yaml", text)
    return document, await lsp.completion(document)


@one_client
async def test_items_carry_snippets_markdown_and_their_edit(lsp: LspSession) -> None:
    document, items = await complete_at(lsp, NEW_ARTIFACT)
    source = item(items, "source")
    assert source.kind == types.CompletionItemKind.Property
    assert source.insert_text_format == types.InsertTextFormat.Snippet
    # a snippet of several lines is indented as the line it is inserted on
    assert source.insert_text_mode == types.InsertTextMode.AdjustIndentation
    assert accept(lsp, document, source) == "    source:\n  type: $1"
    assert isinstance(source.documentation, types.MarkupContent)
    assert source.documentation.kind == types.MarkupKind.Markdown
    output = item(items, "output")
    assert isinstance(output.text_edit, types.TextEdit)
    assert output.text_edit.new_text == "output: ${1|true,false|}"
    assert output.insert_text_mode is None  # one line: nothing to indent

    # nothing to offer (a new artifact id is the user's to choose): null
    lsp.replace(document, SCAN + "  <|>\n")
    assert (
        await lsp.client.text_document_completion_async(
            types.CompletionParams(text_document=document.id, position=document.at())
        )
        is None
    )


async def test_editors_without_snippets_get_plain_text(tmp_path: Path) -> None:
    root = tmp_path / "workspace"
    root.mkdir()
    lsp = await start_session("neovim", root, capabilities=client_capabilities("neovim@v0.9.1"))
    try:
        document, items = await complete_at(lsp, NEW_ARTIFACT.replace("<|>", "sou<|>"))
        source = item(items, "source")
        assert source.insert_text_format in (None, types.InsertTextFormat.PlainText)
        assert accept(lsp, document, source) == "    source:"
        assert all(i.insert_text_format != types.InsertTextFormat.Snippet for i in items)
    finally:
        await lsp.client.shutdown_session()
        await lsp.client.stop()


async def test_ranges_count_in_the_clients_units(lsp: LspSession) -> None:
    text = SCAN.replace("description: Finds personal data", "description: 📁 ${HO<|>")
    document = lsp.open("runbook.yaml", text)
    result = await lsp.client.text_document_completion_async(
        types.CompletionParams(
            text_document=document.id,
            position=to_client(document.text, document.at(), lsp.encoding),
        )
    )
    assert isinstance(result, types.CompletionList)
    assert accept(lsp, document, item(result.items, "HOME")) == "description: 📁 ${HOME}"


async def trigger(
    lsp: LspSession, document: OpenDocument, character: str
) -> list[types.CompletionItem]:
    result = await lsp.client.text_document_completion_async(
        types.CompletionParams(
            text_document=document.id,
            position=document.at(),
            context=types.CompletionContext(
                trigger_kind=types.CompletionTriggerKind.TriggerCharacter,
                trigger_character=character,
            ),
        )
    )
    if result is None:
        return []
    return list(result.items if isinstance(result, types.CompletionList) else result)


@one_client
async def test_a_trigger_character_where_nothing_applies_pops_nothing_up(
    lsp: LspSession,
) -> None:
    two = SCAN + "  summary:\n    inputs: findings\n    process:\n      type: findings_summary\n"
    # a space in a description
    document = lsp.open("runbook.yaml", two.replace("Finds personal", "Finds <|>"))
    assert await trigger(lsp, document, " ") == []
    # spaces typed to indent a new line
    lsp.replace(document, two + "    <|>\n")
    assert await trigger(lsp, document, " ") == []
    # a `:` in a description
    lsp.replace(document, two.replace("Finds personal", "Finds:<|> personal"))
    assert await trigger(lsp, document, ":") == []
    # but a `:` right after a key starts its value, a `$` a variable
    lsp.replace(document, two.replace("    output: true", "    output:<|>"))
    assert labels(await trigger(lsp, document, ":")) == ["true", "false"]
    lsp.replace(document, two.replace("path: data", "path: data/$<|>"))
    assert "HOME" in labels(await trigger(lsp, document, "$"))
    # a space after `inputs:` starts a value
    lsp.replace(document, two.replace("inputs: findings", "inputs: <|>"))
    assert labels(await trigger(lsp, document, " ")) == ["files", "findings"]
    # and `,` in a list starts the next item
    lsp.replace(document, two.replace("inputs: findings", "inputs: [files,<|>]"))
    assert labels(await trigger(lsp, document, ",")) == ["findings"]


@one_client
async def test_a_runbook_with_thousands_of_artifacts_sends_those_matching_what_is_typed(
    lsp: LspSession,
) -> None:
    header = "name: Scan\ndescription: Many\nartifacts:\n"
    many = "".join(f"  a{index}:\n    source:\n      type: sqlite\n" for index in range(2000))
    document = lsp.open("runbook.yaml", header + many + "  last:\n    inputs: a199<|>\n")
    result = await lsp.client.text_document_completion_async(
        types.CompletionParams(text_document=document.id, position=document.at())
    )
    assert isinstance(result, types.CompletionList)
    assert result.is_incomplete  # the client asks again as typing goes on
    assert sorted(labels(result.items)) == ["a199", *(f"a199{n}" for n in range(10))]


@one_client
@pytest.mark.server_env({"WAIVERN_API_TOKEN": "hunter2"})
async def test_what_the_server_reads_besides_the_document(lsp: LspSession) -> None:
    # the runs of the workspace's store, for `reuse`
    lsp.write("runbook.yaml", SCAN)
    run_id = (await run(lsp)).run_id
    reuse = "name: Again\ndescription: Reuses\nartifacts:\n  old:\n    reuse:\n"
    document, items = await complete_at(lsp, reuse + "      from_run: <|>\n")
    assert labels(items) == [run_id]
    assert item(items, run_id).kind == types.CompletionItemKind.Event
    lsp.replace(document, reuse + f"      from_run: {run_id}\n      artifact: <|>\n")
    assert sorted(labels(await lsp.completion(document))) == ["files", "findings"]

    # the variables of its environment, never their values
    lsp.replace(document, SCAN.replace("path: data", "path: ${WAIVERN_<|>"))
    items = await lsp.completion(document)
    assert item(items, "WAIVERN_API_TOKEN").detail == "set"
    assert "hunter2" not in str(items)

    # a child runbook on disk, and the inputs it declares
    lsp.write("child.yaml", CHILD)
    parent = lsp.open("parent.yaml", PARENT.replace("path: child.yaml", "path: <|>"))
    # (not itself: a runbook running itself is a cycle)
    assert sorted(labels(await lsp.completion(parent))) == ["child.yaml", "runbook.yaml"]
    lsp.replace(parent, PARENT.replace("        documents: files\n", "        <|>\n"))
    assert labels(await lsp.completion(parent)) == ["documents"]
