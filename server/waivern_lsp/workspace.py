"""The server's view of the workspace: open documents (buffers win over disk), the
latest analysis of each runbook, and the child-runbook links in both directions.

Analysis runs on worker threads, never on the request path: one at a time for a
document, side by side for different ones (up to `ANALYSES_AT_ONCE`), so that a huge or
hostile runbook being analysed for seconds never holds up the requests about another.
Edits are coalesced: while a document is being analysed, further edits only mark it
stale; when the analysis ends, the newest text is analysed next. So a burst of
keystrokes costs one analysis per analysis time, not one per keystroke, and no timer
delays a lone edit.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pygls.exceptions import JsonRpcContentModified

from waivern_lsp.options import ServerOptions
from waivern_lsp.runbook_files import is_runbook, is_yaml_path
from waivern_orchestration.analysis import Analysis, analyse, failed_analysis, paused_collector
from waivern_orchestration.analysis.child_paths import real_path
from waivern_orchestration.analysis.dotenv_files import (
    DOTENV,
    RunbookEnvironment,
    runbook_environment,
)
from waivern_orchestration.components import ComponentRegistry
from waivern_orchestration.components.registry import default_registry
from waivern_orchestration.parse.positions import split_lines
from waivern_orchestration.parse.runbook_file import read_runbook_or_none
from waivern_orchestration.store.location import store_directory
from waivern_orchestration.store.lookup import StoreLookup

log = logging.getLogger(__name__)

# Documents analysed at the same time. They share the interpreter's lock, so more threads
# add no speed, only fairness: a small runbook's analysis (milliseconds) is done within a
# few switches of the threads while a large one's goes on.
ANALYSES_AT_ONCE = 4

Listener = Callable[["RunbookDocument"], None]


@dataclass(eq=False)
class RunbookDocument:
    """An open runbook and what is known about its current text."""

    uri: str
    path: Path
    version: int
    text: str
    analysis: Analysis | None = None
    analysed_text: str | None = None  # the text `analysis` is of
    analysed_version: int | None = None
    # Bumped by every finished analysis (pull diagnostics' result ids).
    generation: int = 0
    # Real paths of every child runbook file beneath it, at any depth.
    beneath: frozenset[Path] = frozenset()
    # Some child runbook path did not resolve (a file created later may resolve it).
    unresolved: bool = False
    stale: bool = True
    task: asyncio.Task[None] | None = field(default=None, repr=False)
    changed: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    _lines: list[str] | None = field(default=None, repr=False)
    _lines_of: str | None = field(default=None, repr=False)

    @property
    def current(self) -> bool:
        return not self.stale and self.analysis is not None and self.analysed_text is self.text

    @property
    def lines(self) -> list[str]:
        if self._lines_of is not self.text:
            self._lines = self._lines_of = None  # (the old ones freed first: megabytes)
            self._lines = split_lines(self.text)
            self._lines_of = self.text
        assert self._lines is not None
        return self._lines


class RunbookWorkspace:
    def __init__(
        self,
        options: ServerOptions,
        roots: Iterable[Path] = (),
        registry: ComponentRegistry | None = None,
    ) -> None:
        self.options = options
        self.roots = tuple(roots)
        self.registry = registry or default_registry()
        self.documents: dict[str, RunbookDocument] = {}  # open runbooks by URI
        # Texts by real path (read by analyses off the event loop: `_texts_lock`).
        self._texts_lock = threading.Lock()
        self._open_texts: dict[Path, str] = {}  # every open YAML buffer, runbook or not
        self._disk: dict[Path, str | None] = {}  # files read from disk, until they change
        self._disk_generation = 0  # bumped whenever a file is said to have changed
        self._analysed: list[Listener] = []
        self._forgotten: list[Callable[[str], None]] = []
        self._executor = ThreadPoolExecutor(ANALYSES_AT_ONCE, thread_name_prefix="analysis")

    def configure(self, options: ServerOptions, roots: Iterable[Path]) -> None:
        """At `initialize`: the client's options and workspace folders."""
        self.options = options
        self.roots = tuple(roots)

    # -- what features subscribe to ---------------------------------------------------

    def on_analysed(self, listener: Listener) -> None:
        """Called (on the event loop) with a document whose newest text was analysed."""
        self._analysed.append(listener)

    def on_forgotten(self, listener: Callable[[str], None]) -> None:
        """Called with the URI of a document this server no longer serves."""
        self._forgotten.append(listener)

    @property
    def store_dir(self) -> Path:
        """The run store: the `store` option, else `$WCT_STORE`, else `.waivern/` in the
        first workspace folder."""
        return store_directory(self.options.store, self.roots[0] if self.roots else None)

    def environment(self, path: Path) -> RunbookEnvironment:
        """The variables a runbook's `${VAR}` take in runs started from the editor: the
        server's environment, then `.env` beside the runbook, then `.env` in the
        workspace folder that holds it (`dotenv_files`)."""
        folder = next((root for root in self.roots if path.is_relative_to(root)), None)
        return runbook_environment(path, folder if folder is not None else path.parent)

    # -- text synchronisation ---------------------------------------------------------

    def opened(self, uri: str, path: Path | None, version: int, text: str) -> None:
        if path is None or not is_yaml_path(path):
            return
        self._set_open_text(path, text)
        self._track(uri, path, version, text)
        self._parents_changed(path)
        # a file a parent could not find may exist now (not every client reports new files)
        for document in self.documents.values():
            if document.unresolved and document.uri != uri:
                self._schedule(document)

    def changed(self, uri: str, path: Path | None, version: int, text: str) -> None:
        if path is None or not is_yaml_path(path):
            return
        self._set_open_text(path, text)
        self._track(uri, path, version, text)
        self._parents_changed(path)

    def closed(self, uri: str, path: Path | None) -> None:
        if path is None:
            return
        self._set_open_text(path, None)
        self._forget(uri)
        self._parents_changed(path)  # the file on disk counts again

    def files_changed(self, paths: Iterable[Path], created: bool = False) -> None:
        """Files changed, were created or deleted on disk (`workspace/didChangeWatchedFiles`,
        saves)."""
        paths = list(paths)
        if any(path.name == DOTENV for path in paths):  # what `${VAR}` stand for changed
            self.reanalyse_all()
        for path in paths:
            key = real_path(path)
            with self._texts_lock:
                self._disk.pop(key, None)
                self._disk_generation += 1
                is_open = key in self._open_texts
            if not is_open:
                self._parents_changed(path)
        if created:
            for document in self.documents.values():
                if document.unresolved:
                    self._schedule(document)

    def _set_open_text(self, path: Path, text: str | None) -> None:
        """An open buffer's text (None: closed, the file on disk counts again)."""
        key = real_path(path)
        with self._texts_lock:
            if text is not None:
                self._open_texts[key] = text
            else:
                self._open_texts.pop(key, None)
                self._disk.pop(key, None)
                self._disk_generation += 1

    def _track(self, uri: str, path: Path, version: int, text: str) -> None:
        served = is_runbook(path, text, self.options.runbook_globs, self.roots)
        document = self.documents.get(uri)
        if not served:
            if document is not None:
                self._forget(uri)
            return
        if document is None:
            document = self.documents[uri] = RunbookDocument(uri, path, version, text)
        document.version, document.text = version, text
        self._schedule(document)

    def _forget(self, uri: str) -> None:
        document = self.documents.pop(uri, None)
        if document is None:
            return
        if document.task is not None:
            document.task.cancel()
        document.changed.set()
        for listener in self._forgotten:
            listener(uri)

    def _parents_changed(self, path: Path) -> None:
        changed = real_path(path)
        for document in self.documents.values():
            if changed in document.beneath:
                self._schedule(document)

    def parents_of(self, path: Path) -> list[RunbookDocument]:
        """Open runbooks that use the file as a child runbook (at any depth)."""
        target = real_path(path)
        return [doc for doc in self.documents.values() if target in doc.beneath]

    # -- analysis ---------------------------------------------------------------------

    def reanalyse_all(self) -> None:
        """After something every analysis reads changed (the run store, components)."""
        for document in self.documents.values():
            self._schedule(document)

    def _schedule(self, document: RunbookDocument) -> None:
        document.stale = True
        document.changed.set()
        if document.task is None or document.task.done():
            document.task = asyncio.ensure_future(self._analyse_while_stale(document))

    async def _analyse_while_stale(self, document: RunbookDocument) -> None:
        loop = asyncio.get_running_loop()
        if self.options.debounce_ms:
            await asyncio.sleep(self.options.debounce_ms / 1000)
        while document.stale and self.documents.get(document.uri) is document:
            document.stale = False
            text, version = document.text, document.version
            try:
                analysis = await loop.run_in_executor(
                    self._executor, self._analyse, document.path, text, document.analysis
                )
            except Exception as error:  # not the analysis (it never raises): what runs it
                # Answer the requests waiting for this text, with a diagnostic saying why.
                log.warning("analysis of %s failed: %r", document.path, error)
                log.debug("the failure", exc_info=error)
                analysis = failed_analysis(text, document.path, error)
            if self.documents.get(document.uri) is not document:
                return
            document.analysis, document.analysed_text = analysis, text
            document.analysed_version = version
            document.generation += 1
            document.beneath = frozenset(_child_files(analysis))
            document.unresolved = _has_unresolved_child(analysis)
            document.changed.set()
            if document.stale:
                continue  # a newer text is waiting: publish that one instead
            for listener in self._analysed:
                try:
                    listener(document)
                except Exception:
                    log.exception("a listener failed for %s", document.uri)

    def _analyse(self, path: Path, text: str, previous: Analysis | None) -> Analysis:
        runs = StoreLookup(self.store_dir)
        try:
            with paused_collector():
                return analyse(
                    text,
                    path,
                    previous=previous,
                    env=self.environment(path),
                    registry=self.registry,
                    read_text=self.read_text,
                    runs=runs,
                )
        finally:
            runs.close()

    def read_text(self, path: Path) -> str | None:
        """A file's text as the user sees it: the open buffer, else the disk (cached until
        the client says the file changed). Called from the analysis threads and the
        runbook index's threads as well as the event loop: the caches are locked."""
        key = real_path(path)
        with self._texts_lock:
            if key in self._open_texts:
                return self._open_texts[key]
            if key in self._disk:
                return self._disk[key]
            # Read outside the lock; a change reported meanwhile drops the entry again.
            generation = self._disk_generation
        text = read_runbook_or_none(path)  # bounded: a huge file or a FIFO costs nothing
        with self._texts_lock:
            if self._disk_generation == generation:
                self._disk[key] = text
        return text

    async def current(self, uri: str) -> RunbookDocument | None:
        """The document with the analysis of its current text. A request that was made
        against a text that changed while it waited is stale: ContentModified."""
        document = self.documents.get(uri)
        if document is None:
            return None
        version = document.version
        while not document.current:
            document.changed.clear()
            if document.task is None or document.task.done():
                self._schedule(document)
            await document.changed.wait()
            if self.documents.get(uri) is not document:
                return None
            if document.version != version:
                raise JsonRpcContentModified(f"{uri} changed (version {document.version})")
        return document

    def analyses(self) -> Iterator[RunbookDocument]:
        return iter(list(self.documents.values()))

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _child_files(analysis: Analysis) -> Iterator[Path]:
    for link in analysis.children.values():
        if link.path is not None:
            yield real_path(link.path)
        if link.analysis is not None:
            yield from _child_files(link.analysis)


def _has_unresolved_child(analysis: Analysis) -> bool:
    return any(
        link.path is None or (link.analysis is not None and _has_unresolved_child(link.analysis))
        for link in analysis.children.values()
    )
