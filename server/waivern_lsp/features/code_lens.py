"""Code lens (`textDocument/codeLens`): run status where the runbook is read.

Above each artifact: how it went in the latest run of this runbook ("✓ completed 1.2 s ·
run …", "✗ failed: <error>", "not run yet"). These lenses only inform: their command is
empty, which editors show as plain text. On the runbook's first line: "▶ Run"
(`waivern.run [uri]`; not on a child runbook, which declares inputs a parent gives) and,
when the latest run failed or was interrupted, "↻ Resume" (`waivern.resume [uri,
run_id]`).

One read of the run store per request (cached by `run_status` while the store is
unchanged); the lenses themselves are kept per analysis and run, so asking again for a
runbook of thousands of artifacts costs nothing until its text or its runs change.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from weakref import WeakKeyDictionary

from lsprotocol import types as lsp

from waivern_lsp.conversions import LineCodec
from waivern_lsp.language.lens_titles import (
    RUN_TITLE,
    artifact_titles,
    resumable,
    resume_title,
)
from waivern_lsp.server import WaivernServer
from waivern_orchestration.analysis import Analysis
from waivern_orchestration.store.run_states import RunState, latest_run_state

log = logging.getLogger(__name__)

STORE_PATIENCE_SECONDS = 1.0  # a busy store costs the status, never the lenses

# The latest run read for each (store, runbook): what the lenses keep showing while the
# store is too busy to answer in time (a run of hundreds of artifacts writing to it), rather
# than "not run yet" for the whole run.
_last_read: dict[tuple[Path, Path], RunState | None] = {}


def register(server: WaivernServer) -> None:
    made: WeakKeyDictionary[Analysis, tuple[RunState | None, str, list[lsp.CodeLens]]] = (
        WeakKeyDictionary()
    )

    @server.request(lsp.TEXT_DOCUMENT_CODE_LENS, lsp.CodeLensOptions(resolve_provider=False))
    async def code_lens(params: lsp.CodeLensParams) -> list[lsp.CodeLens] | None:
        document = await server.document(params.text_document.uri)
        if document is None or document.analysis is None:
            return None
        analysis = document.analysis
        run = await latest_run(server.runbooks.store_dir, document.path)
        known = made.get(analysis)
        if known is not None and known[0] is run and known[1] == server.position_encoding:
            return known[2]
        # (a child runbook is run by its parent: no Run lens of its own)
        child = analysis.header is not None and bool(analysis.header.required_inputs)
        lenses = runbook_lenses(document.uri, run, runnable=not child) + artifact_lenses(
            analysis, run, server.codec(document)
        )
        made[analysis] = (run, server.position_encoding, lenses)
        return lenses


async def latest_run(store_dir: Path, runbook: Path) -> RunState | None:
    """The latest run of the runbook, read off the event loop; when the store is busy for
    longer than a lens should wait, the run read last time (None if none was)."""
    key = (store_dir, runbook)
    try:
        run = await asyncio.wait_for(
            asyncio.to_thread(latest_run_state, store_dir, runbook), STORE_PATIENCE_SECONDS
        )
    except TimeoutError:
        log.warning("the run store at %s is busy: lenses show the run status read last", store_dir)
        return _last_read.get(key)
    _last_read[key] = run
    return run


def runbook_lenses(uri: str, run: RunState | None, runnable: bool = True) -> list[lsp.CodeLens]:
    first_line = lsp.Range(
        start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0)
    )
    lenses = []
    if runnable:
        lenses.append(
            lsp.CodeLens(
                range=first_line,
                command=lsp.Command(title=RUN_TITLE, command="waivern.run", arguments=[uri]),
            )
        )
    if run is not None and resumable(run):
        lenses.append(
            lsp.CodeLens(
                range=first_line,
                command=lsp.Command(
                    title=resume_title(run), command="waivern.resume", arguments=[uri, run.run_id]
                ),
            )
        )
    return lenses


def artifact_lenses(
    analysis: Analysis, run: RunState | None, codec: LineCodec
) -> list[lsp.CodeLens]:
    return [
        lsp.CodeLens(range=codec.range(range_), command=lsp.Command(title=title, command=""))
        for range_, title in artifact_titles(analysis, run)
    ]
