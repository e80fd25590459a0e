"""The language server's side of `hostile.py`: a hostile runbook opened in a real `wct lsp`
beside a small one that the user goes on editing.

For each file: a fresh server, the small runbook opened and analysed first (so that what
every first analysis loads, components and schemas, is loaded), then the hostile file
opened, and at once an edit of the small runbook followed by a request about it (its
document symbols, answered once the edit is analysed). Measured: the request's answer
(what the user feels in the other editor), the hostile file's own diagnostics (from its
`didOpen`; a file without any is answered a hover once analysed) and the server's peak
memory (VmHWM).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types as lsp

from lsp import Client, peak_mb, start_server, stopped  # benchmarks/lsp.py

HOSTILE_VERSION = 7  # the versions of the small runbook are 1 and 2


@dataclass(frozen=True)
class ServerFigures:
    diagnostics_s: float  # didOpen of the hostile file -> its diagnostics
    other_ms: float  # the small runbook's edit + request -> the answer, meanwhile
    peak_mb: float


def measure_in_server(path: Path, small: Path) -> ServerFigures:
    return asyncio.run(_measure(path, small))


async def _measure(path: Path, small: Path) -> ServerFigures:
    client, pid = await start_server(path.parent)
    try:
        _open(client, small, 1)
        await client.settled(small.as_uri(), 1)
        started = time.perf_counter()
        _open(client, path, HOSTILE_VERSION)
        asked = time.perf_counter()
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=small.as_uri(), version=2),
                content_changes=[
                    lsp.TextDocumentContentChangeWholeDocument(
                        text=small.read_text(encoding="utf-8") + "# edited\n"
                    )
                ],
            )
        )
        await asyncio.wait_for(
            client.text_document_document_symbol_async(
                lsp.DocumentSymbolParams(
                    text_document=lsp.TextDocumentIdentifier(uri=small.as_uri())
                )
            ),
            300,
        )
        other = time.perf_counter() - asked
        own = await client.settled(path.as_uri(), HOSTILE_VERSION) - started
        return ServerFigures(own, other * 1000, peak_mb(pid))
    finally:
        await stopped(client)


def _open(client: Client, path: Path, version: int) -> None:
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=path.as_uri(),
                language_id="yaml",
                version=version,
                text=path.read_text(encoding="utf-8"),
            )
        )
    )
