"""Hover through the real server: the request and its answer (Markdown, the range in the
client's units), the run status read from the workspace's run store, a child runbook on
disk, the server's environment, a client without Markdown. What the text says is tested
in-process (tests/language/test_hover_text.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from lsp_support import LspSession, OpenDocument, at, one_client, start_session
from run_support import run
from runbook_samples import CHILD, PARENT, SCAN


async def hover(lsp: LspSession, document: OpenDocument) -> str:
    result = await lsp.hover(document)
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    assert result.contents.kind == types.MarkupKind.Markdown
    return result.contents.value


# SCAN reading a secret from the environment (line 7)
ENV_RUNBOOK = SCAN.replace("path: data", "path: ${DB_PASSWORD}")


@one_client
@pytest.mark.server_env({"DB_PASSWORD": "hunter2-do-not-show"})
async def test_a_hover_answers_with_markdown_and_the_range_of_the_name(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", at(SCAN, "[files]", 2))
    result = await lsp.hover(document)
    assert result is not None
    assert result.range == types.Range(
        start=types.Position(line=9, character=13), end=types.Position(line=9, character=18)
    )
    assert isinstance(result.contents, types.MarkupContent)
    assert result.contents.kind == types.MarkupKind.Markdown
    assert result.contents.value.startswith("**`files`** · artifact\n\n")
    assert result.contents.value.endswith("**Latest run:** not run yet")

    # nothing to say: null
    lsp.replace(document, at(SCAN, "Finds personal data", 3))
    assert await lsp.hover(document) is None

    # a child runbook on disk, read through the workspace
    child = lsp.write("child.yaml", CHILD)
    text = await hover(lsp, lsp.open("parent.yaml", at(PARENT, "child.yaml", 3)))
    assert f"File: `{child.resolve()}`" in text
    assert "- `findings`: artifact `found`, `personal_data_finding/1.0.0`" in text

    # a variable set in the server's environment: set, its value never shown
    text = await hover(lsp, lsp.open("env.yaml", at(ENV_RUNBOOK, "DB_PASSWORD")))
    assert "set in the editor's environment; a secret" in text
    assert "hunter2" not in text


@one_client
async def test_the_status_comes_from_the_workspaces_run_store(lsp: LspSession) -> None:
    lsp.write("runbook.yaml", SCAN)
    document = lsp.open("runbook.yaml", at(SCAN, "files:"))
    assert (await hover(lsp, document)).endswith("not run yet")

    first = await run(lsp)  # ./data does not exist
    assert f"`{first.run_id}` · failed" in await hover(lsp, document)

    (lsp.root / "data").mkdir()
    (lsp.root / "data" / "a.txt").write_text("nothing personal\n")
    second = await run(lsp)
    text = await hover(lsp, document)
    assert f"`{second.run_id}` · completed" in text
    assert first.run_id not in text

    # `reuse` names a run: hover reads that one
    reusing = f"""\
name: Again
description: Reuses the files of an earlier run
artifacts:
  files:
    reuse:
      from_run: {first.run_id}
      artifact: files
    output_schema: standard_input/1.0.0
    output: true
"""
    again = lsp.open("again.yaml", at(reusing, first.run_id))
    assert (await hover(lsp, again)).startswith(f"**Run** `{first.run_id}` · failed")

    # another process holds the store exclusively (not something wct does, but possible):
    # the hover comes, without the status
    holder = sqlite3.connect(lsp.root / ".waivern" / "runs.db", isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE runs SET reason = reason")
    try:
        text = await hover(lsp, document)
        assert "extracted by the connector `filesystem`" in text
        assert "not run yet" in text
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert f"`{second.run_id}` · completed" in await hover(lsp, document)


async def test_the_range_is_in_the_clients_units(lsp: LspSession) -> None:
    runbook = ENV_RUNBOOK.replace("${DB_PASSWORD}", '"🗄️/${DB_PASSWORD}"')
    document = lsp.open("runbook.yaml", runbook)
    line = runbook.splitlines()[7]
    start = line.index("${")
    end = line.index("}") + 1

    # what pygls chose: the client's first encoding (Neovim: UTF-8), else UTF-16
    general = lsp.client.capabilities.general if lsp.client.capabilities else None
    encoding = (general.position_encodings or ("utf-16",))[0] if general else "utf-16"
    assert encoding == lsp.encoding

    def units(column: int) -> int:
        return len(line[:column].encode("utf-8" if encoding == "utf-8" else "utf-16-le")) // (
            1 if encoding == "utf-8" else 2
        )

    document.cursor = types.Position(line=7, character=units(start + 3))
    result = await lsp.hover(document)
    assert result is not None and result.range is not None
    assert (result.range.start.character, result.range.end.character) == (units(start), units(end))
    assert units(start) > start  # the emoji counts more than one unit in either encoding


async def test_a_client_without_markdown_gets_plain_text(tmp_path: Path) -> None:
    capabilities = client_capabilities("neovim")
    assert capabilities.text_document is not None
    capabilities.text_document.hover = types.HoverClientCapabilities(
        content_format=[types.MarkupKind.PlainText]
    )
    root = tmp_path / "workspace"
    root.mkdir()
    session = await start_session("neovim", root, capabilities=capabilities)
    try:
        document = session.open("runbook.yaml", at(SCAN, "files:"))
        result = await session.hover(document)
        assert result is not None
        assert isinstance(result.contents, types.MarkupContent)
        assert result.contents.kind == types.MarkupKind.PlainText
        assert result.contents.value.startswith("`files` · artifact\n\n")
        assert "**" not in result.contents.value
    finally:
        await session.client.shutdown_session()
        await session.client.stop()
