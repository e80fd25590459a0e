"""No request or notification can take the server down; bad options become a message;
a burst of edits never publishes an older version over a newer one. (Coalescing and
ContentModified, which depend on what happens while an analysis runs, are tested
in-process with the analysis held: `test_workspace.py`.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from lsp_support import LspSession, one_client, start_session
from runbook_samples import SCAN

RUNBOOK = SCAN


def generated(count: int) -> str:
    lines = ["name: Generated", "description: Many artifacts", "artifacts:"]
    lines += ["  a0:", "    source:", "      type: filesystem", "      properties: {path: data}"]
    for index in range(1, count):
        lines += [f"  a{index}:", "    inputs: [a0]", "    process:"]
        lines += ["      type: personal_data", "    output: true"]
    return "\n".join(lines) + "\n"


async def alive(lsp: LspSession) -> None:
    """The server still answers and still analyses."""
    document = lsp.open("check.yaml", RUNBOOK.replace("[files]", "[filez]"))
    assert "WCT010" in [d.code for d in await lsp.diagnostics(document)]


@pytest.mark.parametrize("client", ["visual_studio_code"])
async def test_bad_initialization_options_become_a_message_and_defaults(
    client: str, tmp_path: Path
) -> None:
    session = await start_session(
        client,
        tmp_path,
        options={"store": 42, "debounceMs": "soon", "colour": "blue", "executor": "spark://x:1"},
    )
    try:
        await alive(session)
        messages = [m.message for m in session.client.messages]
        assert any("`store`" in m and "the default is used" in m for m in messages)
        assert any("`debounceMs`" in m for m in messages)
        assert any("unknown option `colour`" in m for m in messages)
        assert any("option `executor`: unknown executor 'spark://x:1'" in m for m in messages)
        assert all(m.type == types.MessageType.Warning for m in session.client.messages)
    finally:
        await session.client.shutdown_session()
        await session.client.stop()


@pytest.mark.parametrize("client", ["neovim"])
async def test_options_that_are_not_an_object_are_refused_politely(
    client: str, tmp_path: Path
) -> None:
    session = await start_session(client, tmp_path, options=["store"])
    try:
        await alive(session)
        assert [m.message for m in session.client.messages] == [
            "Waivern: initializationOptions must be an object, not a list: defaults used"
        ]
    finally:
        await session.client.shutdown_session()
        await session.client.stop()


@one_client
async def test_a_configuration_change_is_taken_quietly(
    lsp: LspSession, capfd: pytest.CaptureFixture[str]
) -> None:
    """eglot, Neovim and VS Code send `workspace/didChangeConfiguration` at start, with
    their own settings or none: no warning in the server's log, no message."""
    for settings in (None, {}, {"yaml": {"validate": False}}):
        lsp.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings=settings)
        )
    await alive(lsp)
    assert lsp.client.messages == []
    assert "didChangeConfiguration" not in capfd.readouterr().err


@one_client
async def test_a_waivern_section_of_the_configuration_replaces_the_options(
    lsp: LspSession,
) -> None:
    scan = lsp.open("scan.yaml", "name: Scan\n")  # not a runbook (no `artifacts`): ignored
    lsp.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"waivern": {"runbookGlobs": ["**/scan.yaml"], "debounceMs": "soon"}}
        )
    )
    lsp.replace(scan, "name: Scan\ndescription: d\n")
    assert "WCT002" in [d.code for d in await lsp.diagnostics(scan)]
    [message] = [m.message for m in lsp.client.messages]
    assert message.startswith("Waivern: option `debounceMs`: ")


@one_client
async def test_garbage_on_the_wire_does_not_stop_the_server(lsp: LspSession) -> None:
    transport = lsp.client.protocol.writer
    assert transport is not None
    for body in (b"{not json", b"[]", b'{"jsonrpc": "2.0"}', b'{"jsonrpc":"2.0","id":7}'):
        transport.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    # a request with parameters of the wrong shape
    bad = json.dumps(
        {"jsonrpc": "2.0", "id": 991, "method": "textDocument/hover", "params": {"x": 1}}
    ).encode()
    transport.write(b"Content-Length: %d\r\n\r\n%s" % (len(bad), bad))
    await alive(lsp)


@one_client
async def test_unknown_methods_and_documents_are_answered(lsp: LspSession) -> None:
    with pytest.raises(JsonRpcException):
        await lsp.client.protocol.send_request_async("waivern/nonsense", {})
    lsp.client.protocol.notify("waivern/nonsense", {})
    # a document the server never saw
    missing = types.TextDocumentIdentifier(uri=(lsp.root / "missing.yaml").as_uri())
    report = await lsp.client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=missing)
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    # a change to a document that was never opened, an edit beyond the end of one that was
    lsp.client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=missing.uri, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="artifacts: {}")],
        )
    )
    document = lsp.open("runbook.yaml", RUNBOOK)
    far = types.Position(line=500, character=80)
    lsp.edit(document, types.Range(start=far, end=far), "tail: 1\n")
    await lsp.diagnostics(document)
    await alive(lsp)


@one_client
async def test_a_burst_of_edits_never_publishes_an_older_version_over_a_newer_one(
    lsp: LspSession,
) -> None:
    text = generated(3000)
    document = lsp.open("big.yaml", text)
    line = text.split("\n").index("  a1500:") + 1  # `    inputs: [a0]`
    for step in range(30):
        typed = types.Position(line=line, character=len("    inputs: [a0") + step)
        lsp.edit(document, types.Range(start=typed, end=typed), "x")
    final = await lsp.diagnostics(document)
    assert [d.code for d in final if d.code == "WCT010"] == ["WCT010"]

    versions = [p.version for p in lsp.client.published[document.uri]]
    assert versions == sorted(versions), "an older version was published after a newer one"
    assert versions[-1] == document.version == 31
    # (that the burst costs fewer analyses than keystrokes: tests/server/test_workspace.py)


HOSTILE = {
    # 600 levels whose closing brackets a character count would not see (in comments)
    "nesting behind comments": (
        "name: x\ndescription: y\nartifacts:\n  a:\n    description: "
        + "[ # ]\n" * 600
        + "x"
        + "]" * 600
        + "\n",
        "nesting deeper than 100 levels",
    ),
    "alias bomb": (
        "name: x\ndescription: y\nartifacts: {}\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]\n"
            for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "alias bomb",
    ),
}


@one_client
async def test_hostile_documents_get_a_diagnostic_and_every_request_an_answer(
    lsp: LspSession,
) -> None:
    for name, (text, expected) in HOSTILE.items():
        document = lsp.open(f"{name.replace(' ', '_')}.yaml", text)

        [diagnostic] = await lsp.diagnostics(document)
        assert diagnostic.code == "WCT001" and expected in diagnostic.message, name
        symbols = await lsp.client.text_document_document_symbol_async(
            types.DocumentSymbolParams(text_document=document.id)
        )
        assert symbols == [], name
        hover = await lsp.client.text_document_hover_async(
            types.HoverParams(
                text_document=document.id, position=types.Position(line=3, character=3)
            )
        )
        assert hover is None or isinstance(hover, types.Hover), name  # answered
    await alive(lsp)
