"""Hover (`textDocument/hover`): point at anything in a runbook and see what it is.

On an artifact id (where it is declared or used): its name and description, how it is
produced, its resolved output schema, its inputs and dependents, and how it went in the
latest run of this runbook (status, duration, error, run id and time; "not run yet"
otherwise). On a field key: its documentation; on a connector or processor type: its
description, schemas and settings; on a child runbook path: the file it resolves to and
what it declares; on `${VAR}`: whether it is set (never its value). The text is made by
`hover_text`; this module only translates the request and reads the run store
(read-only, off the event loop, giving up quickly when the store is busy).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from lsprotocol import types as lsp

from waivern_lsp.language.hover_text import HoverContext, Markup, hover_text
from waivern_lsp.language.sites import ArtifactSite, ReuseSite, Site, site_at
from waivern_lsp.server import WaivernServer
from waivern_orchestration.store.run_states import RunState, latest_run_state, run_state

log = logging.getLogger(__name__)

# How long hover waits for the run store (a locked store only costs the status line).
STORE_PATIENCE_SECONDS = 1.0


def register(server: WaivernServer) -> None:
    @server.request(lsp.TEXT_DOCUMENT_HOVER)
    async def hover(params: lsp.HoverParams) -> lsp.Hover | None:
        document = await server.document(params.text_document.uri)
        if document is None or document.analysis is None:
            return None
        codec = server.codec(document)
        site = site_at(document.analysis, document.lines, codec.from_client(params.position))
        if site is None:
            return None
        markdown = _accepts_markdown(server)
        context = HoverContext(
            analysis=document.analysis,
            registry=server.runbooks.registry,
            markup=Markup(markdown),
            env=server.runbooks.environment(document.path),
            run=await _run_for(site, server.runbooks.store_dir, document.path),
        )
        text = hover_text(site, context)
        if text is None:
            return None
        kind = lsp.MarkupKind.Markdown if markdown else lsp.MarkupKind.PlainText
        return lsp.Hover(
            contents=lsp.MarkupContent(kind=kind, value=text), range=codec.range(site.range)
        )


def _accepts_markdown(server: WaivernServer) -> bool:
    formats = server.capability("text_document.hover.content_format")
    return lsp.MarkupKind.Markdown in (formats or ())


async def _run_for(site: Site, store_dir: Path, runbook: Path) -> RunState | None:
    """The run the hover speaks of: the latest run of this runbook for an artifact, the
    reused run for `reuse`."""
    if isinstance(site, ArtifactSite):
        reading = asyncio.to_thread(latest_run_state, store_dir, runbook)
    elif isinstance(site, ReuseSite):
        reading = asyncio.to_thread(run_state, store_dir, site.run_id)
    else:
        return None
    try:
        return await asyncio.wait_for(reading, STORE_PATIENCE_SECONDS)
    except TimeoutError:
        log.warning("the run store at %s is busy: hover shows no run status", store_dir)
        return None
