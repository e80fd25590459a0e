"""The server's workspace in-process, with the analysis thread held at a gate so that what
happens while an analysis runs is decided by the test, not by how long it takes: edits
that arrive meanwhile are coalesced into one more analysis of the newest text, never an
older version published over a newer one, and a request about a text that changed while
it waited is ContentModified."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pygls.exceptions import JsonRpcContentModified

from runbook_samples import SCAN
from waivern_lsp.options import ServerOptions
from waivern_lsp.workspace import RunbookDocument, RunbookWorkspace
from waivern_orchestration.analysis import Analysis


class HeldWorkspace:
    """A workspace whose analyses wait for `release()`; it counts the texts analysed and
    the versions its listeners were told about."""

    def __init__(self, root: Path) -> None:
        self.workspace = RunbookWorkspace(ServerOptions(), [root])
        self.gate = threading.Event()
        self.analysed: list[str] = []
        self.published: list[int | None] = []
        analyse = self.workspace._analyse

        def held(path: Path, text: str, previous: Analysis | None) -> Analysis:
            self.gate.wait(timeout=60)
            self.analysed.append(text)
            return analyse(path, text, previous)

        self.workspace._analyse = held  # type: ignore[method-assign]
        self.workspace.on_analysed(lambda document: self.published.append(document.version))

    def release(self) -> None:
        self.gate.set()

    async def settled(self, uri: str) -> RunbookDocument:
        document = await self.workspace.current(uri)
        assert document is not None
        return document


@pytest.fixture
def held(tmp_path: Path) -> Iterator[HeldWorkspace]:
    workspace = HeldWorkspace(tmp_path)
    yield workspace
    workspace.release()
    workspace.workspace.shutdown()


def texts(count: int) -> list[str]:
    """``count`` versions of the scan runbook, each a keystroke further."""
    return [SCAN.replace("inputs: [files]", "inputs: [files" + "x" * n + "]") for n in range(count)]


async def test_edits_during_an_analysis_cost_one_more_analysis_of_the_newest_text(
    held: HeldWorkspace, tmp_path: Path
) -> None:
    path = tmp_path / "runbook.yaml"
    uri = path.as_uri()
    versions = texts(31)
    held.workspace.opened(uri, path, 1, versions[0])
    await asyncio.sleep(0)  # the analysis of version 1 starts (and waits at the gate)
    for version, text in enumerate(versions[1:], start=2):
        held.workspace.changed(uri, path, version, text)
    held.release()

    document = await held.settled(uri)

    assert held.analysed == [versions[0], versions[-1]]  # the first, then only the newest
    assert held.published == [31]
    assert document.analysis is not None and document.analysis.text == versions[-1]


async def test_analyses_published_in_order_never_go_back_in_time(
    held: HeldWorkspace, tmp_path: Path
) -> None:
    path = tmp_path / "runbook.yaml"
    uri = path.as_uri()
    held.release()
    versions = texts(6)
    held.workspace.opened(uri, path, 1, versions[0])
    await held.settled(uri)
    for version, text in enumerate(versions[1:], start=2):
        held.workspace.changed(uri, path, version, text)
        if version % 2:
            await held.settled(uri)
    await held.settled(uri)

    assert held.published == sorted(held.published)
    assert held.published[-1] == 6


async def test_a_request_about_a_text_that_changed_meanwhile_is_content_modified(
    held: HeldWorkspace, tmp_path: Path
) -> None:
    path = tmp_path / "runbook.yaml"
    uri = path.as_uri()
    held.workspace.opened(uri, path, 1, SCAN)
    pending = asyncio.ensure_future(held.workspace.current(uri))
    await asyncio.sleep(0)  # the request starts waiting for the analysis of version 1

    held.workspace.changed(uri, path, 2, SCAN.replace("[files]", "[filez]"))
    held.release()

    with pytest.raises(JsonRpcContentModified):
        await pending
    document = await held.settled(uri)
    assert document.version == 2
    assert document.analysis is not None
    assert "WCT010" in [d.code for d in document.analysis.diagnostics]


async def test_a_request_made_after_the_edit_gets_the_newest_analysis(
    held: HeldWorkspace, tmp_path: Path
) -> None:
    path = tmp_path / "runbook.yaml"
    uri = path.as_uri()
    held.workspace.opened(uri, path, 1, SCAN)
    held.workspace.changed(uri, path, 2, SCAN.replace("[files]", "[filez]"))
    pending = asyncio.ensure_future(held.workspace.current(uri))
    held.release()

    document = await pending
    assert document is not None and document.version == 2
    assert document.analysed_version == 2


async def test_a_file_on_disk_is_read_once_and_again_after_the_client_says_it_changed(
    held: HeldWorkspace, tmp_path: Path
) -> None:
    child = tmp_path / "child.yaml"
    child.write_text("first", encoding="utf-8")
    workspace = held.workspace
    assert workspace.read_text(child) == "first"
    child.write_text("second", encoding="utf-8")
    assert workspace.read_text(child) == "first"  # cached until the client says it changed

    workspace.files_changed([child])

    assert workspace.read_text(child) == "second"


async def test_a_failed_analysis_answers_the_waiting_requests_with_a_diagnostic(
    tmp_path: Path,
) -> None:
    workspace = RunbookWorkspace(ServerOptions(), [tmp_path])

    def failing(path: Path, text: str, previous: Analysis | None) -> Analysis:
        raise RecursionError("maximum recursion depth exceeded")

    workspace._analyse = failing  # type: ignore[method-assign]
    path = tmp_path / "runbook.yaml"
    uri = path.as_uri()
    try:
        workspace.opened(uri, path, 1, SCAN)
        document = await asyncio.wait_for(workspace.current(uri), timeout=30)
    finally:
        workspace.shutdown()

    assert document is not None and document.analysed_version == 1
    assert document.analysis is not None
    [diagnostic] = document.analysis.diagnostics
    assert diagnostic.code == "WCT001"
    assert "could not be analysed (RecursionError)" in diagnostic.message


async def test_a_runbook_being_analysed_does_not_hold_up_another(tmp_path: Path) -> None:
    """A huge runbook's analysis takes seconds: another runbook opened meanwhile is
    analysed (and its requests answered) while the first one's still runs."""
    workspace = RunbookWorkspace(ServerOptions(), [tmp_path])
    gate = threading.Event()
    analyse = workspace._analyse

    def analysed(path: Path, text: str, previous: Analysis | None) -> Analysis:
        if path.name == "huge.yaml":
            gate.wait(timeout=60)  # as long as the test wants
        return analyse(path, text, previous)

    workspace._analyse = analysed  # type: ignore[method-assign]
    huge, small = tmp_path / "huge.yaml", tmp_path / "small.yaml"
    try:
        workspace.opened(huge.as_uri(), huge, 1, SCAN)
        await asyncio.sleep(0)  # its analysis starts, and waits at the gate
        workspace.opened(small.as_uri(), small, 1, SCAN)

        document = await asyncio.wait_for(workspace.current(small.as_uri()), timeout=30)

        assert document is not None and document.analysed_version == 1
        assert workspace.documents[huge.as_uri()].analysis is None  # still analysing
        gate.set()
        done = await asyncio.wait_for(workspace.current(huge.as_uri()), timeout=30)
        assert done is not None and done.analysed_version == 1
    finally:
        gate.set()
        workspace.shutdown()
