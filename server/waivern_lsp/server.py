"""The language server object: the per-server state (options, the workspace of runbooks,
the runbook index, run failures), what the client can do (`capability`, `supports`) and
the feature dispatcher. Each LSP feature lives in its own module under `features/` and
registers its handlers through `WaivernServer.request` / `.notification`, which isolate
failures: a feature that raises is logged and answers nothing, the server carries on.
`serve` puts them together and runs the server on stdio: `transport` reads the wire,
`protocol` checks each message against JSON-RPC and the session's order before pygls
dispatches it."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer

from waivern_lsp import __version__
from waivern_lsp.conversions import LineCodec, encoding_name
from waivern_lsp.options import ServerOptions
from waivern_lsp.protocol import WaivernProtocol
from waivern_lsp.runbook_index import RunbookIndex
from waivern_lsp.runs.failures import RunFailures
from waivern_lsp.workspace import RunbookDocument, RunbookWorkspace

log = logging.getLogger("waivern_lsp")

P = TypeVar("P")
R = TypeVar("R")


class WaivernServer(LanguageServer):
    protocol: WaivernProtocol  # pygls' dispatch behind the protocol's rules (`protocol.py`)

    def __init__(self) -> None:
        super().__init__(
            "waivern-lsp",
            __version__,
            text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental,
            protocol_cls=WaivernProtocol,
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
