"""Code lens through the real server: "▶ Run" on the runbook's first line, each artifact's
status in the latest run read from the workspace's run store above its id, and "↻ Resume"
only when that run failed or was interrupted, with the commands and arguments the client
executes. The titles are tested in-process (tests/language/test_lens_titles.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from lsprotocol import types

from lsp_support import LspSession, OpenDocument, one_client
from run_support import run
from runbook_samples import SCAN
from waivern_lsp.features import code_lens

FILES_LINE, FINDINGS_LINE = 3, 8  # where `files:` and `findings:` stand in SCAN


async def lenses(lsp: LspSession, document: OpenDocument) -> dict[int, list[types.Command]]:
    """The lenses' commands by line."""
    found = await lsp.client.text_document_code_lens_async(
        types.CodeLensParams(text_document=document.id)
    )
    assert found is not None
    by_line: dict[int, list[types.Command]] = {}
    for lens in found:
        assert lens.command is not None
        by_line.setdefault(lens.range.start.line, []).append(lens.command)
    return by_line


def titles(commands: list[types.Command]) -> list[str]:
    return [command.title for command in commands]


@one_client
async def test_lenses_run_the_runbook_and_follow_its_latest_run(lsp: LspSession) -> None:
    lsp.write("runbook.yaml", SCAN)  # ./data does not exist: a run fails
    document = lsp.open("runbook.yaml", SCAN)
    shown = await lenses(lsp, document)
    (run_lens,) = shown[0]
    assert (run_lens.title, run_lens.command, list(run_lens.arguments or ())) == (
        "▶ Run",
        "waivern.run",
        [document.uri],
    )
    assert titles(shown[FILES_LINE]) == ["not run yet"]
    assert titles(shown[FINDINGS_LINE]) == ["not run yet"]
    assert shown[FILES_LINE][0].command == ""  # informational: nothing to execute

    outcome = await run(lsp)
    assert outcome.status == "failed"
    shown = await lenses(lsp, document)
    run_lens, resume = shown[0]
    assert run_lens.command == "waivern.run"
    assert resume.title == f"↻ Resume run {outcome.run_id} (failed)"
    assert (resume.command, list(resume.arguments or ())) == (
        "waivern.resume",
        [document.uri, outcome.run_id],
    )
    (files,) = titles(shown[FILES_LINE])
    assert files.startswith("✗ failed: ") and "does not exist" in files
    assert titles(shown[FINDINGS_LINE]) == [f"⊘ skipped · run {outcome.run_id}"]


def test_refreshing_run_views_asks_only_what_the_client_supports() -> None:
    from concurrent.futures import Future

    from waivern_lsp.runs.views import refresh_run_views

    sent: list[str] = []

    class Server:  # the part of WaivernServer refresh_run_views uses
        def supports(self, dotted: str) -> bool:
            return dotted == "workspace.inlay_hint.refresh_support"

        def request(self, method: str) -> Future[None]:
            sent.append(method)
            done: Future[None] = Future()
            done.set_result(None)
            return done

        def workspace_code_lens_refresh(self, params: None) -> Future[None]:
            return self.request("codeLens")

        def workspace_inlay_hint_refresh(self, params: None) -> Future[None]:
            return self.request("inlayHint")

    refresh_run_views(Server())  # type: ignore[arg-type]
    assert sent == ["inlayHint"]


async def test_a_busy_store_keeps_the_run_status_read_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a big run keeps the store busy past the lenses' patience, they show the run
    read last, not "not run yet"."""
    known = object()
    answers: list[object] = [known]

    def read(_store: Path, _runbook: Path) -> object:
        answer = answers.pop(0)
        if answer is None:
            time.sleep(code_lens.STORE_PATIENCE_SECONDS + 0.5)  # the store is busy
        return answer

    monkeypatch.setattr(code_lens, "latest_run_state", read)
    runbook = tmp_path / "runbook.yaml"
    assert await code_lens.latest_run(tmp_path, runbook) is known
    answers.append(None)
    assert await code_lens.latest_run(tmp_path, runbook) is known
