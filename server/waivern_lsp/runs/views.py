"""Asking the client to draw again what shows run status: code lenses and inlay hints
(`workspace/codeLens/refresh`, `workspace/inlayHint/refresh`). Called when run statuses
change, e.g. as the artifacts of a run started from the editor finish."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from waivern_lsp.server import WaivernServer

log = logging.getLogger(__name__)


def refresh_run_views(server: WaivernServer) -> None:
    """Send both refresh requests, each only to a client that supports it. Fire and
    forget: the client answers with nothing, and a failure is only logged."""
    if server.supports("workspace.code_lens.refresh_support"):
        _send("workspace/codeLens/refresh", server.workspace_code_lens_refresh)
    if server.supports("workspace.inlay_hint.refresh_support"):
        _send("workspace/inlayHint/refresh", server.workspace_inlay_hint_refresh)


def _send(method: str, request: Callable[[None], Future[None]]) -> None:
    try:
        future = request(None)
    except Exception:  # not connected (a server driven in-process)
        log.exception("%s could not be sent", method)
        return
    future.add_done_callback(lambda done: _check(method, done))


def _check(method: str, done: Future[None]) -> None:
    error = None if done.cancelled() else done.exception()
    if error is not None:
        log.warning("%s failed: %s", method, error)
