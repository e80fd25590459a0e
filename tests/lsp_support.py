"""Driving the real language server (`wct lsp`, a subprocess) over JSON-RPC in tests.

`LspSession` wraps a pytest-lsp client with the steps a test needs: write files into the
workspace, open a runbook written inline with `<|>` marking the cursor, edit it, wait for
the diagnostics of a given version, and make requests at the cursor.
"""

from __future__ import annotations

import asyncio
import os
import sys
import textwrap
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types as lsp
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

CURSOR = "<|>"
CLIENTS = ("visual_studio_code", "neovim")
# For a test whose answer does not depend on the client's capabilities: one client, not
# the whole matrix (what is answered is tested in-process, in tests/language).
one_client = pytest.mark.parametrize("lsp", ["visual_studio_code"], indirect=True)
WCT = str(Path(sys.executable).parent / "wct")
TIMEOUT = 30.0


class RecordingClient(LanguageClient):
    """A pytest-lsp client that also keeps every publishDiagnostics with its version."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.published: dict[str, list[lsp.PublishDiagnosticsParams]] = {}
        self.arrived = asyncio.Condition()
        self.wakers: set[asyncio.Future[None]] = set()
        self.registrations: list[lsp.Registration] = []
        self.refreshes: list[str] = []  # workspace/codeLens/refresh, inlayHint/refresh asked


def _record(client: RecordingClient, params: lsp.PublishDiagnosticsParams) -> None:
    params.diagnostics = list(params.diagnostics)  # (decoded as a tuple)
    client.diagnostics[params.uri] = params.diagnostics
    client.published.setdefault(params.uri, []).append(params)

    async def wake() -> None:
        async with client.arrived:
            client.arrived.notify_all()

    client.wakers.add(task := asyncio.ensure_future(wake()))
    task.add_done_callback(client.wakers.discard)


def _register(client: RecordingClient, params: lsp.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)


def _code_lens_refresh(client: RecordingClient, params: None) -> None:
    client.refreshes.append(lsp.WORKSPACE_CODE_LENS_REFRESH)


def _inlay_hint_refresh(client: RecordingClient, params: None) -> None:
    client.refreshes.append(lsp.WORKSPACE_INLAY_HINT_REFRESH)


def make_client() -> RecordingClient:
    client = RecordingClient(converter_factory=default_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _record
    features[lsp.CLIENT_REGISTER_CAPABILITY] = _register
    features[lsp.WORKSPACE_CODE_LENS_REFRESH] = _code_lens_refresh
    features[lsp.WORKSPACE_INLAY_HINT_REFRESH] = _inlay_hint_refresh
    register_lsp_features(client, features)
    return client


def split_cursor(text: str) -> tuple[str, lsp.Position | None]:
    """The text without its `<|>` marker, and the marker's position."""
    text = textwrap.dedent(text)
    index = text.find(CURSOR)
    if index < 0:
        return text, None
    before = text[:index]
    line = before.count("\n")
    character = index - (before.rfind("\n") + 1)
    return text[:index] + text[index + len(CURSOR) :], lsp.Position(line=line, character=character)


def at(text: str, needle: str, offset: int = 0) -> str:
    """The text with the cursor `<|>` at the first `needle` (plus `offset`)."""
    index = text.index(needle) + offset
    return text[:index] + CURSOR + text[index:]


@dataclass
class OpenDocument:
    uri: str
    path: Path
    text: str
    version: int = 1
    cursor: lsp.Position | None = None

    @property
    def id(self) -> lsp.TextDocumentIdentifier:
        return lsp.TextDocumentIdentifier(uri=self.uri)

    def at(self) -> lsp.Position:
        assert self.cursor is not None, "the text has no <|> cursor marker"
        return self.cursor


def _units(char: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(char.encode("utf-8"))
    if encoding == "utf-16":
        return 2 if ord(char) > 0xFFFF else 1
    return 1


def to_client(text: str, position: lsp.Position, encoding: str) -> lsp.Position:
    """A position counted in characters → the client's units."""
    lines = text.split("\n")
    if position.line >= len(lines):
        return position
    line = lines[position.line]
    units = sum(_units(char, encoding) for char in line[: position.character])
    return lsp.Position(
        line=position.line, character=units + max(0, position.character - len(line))
    )


def from_client(text: str, position: lsp.Position, encoding: str) -> lsp.Position:
    """A position in the client's units → characters."""
    lines = text.split("\n")
    if position.line >= len(lines):
        return position
    counted = 0
    for index, char in enumerate(lines[position.line]):
        if counted >= position.character:
            return lsp.Position(line=position.line, character=index)
        counted += _units(char, encoding)
    return lsp.Position(line=position.line, character=len(lines[position.line]))


@dataclass
class LspSession:
    client: RecordingClient
    root: Path
    client_name: str
    encoding: str = "utf-16"  # the position encoding the server chose
    documents: dict[str, OpenDocument] = field(default_factory=dict)

    # -- files and documents ----------------------------------------------------------

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def open(self, name: str, text: str, *, on_disk: bool = True) -> OpenDocument:
        """Open a document whose text may carry a `<|>` cursor marker (also written to
        disk, as a saved file would be, unless `on_disk=False`)."""
        plain, cursor = split_cursor(text)
        path = self.root / name
        if on_disk:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(plain, encoding="utf-8")
        document = OpenDocument(path.as_uri(), path, plain, 1, cursor)
        self.documents[document.uri] = document
        self.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(
                    uri=document.uri, language_id="yaml", version=1, text=plain
                )
            )
        )
        return document

    def replace(self, document: OpenDocument, text: str) -> OpenDocument:
        """Replace the whole text (as one incremental change), moving the cursor marker."""
        plain, cursor = split_cursor(text)
        lines = document.text.split("\n")
        end = lsp.Position(line=len(lines) - 1, character=len(lines[-1]))
        self.edit(document, lsp.Range(start=lsp.Position(line=0, character=0), end=end), plain)
        document.cursor = cursor
        return document

    def edit(self, document: OpenDocument, range_: lsp.Range, new_text: str) -> None:
        """One incremental change; the range counts characters (sent in the units of the
        position encoding the server chose)."""
        sent = lsp.Range(
            start=to_client(document.text, range_.start, self.encoding),
            end=to_client(document.text, range_.end, self.encoding),
        )
        document.text = apply_edit(document.text, range_, new_text)
        document.version += 1
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(
                    uri=document.uri, version=document.version
                ),
                content_changes=[lsp.TextDocumentContentChangePartial(range=sent, text=new_text)],
            )
        )

    def close(self, document: OpenDocument) -> None:
        self.documents.pop(document.uri, None)
        self.client.text_document_did_close(
            lsp.DidCloseTextDocumentParams(text_document=document.id)
        )

    # -- diagnostics ------------------------------------------------------------------

    async def diagnostics(
        self, document: OpenDocument, version: int | None = None
    ) -> Sequence[lsp.Diagnostic]:
        """The diagnostics published for the document's current version (or `version`).
        The server publishes only when they changed: once the current version is analysed
        (a hover waits for that) without a publish of its own, the ones published last."""
        wanted = document.version if version is None else version

        def found() -> lsp.PublishDiagnosticsParams | None:
            for params in reversed(self.client.published.get(document.uri, [])):
                if params.version == wanted:
                    return params
            return None

        if version is None and found() is None:
            await self.client.text_document_hover_async(
                lsp.HoverParams(
                    text_document=document.id, position=lsp.Position(line=0, character=0)
                )
            )
            published = self.client.published.get(document.uri, [])
            if found() is None and published:
                return list(published[-1].diagnostics)
        async with self.client.arrived:
            await asyncio.wait_for(self.client.arrived.wait_for(found), TIMEOUT)
        result = found()
        assert result is not None
        return list(result.diagnostics)

    async def next_publish(self, uri: str, after: int) -> lsp.PublishDiagnosticsParams:
        """The first publishDiagnostics for `uri` beyond the `after` already seen."""

        def found() -> bool:
            return len(self.client.published.get(uri, [])) > after

        async with self.client.arrived:
            await asyncio.wait_for(self.client.arrived.wait_for(found), TIMEOUT)
        return self.client.published[uri][after]

    def published_count(self, uri: str) -> int:
        return len(self.client.published.get(uri, []))

    # -- requests at the cursor -------------------------------------------------------

    def position_params(self, document: OpenDocument) -> lsp.TextDocumentPositionParams:
        return lsp.TextDocumentPositionParams(text_document=document.id, position=document.at())

    async def hover(self, document: OpenDocument) -> lsp.Hover | None:
        return await self.client.text_document_hover_async(
            lsp.HoverParams(text_document=document.id, position=document.at())
        )

    async def completion(self, document: OpenDocument) -> list[lsp.CompletionItem]:
        result = await self.client.text_document_completion_async(
            lsp.CompletionParams(text_document=document.id, position=document.at())
        )
        if result is None:
            return []
        return list(result.items if isinstance(result, lsp.CompletionList) else result)


def apply_edit(text: str, range_: lsp.Range, new_text: str) -> str:
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def offset(position: lsp.Position) -> int:
        if position.line >= len(lines):
            return len(text)
        return min(offsets[position.line] + position.character, offsets[position.line + 1] - 1)

    return text[: offset(range_.start)] + new_text + text[offset(range_.end) :]


async def start_session(
    client_name: str,
    root: Path,
    *,
    env: dict[str, str] | None = None,
    options: Any = None,
    capabilities: lsp.ClientCapabilities | None = None,
) -> LspSession:
    config = ClientServerConfig(server_command=[WCT, "lsp"], client_factory=make_client)
    if env is not None:
        config.server_env = env
    client = await config.start()
    assert isinstance(client, RecordingClient)
    result = await client.initialize_session(
        lsp.InitializeParams(
            capabilities=capabilities or client_capabilities(client_name),
            root_uri=root.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            initialization_options=options
            if options is not None
            else {"store": str(root / ".waivern")},
        )
    )
    chosen = result.capabilities.position_encoding
    encoding = str(getattr(chosen, "value", chosen) or "utf-16")
    return LspSession(client, root, client_name, encoding)


@pytest_asyncio.fixture(params=CLIENTS, name="lsp")
async def lsp_session(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[LspSession]:
    """A real `wct lsp` process initialized with a temporary workspace, once per
    client-capability set. `@pytest.mark.server_env({...})` adds environment variables to
    the server's process."""
    marker = request.node.get_closest_marker("server_env")
    env = dict(os.environ)
    env.pop("WCT_STORE", None)
    if marker is not None:
        env.update(marker.args[0])
    root = tmp_path / "workspace"
    root.mkdir()
    session = await start_session(request.param, root, env=env)
    yield session
    await session.client.shutdown_session()
    await session.client.stop()
