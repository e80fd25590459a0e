"""The language server: text synchronisation, initialization options and the feature
dispatcher. Each LSP feature lives in its own module under `features/` and registers its
handlers here through `WaivernServer.request` / `.notification`, which isolate failures:
a feature that raises is logged and answers nothing, the server carries on."""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer

from waivern_lsp import __version__
from waivern_lsp.conversions import LineCodec, encoding_name, uri_to_path
from waivern_lsp.options import ServerOptions, parse_options
from waivern_lsp.runbook_index import RunbookIndex
from waivern_lsp.runs.failures import RunFailures
from waivern_lsp.workspace import RunbookDocument, RunbookWorkspace

log = logging.getLogger("waivern_lsp")

P = TypeVar("P")
R = TypeVar("R")


class WaivernServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "waivern-lsp", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental
        )
        self.options = ServerOptions()
        self.runbooks = RunbookWorkspace(self.options)
        # Every runbook of the workspace, for the features that look beyond one document.
        self.index = RunbookIndex(self.runbooks, lambda: self.position_encoding)
        # What failed in the runs started from this editor (WCT070 diagnostics).
        self.failures = RunFailures()
        self.watch_files: asyncio.Future[None] | None = None

    # -- for features ---------------------------------------------------------------

    def request(
        self, method: str, options: Any = None
    ) -> Callable[[Callable[[P], Awaitable[R]]], Callable[[P], Awaitable[R | None]]]:
        """Register a request handler. If it raises, the failure is logged and the
        client gets an empty answer (null), never an error it would show."""

        def register(handler: Callable[[P], Awaitable[R]]) -> Callable[[P], Awaitable[R | None]]:
            @functools.wraps(handler)
            async def isolated(params: P) -> R | None:
                try:
                    return await handler(params)
                except (asyncio.CancelledError, JsonRpcException):
                    raise  # cancelled or stale (ContentModified): the client expects these
                except Exception:
                    log.exception("%s failed", method)
                    self.log_to_client(f"{method} failed; see the server log (stderr)")
                    return None

            self.feature(method, options)(isolated)
            return isolated

        return register

    def notification(
        self, method: str, options: Any = None
    ) -> Callable[[Callable[[P], None]], Callable[[P], None]]:
        def register(handler: Callable[[P], None]) -> Callable[[P], None]:
            @functools.wraps(handler)
            def isolated(params: P) -> None:
                try:
                    handler(params)
                except Exception:
                    log.exception("%s failed", method)

            self.feature(method, options)(isolated)
            return isolated

        return register

    async def document(self, uri: str) -> RunbookDocument | None:
        """An open runbook with the analysis of its current text (None when the URI is
        not a runbook this server serves)."""
        return await self.runbooks.current(uri)

    def codec(self, document: RunbookDocument) -> LineCodec:
        return LineCodec(document.lines, self.position_encoding)

    @property
    def position_encoding(self) -> str:
        """The encoding chosen with the client: "utf-8", "utf-16" or "utf-32"."""
        return encoding_name(self.workspace.position_encoding)

    def log_to_client(self, message: str, kind: lsp.MessageType = lsp.MessageType.Log) -> None:
        try:
            self.window_log_message(lsp.LogMessageParams(type=kind, message=message))
        except Exception:  # not connected (tests driving the server in-process)
            log.debug("could not log to the client: %s", message)

    def capability(self, dotted: str) -> Any:
        """What the client advertises at a path of its capabilities (e.g.
        `text_document.hover.content_format`), or None when any part is missing."""
        value: Any = self.client_capabilities
        for part in dotted.split("."):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value

    def supports(self, dotted: str) -> bool:
        """Does the client advertise the capability (e.g. `text_document.diagnostic`)?"""
        return bool(self.capability(dotted))

    def report_server_error(self, error: Exception, source: Any) -> None:
        # pygls' default shows nothing; a failure is a log line, never a crash
        log.error("%s: %s", getattr(source, "__name__", source), error)


def create_server() -> WaivernServer:
    from waivern_lsp.features import register_all

    server = WaivernServer()

    @server.feature(lsp.INITIALIZE)
    def initialize(params: lsp.InitializeParams) -> None:
        server.options = parse_options(params.initialization_options)
        roots = [
            path
            for folder in params.workspace_folders or []
            if (path := uri_to_path(folder.uri)) is not None
        ]
        if not roots and params.root_uri and (root := uri_to_path(params.root_uri)):
            roots.append(root)
        server.runbooks.configure(server.options, roots)

    @server.feature(lsp.INITIALIZED)
    def initialized(params: lsp.InitializedParams) -> None:
        for problem in server.options.problems:
            server.window_show_message(
                lsp.ShowMessageParams(type=lsp.MessageType.Warning, message=f"Waivern: {problem}")
            )
        if server.supports("workspace.did_change_watched_files.dynamic_registration"):
            server.watch_files = asyncio.ensure_future(_watch_yaml_files(server))

    @server.feature(lsp.SHUTDOWN)
    def shutdown(params: None) -> None:
        server.runbooks.shutdown()

    @server.notification(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: lsp.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        server.runbooks.opened(item.uri, uri_to_path(item.uri), item.version, item.text)

    @server.notification(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: lsp.DidChangeTextDocumentParams) -> None:
        # pygls has applied the changes to its copy of the text
        uri = params.text_document.uri
        document = server.workspace.get_text_document(uri)
        version = params.text_document.version
        server.runbooks.changed(uri, uri_to_path(uri), version, document.source)

    @server.notification(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        server.runbooks.closed(uri, uri_to_path(uri))

    @server.notification(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: lsp.DidSaveTextDocumentParams) -> None:
        if (path := uri_to_path(params.text_document.uri)) is not None:
            server.runbooks.files_changed([path])

    @server.notification(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(params: lsp.DidChangeWatchedFilesParams) -> None:
        paths = [path for change in params.changes if (path := uri_to_path(change.uri))]
        created = any(change.type == lsp.FileChangeType.Created for change in params.changes)
        server.runbooks.files_changed(paths, created=created)

    register_all(server)
    return server


async def _watch_yaml_files(server: WaivernServer) -> None:
    """Ask the client to report YAML files created, changed or deleted on disk (child
    runbooks edited outside the editor, files a parent could not find yet)."""
    watchers = [
        lsp.FileSystemWatcher(glob_pattern=pattern) for pattern in ("**/*.yaml", "**/*.yml")
    ]
    try:
        await server.client_register_capability_async(
            lsp.RegistrationParams(
                registrations=[
                    lsp.Registration(
                        id="waivern-yaml-files",
                        method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=lsp.DidChangeWatchedFilesRegistrationOptions(
                            watchers=watchers
                        ),
                    )
                ]
            )
        )
    except Exception as error:  # the client refused: saves and open buffers still count
        log.warning("could not register file watching: %s", error)


def main(argv: list[str] | None = None) -> int:
    """`wct lsp`: serve on stdin/stdout (`--stdio` is accepted and is the default)."""
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="waivern-lsp %(levelname)s %(message)s"
    )
    create_server().start_io()
    return 0
