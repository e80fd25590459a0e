"""Every runbook of the workspace with its analysis, for the features that look beyond
one document: workspace symbols, and references and rename across a child runbook and
the runbooks that use it.

Open runbooks count with the analysis of their current text (never parsed again here).
Other runbook files are found under the workspace folders, by the runbook globs or by
their content, read through the workspace (an open buffer wins over the disk) and
analysed off the request path. Each analysis is kept with the text it is of, so asking
again costs a walk of the folders and nothing more until a file changes.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcContentModified

from waivern_lsp.conversions import LineCodec, path_to_uri
from waivern_lsp.language.occurrences import Name, Occurrence, occurrences, reaches_other_runbooks
from waivern_lsp.runbook_files import is_runbook, is_yaml_path
from waivern_lsp.workspace import RunbookDocument, RunbookWorkspace
from waivern_orchestration.analysis import Analysis, analyse, paused_collector
from waivern_orchestration.analysis.child_paths import real_path
from waivern_orchestration.analysis.facts import ChildLink
from waivern_orchestration.parse.positions import Range, split_lines

# Folders no runbook lives in, and bounds that keep a walk of a huge tree cheap.
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "venv", "site-packages", "dist"})
MAX_FILES = 5_000
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, eq=False)
class IndexedRunbook:
    """One runbook and the analysis of its text as the user sees it."""

    uri: str
    path: Path  # real path
    analysis: Analysis
    lines: list[str]
    version: int | None  # the open document's version; None for a file on disk

    def codec(self, encoding: str) -> LineCodec:
        return LineCodec(self.lines, encoding)

    @classmethod
    def of_document(cls, document: RunbookDocument) -> IndexedRunbook:
        analysis = document.analysis
        assert analysis is not None
        current = document.analysed_text is document.text
        return cls(
            document.uri,
            real_path(document.path),
            analysis,
            document.lines if current else split_lines(analysis.text),
            document.analysed_version,
        )


class RunbookIndex:
    """The server's one index (`WaivernServer.index`), shared by the features that need
    it."""

    def __init__(self, workspace: RunbookWorkspace, encoding: Callable[[], str]) -> None:
        self.workspace = workspace
        self._encoding = encoding  # the position encoding chosen with the client
        self._files: dict[Path, IndexedRunbook] = {}  # files on disk, by real path
        self._refreshing = asyncio.Lock()

    @property
    def encoding(self) -> str:
        return self._encoding()

    async def document(self, uri: str) -> IndexedRunbook | None:
        """An open runbook with the analysis of its current text."""
        document = await self.workspace.current(uri)
        if document is None or document.analysis is None:
            return None
        return IndexedRunbook.of_document(document)

    def location(self, runbook: IndexedRunbook, range_: Range) -> lsp.Location:
        return lsp.Location(uri=runbook.uri, range=runbook.codec(self.encoding).range(range_))

    async def runbooks(self) -> list[IndexedRunbook]:
        """Open runbooks first (current analyses), then the runbook files on disk."""
        opened = await self._open()
        shown = {runbook.path for runbook in opened}
        async with self._refreshing:
            files = await asyncio.to_thread(self._refresh_files, frozenset(shown))
        return opened + files

    async def runbook(self, path: Path) -> IndexedRunbook | None:
        """The runbook at a path: the open document, else the file (analysed if needed)."""
        real = real_path(path)
        for runbook in await self._open():
            if runbook.path == real:
                return runbook
        async with self._refreshing:
            return await asyncio.to_thread(self._file, real)

    async def parents(self, child: Path) -> list[tuple[IndexedRunbook, ChildLink]]:
        """Every runbook that uses the file as a child runbook (directly), with the link."""
        target = real_path(child)
        found: list[tuple[IndexedRunbook, ChildLink]] = []
        for runbook in await self.runbooks():
            for link in runbook.analysis.children.values():
                if link.path is not None and real_path(link.path) == target:
                    found.append((runbook, link))
        return found

    async def occurrences(
        self, here: IndexedRunbook, name: Name
    ) -> list[Occurrence[IndexedRunbook]]:
        """Every place the name stands, in this runbook and the runbooks that use it."""
        if not reaches_other_runbooks(name):
            return occurrences(here, name, here, [])
        owner = here if here.path == name.file else await self.runbook(name.file)
        return occurrences(here, name, owner, await self.parents(name.file))

    async def _open(self) -> list[IndexedRunbook]:
        opened: list[IndexedRunbook] = []
        for uri in list(self.workspace.documents):
            try:
                document = await self.workspace.current(uri)
            except JsonRpcContentModified:
                # changing as we speak: its latest analysis, with the version it is of (a
                # versioned edit made from it is refused by the client rather than misapplied)
                document = self.workspace.documents.get(uri)
            if document is not None and document.analysis is not None:
                opened.append(IndexedRunbook.of_document(document))
        return opened

    # -- files on disk (worker thread) -------------------------------------------------

    def _refresh_files(self, shown: frozenset[Path]) -> list[IndexedRunbook]:
        found: list[IndexedRunbook] = []
        seen: set[Path] = set()
        for path in self._yaml_files():
            real = real_path(path)
            if real in shown or real in seen:
                continue
            seen.add(real)
            runbook = self._file(real, path)
            if runbook is not None:
                found.append(runbook)
        for gone in set(self._files) - seen:
            del self._files[gone]
        return found

    def _file(self, real: Path, found_at: Path | None = None) -> IndexedRunbook | None:
        workspace = self.workspace
        text = workspace.read_text(real)
        if text is None or not is_runbook(
            found_at or real, text, workspace.options.runbook_globs, workspace.roots
        ):
            self._files.pop(real, None)
            return None
        known = self._files.get(real)
        if known is not None and known.analysis.text == text:
            return known
        with paused_collector():
            analysis = analyse(
                text,
                real,
                previous=known.analysis if known is not None else None,
                registry=workspace.registry,
                env=workspace.environment(real),
                read_text=workspace.read_text,
            )
        runbook = IndexedRunbook(path_to_uri(real), real, analysis, split_lines(text), None)
        self._files[real] = runbook
        return runbook

    def _yaml_files(self) -> Iterator[Path]:
        count = 0
        for root in self.workspace.roots:
            for folder, subfolders, names in os.walk(root):
                subfolders[:] = sorted(
                    name
                    for name in subfolders
                    if not name.startswith(".") and name not in SKIPPED_FOLDERS
                )
                for name in sorted(names):
                    path = Path(folder, name)
                    if not is_yaml_path(path):
                        continue
                    try:
                        if path.stat().st_size > MAX_FILE_BYTES:
                            continue
                    except OSError:
                        continue
                    count += 1
                    if count > MAX_FILES:
                        return
                    yield path
