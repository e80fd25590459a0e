"""Reading navigation answers in tests: where a definition, reference or symbol points
(file name, line and the text there), and a rename's workspace edit applied to texts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp
from pytest_lsp import client_capabilities

from lsp_support import LspSession, apply_edit, start_session
from runbook_samples import CHILD, PARENT  # noqa: F401 (the navigation tests import them from here)

Spot = tuple[str, int, str]  # file name, line, the text of the range


def path_of(uri: str) -> Path:
    return Path(unquote(urlparse(uri).path))


def name_of(session: LspSession, uri: str) -> str:
    return path_of(uri).resolve().relative_to(session.root.resolve()).as_posix()


def current_text(session: LspSession, uri: str) -> str:
    """An open document's text, else the file's."""
    for document in session.documents.values():
        if document.path.resolve() == path_of(uri).resolve():
            return document.text
    return path_of(uri).read_text(encoding="utf-8")


def text_at(session: LspSession, uri: str, range_: lsp.Range) -> str:
    text = current_text(session, uri)
    line = text.split("\n")[range_.start.line]
    return line[range_.start.character : range_.end.character]


def spot(session: LspSession, uri: str, range_: lsp.Range) -> Spot:
    return name_of(session, uri), range_.start.line, text_at(session, uri, range_)


def spots(
    session: LspSession,
    found: lsp.Location | Sequence[lsp.Location] | Sequence[lsp.LocationLink] | None,
) -> list[Spot]:
    """Where each location (or link: its target's name) points, in the order given."""
    if found is None:
        return []
    if isinstance(found, lsp.Location):
        found = [found]
    result: list[Spot] = []
    for item in found:
        if isinstance(item, lsp.LocationLink):
            result.append(spot(session, item.target_uri, item.target_selection_range))
        else:
            result.append(spot(session, item.uri, item.range))
    return result


def edited_texts(session: LspSession, edit: lsp.WorkspaceEdit) -> dict[str, str]:
    """Each edited file's text after the edit, by file name relative to the workspace."""
    by_uri: dict[str, list[lsp.TextEdit]] = {}
    for change in edit.document_changes or ():
        assert isinstance(change, lsp.TextDocumentEdit)
        by_uri.setdefault(change.text_document.uri, []).extend(
            e for e in change.edits if isinstance(e, lsp.TextEdit)
        )
    for uri, edits in (edit.changes or {}).items():
        by_uri.setdefault(uri, []).extend(edits)
    texts: dict[str, str] = {}
    for uri, edits in by_uri.items():
        text = current_text(session, uri)
        ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))
        for text_edit in reversed(ordered):
            text = apply_edit(text, text_edit.range, text_edit.new_text)
        texts[name_of(session, uri)] = text
    return texts


@asynccontextmanager
async def session_without(
    tmp_path: Path, client_name: str, remove: Callable[[lsp.ClientCapabilities], None]
) -> AsyncIterator[LspSession]:
    """A session whose client lacks a capability (`remove` takes it away), for the
    answers made for less able clients."""
    capabilities = client_capabilities(client_name)
    remove(capabilities)
    root = tmp_path / "workspace"
    root.mkdir()
    session = await start_session(client_name, root, capabilities=capabilities)
    try:
        yield session
    finally:
        await session.client.shutdown_session()
        await session.client.stop()
