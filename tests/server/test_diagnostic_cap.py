"""Diagnostics of a big, broken runbook: at most `maxDiagnostics` per file (errors first)
and one summary counting the rest by code; the setting changed by the client; and a
publish only when what the client shows would change (ranges moved by an edit count)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest_asyncio
from lsprotocol import types

from lsp_support import LspSession, start_session
from runbook_samples import SCAN

COUNT = 20
TIMES = "\u00d7"  # the multiplication sign, as in `WCT010 TIMES 15`


def broken(count: int = COUNT) -> str:
    """``count`` artifacts each with an unknown input (WCT010) and an unknown processor type
    (WCT021), a connector path with an unset variable (WCT050, a warning) and an artifact
    nobody uses (WCT090, a hint): twice ``count`` errors, then a warning and a hint."""
    artifacts = "".join(
        f"  a{number:02d}:\n"
        f"    inputs: [missing{number:02d}]\n"
        "    process:\n"
        "      type: nope\n"
        "    output: true\n"
        for number in range(count)
    )
    return (
        "name: Broken\n"
        "description: Many problems\n"
        "artifacts:\n"
        f"{artifacts}"
        "  files:\n"
        "    source:\n"
        "      type: filesystem\n"
        "      properties:\n"
        "        path: ${UNSET_FOLDER_FOR_THE_TEST}\n"
    )


@pytest_asyncio.fixture
async def capped(tmp_path: Path) -> AsyncIterator[LspSession]:
    """A server whose cap is 10 diagnostics per file."""
    session = await start_session(
        "visual_studio_code", tmp_path, options={"store": "", "maxDiagnostics": 10}
    )
    yield session
    await session.client.shutdown_session()
    await session.client.stop()


def summary_of(diagnostics: Sequence[types.Diagnostic]) -> types.Diagnostic:
    (summary,) = [d for d in diagnostics if d.code is None]
    return summary


async def test_past_the_cap_one_summary_counts_the_rest_by_code(capped: LspSession) -> None:
    document = capped.open("runbook.yaml", broken())
    diagnostics = await capped.diagnostics(document)

    listed = [d for d in diagnostics if d.code is not None]
    assert len(listed) == 10
    # the errors survive the cap: the first ten, in the order they stand
    assert [d.code for d in listed] == ["WCT010", "WCT021"] * 5
    summary = summary_of(diagnostics)
    assert summary.message.startswith(
        f"… and 32 more problems, not listed: WCT010 {TIMES}15, WCT021 {TIMES}15, "
        f"WCT050 {TIMES}1, WCT090 {TIMES}1 "
    )
    assert "maxDiagnostics" in summary.message
    assert summary.severity == types.DiagnosticSeverity.Error
    assert summary.source == "waivern"
    # it stands on the first problem left out: a05's unknown input
    assert summary.range.start.line == broken().splitlines().index("  a05:") + 1


async def test_the_setting_changes_the_cap(capped: LspSession) -> None:
    document = capped.open("runbook.yaml", broken())
    assert len(await capped.diagnostics(document)) == 11
    seen = capped.published_count(document.uri)

    capped.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"waivern": {"maxDiagnostics": 41}})
    )
    republished = await capped.next_publish(document.uri, seen)
    assert len(republished.diagnostics) == 42
    assert summary_of(republished.diagnostics).message.startswith(
        f"… and 1 more problem, not listed: WCT090 {TIMES}1 "
    )

    capped.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"waivern": {}})  # the default: 1,000
    )
    everything = await capped.next_publish(document.uri, seen + 1)
    codes = [d.code for d in everything.diagnostics]
    assert None not in codes
    assert len(codes) == 2 * COUNT + 2


async def test_an_edit_that_changes_no_diagnostic_publishes_nothing(capped: LspSession) -> None:
    text = SCAN.replace("inputs: [files]", "inputs: [filez]")
    document = capped.open("runbook.yaml", text)
    before = await capped.diagnostics(document)
    assert sorted(str(d.code) for d in before) == ["WCT010", "WCT090"]
    seen = capped.published_count(document.uri)

    # a description: the same problems at the same places
    capped.replace(document, text.replace("Finds personal data", "Finds personal data, fast"))
    assert await capped.diagnostics(document) == before
    assert capped.published_count(document.uri) == seen

    # a line inserted above: the same problems, one line further down
    capped.replace(document, text.replace("artifacts:\n", "artifacts:\n  # the inputs\n"))
    moved = await capped.diagnostics(document)
    assert capped.published_count(document.uri) == seen + 1
    assert [(d.code, d.message) for d in moved] == [(d.code, d.message) for d in before]
    assert [d.range.start.line for d in moved] == [d.range.start.line + 1 for d in before]

    # the fix: exactly that problem goes (and `files` is used again)
    capped.replace(document, SCAN.replace("artifacts:\n", "artifacts:\n  # the inputs\n"))
    assert await capped.diagnostics(document) == []
    assert capped.published_count(document.uri) == seen + 2


async def test_a_fix_removes_exactly_that_diagnostic(capped: LspSession) -> None:
    text = broken(3)
    document = capped.open("runbook.yaml", text)
    before = await capped.diagnostics(document)
    assert len(before) == 8

    capped.replace(document, text.replace("inputs: [missing01]", "inputs: [files]"))
    after = await capped.diagnostics(document)
    removed = [d for d in before if d not in after]
    assert sorted(str(d.code) for d in removed) == ["WCT010", "WCT090"]
    assert any("`missing01`" in d.message for d in removed)
    assert "`files`" in next(d.message for d in removed if d.code == "WCT090")
    assert all(d in before for d in after)  # the others as they were, ranges included
