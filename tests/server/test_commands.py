"""Runs from the editor (`workspace/executeCommand`): `waivern.run`, `.resume`, `.poll`,
`.cancel`, `.runs` and `.graph`, against a real server whose `wct run` processes see the
test components (the plug-in folder on the server's `PYTHONPATH`)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

import execution_support as support
from lsp_support import CLIENTS, TIMEOUT, LspSession, start_session
from runbook_samples import REVIEWED
from waivern_orchestration.store.run_store import RunStore


@pytest_asyncio.fixture(params=CLIENTS, name="editor")
async def editor_session(
    request: pytest.FixtureRequest, tmp_path: Path, plugin_folder: Path
) -> AsyncIterator[LspSession]:
    root = tmp_path / "workspace"
    root.mkdir()
    session = await start_session(request.param, root, env=support.plugin_env(plugin_folder))
    yield session
    await session.client.shutdown_session()
    await session.client.stop()


# For a command whose answer does not depend on the client's capabilities (progress,
# diagnostics pulled or pushed and view refreshes do, and run under both).
one_editor = pytest.mark.parametrize("editor", ["visual_studio_code"], indirect=True)


def runbook(**artifacts: dict[str, Any]) -> str:
    return support.runbook_text(artifacts)


def source(**properties: Any) -> dict[str, Any]:
    return {"source": {"type": "test_source", "properties": properties}}


def derived(inputs: str, **properties: Any) -> dict[str, Any]:
    return {"inputs": inputs, "process": {"type": "test_pass", "properties": properties}}


async def command(editor: LspSession, name: str, *arguments: Any) -> Any:
    return await editor.client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=name, arguments=list(arguments))
    )


def plain(value: Any) -> Any:
    """Params of a notification the protocol does not define, as plain JSON values (the
    client hands them over as named tuples)."""
    if hasattr(value, "_asdict"):
        return {key: plain(item) for key, item in value._asdict().items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


async def until(predicate: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + TIMEOUT
    while not (found := predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)
    return found


async def outcome_message(editor: LspSession, run_id: str) -> str:
    """The message announcing how the run ended."""
    found: str = await until(
        lambda: next((m.message for m in editor.client.messages if run_id in m.message), None),
        f"the outcome of run {run_id}",
    )
    return found


def stored_status(editor: LspSession, run_id: str) -> str:
    with RunStore(editor.root / ".waivern", read_only=True) as store:
        return store.run(run_id).status


def stored_artifacts(editor: LspSession, run_id: str) -> dict[str, str]:
    with RunStore(editor.root / ".waivern", read_only=True) as store:
        return {artifact.artifact_id: artifact.status for artifact in store.artifacts(run_id)}


def artifact_line(text: str, artifact: str) -> int:
    return next(i for i, line in enumerate(text.split("\n")) if line.strip() == f'"{artifact}": {{')


async def test_run_reports_progress_and_announces_the_outcome(editor: LspSession) -> None:
    text = runbook(files=source(text="hi"), report={**derived("files"), "output": True})
    document = editor.open("runbook.yaml", text)

    started = await command(editor, "waivern.run", document.uri)

    run_id = started["run_id"]
    assert "completed" in await outcome_message(editor, run_id)
    assert stored_status(editor, run_id) == "completed"
    if editor.client_name == "visual_studio_code":  # advertises work-done progress
        (reports,) = editor.client.progress_reports.values()
        assert isinstance(reports[0], lsp.WorkDoneProgressBegin)
        assert reports[0].title == "Running Test runbook" and reports[0].cancellable
        assert any(
            isinstance(r, lsp.WorkDoneProgressReport) and (r.message or "").startswith("2/2")
            for r in reports
        )
        assert isinstance(reports[-1], lsp.WorkDoneProgressEnd)
        assert "completed" in (reports[-1].message or "")

    listed = await command(editor, "waivern.runs", document.uri)
    assert [(item["run_id"], item["status"]) for item in listed] == [(run_id, "completed")]
    assert listed[0]["counts"]["completed"] == 2
    assert await command(editor, "waivern.runs", (editor.root / "other.yaml").as_uri()) == []

    polled = await command(editor, "waivern.poll", run_id)
    assert polled == {
        "run_id": run_id,
        "status": "completed",
        "completed": 0,
        "waiting": 0,
        "failed": [],
        "next": "nothing",
    }


@one_editor
async def test_a_runbook_with_errors_is_refused_and_nothing_runs(editor: LspSession) -> None:
    document = editor.open("runbook.yaml", runbook(report=derived("nowhere")))
    await editor.diagnostics(document)

    with pytest.raises(JsonRpcException, match="error"):
        await command(editor, "waivern.run", document.uri)

    assert any("not run" in m.message for m in editor.client.messages)
    assert not (editor.root / ".waivern" / "runs.db").exists()

    # A graph view asks after each edit and shows the reason itself: no message pops up.
    editor.client.messages.clear()
    with pytest.raises(JsonRpcException, match="has 1 error: fix them to see its graph"):
        await command(editor, "waivern.graph", document.uri)
    assert editor.client.messages == []


async def test_a_failing_artifact_is_a_diagnostic_until_a_run_completes_it(
    editor: LspSession,
) -> None:
    text = runbook(files=source(fail_unless="ready"), report={**derived("files"), "output": True})
    document = editor.open("runbook.yaml", text)
    await editor.diagnostics(document)

    failed = await command(editor, "waivern.run", document.uri)
    assert "failed" in await outcome_message(editor, failed["run_id"])

    def run_failures() -> list[lsp.Diagnostic]:
        return [d for d in editor.client.diagnostics.get(document.uri, []) if d.code == "WCT070"]

    (failure,) = await until(run_failures, "the failure diagnostic")
    assert failure.range.start.line == artifact_line(text, "files")
    assert failure.severity == lsp.DiagnosticSeverity.Warning
    assert "ready is missing" in failure.message and failed["run_id"] in failure.message

    (editor.root / "ready").touch()
    resumed = await command(editor, "waivern.resume", document.uri)  # the latest failed run
    assert resumed == failed
    assert "completed" in await outcome_message(editor, f"{failed['run_id']} of Test runbook: c")
    await until(lambda: not run_failures(), "the failure to be cleared")


@one_editor
async def test_an_optional_failure_ends_the_run_partial_and_resume_completes_it(
    editor: LspSession,
) -> None:
    text = runbook(
        main={**source(text="hi"), "output": True},
        extra={**source(fail_unless="ready"), "optional": True},
        report={**derived("extra"), "output": True},
    )
    document = editor.open("runbook.yaml", text, on_disk=True)
    run_id = (await command(editor, "waivern.run", document.uri))["run_id"]

    ended = f"run {run_id} of Test runbook: "
    announced: lsp.ShowMessageParams = await until(
        lambda: next((m for m in editor.client.messages if m.message.startswith(ended)), None),
        "the outcome",
    )
    assert announced.message.startswith(f"{ended}partial; resume it with the runbook's Resume")
    assert announced.type == lsp.MessageType.Warning
    assert stored_artifacts(editor, run_id) == {
        "main": "completed",
        "extra": "failed",
        "report": "skipped",
    }
    lenses = await editor.client.text_document_code_lens_async(
        lsp.CodeLensParams(text_document=document.id)
    )
    resume = [
        lens.command
        for lens in lenses or []
        if lens.command is not None and lens.command.command == "waivern.resume"
    ]
    assert [(c.title, list(c.arguments or ())) for c in resume] == [
        (f"↻ Resume run {run_id} (partial)", [document.uri, run_id])
    ]

    (editor.root / "ready").touch()
    editor.client.messages.clear()
    # "Resume Last Run": the latest resumable run, a partial one
    assert await command(editor, "waivern.resume", document.uri) == {"run_id": run_id}
    assert (await outcome_message(editor, ended)).startswith(f"{ended}completed")
    assert set(stored_artifacts(editor, run_id).values()) == {"completed"}


@one_editor
async def test_cancel_interrupts_a_run_that_resume_then_completes(editor: LspSession) -> None:
    text = runbook(
        files=source(text="hi"), slow={**derived("files", seconds=60, until="go"), "output": True}
    )
    document = editor.open("runbook.yaml", text, on_disk=True)
    started = await command(editor, "waivern.run", document.uri)
    run_id = started["run_id"]

    # The server answers while the run goes on.
    document.cursor = lsp.Position(line=artifact_line(text, "slow"), character=3)
    hover = await editor.hover(document)
    assert hover is not None
    assert stored_status(editor, run_id) == "running"
    # (`files` finishes and `slow` starts a moment after the run has started)
    await until(lambda: stored_artifacts(editor, run_id)["slow"] == "running", "slow to start")
    graph = await command(editor, "waivern.graph", document.uri)
    assert {node["id"]: node["status"] for node in graph["nodes"]} == {
        "files": "completed",
        "slow": "running",
    }
    assert stored_status(editor, run_id) == "running"

    assert await command(editor, "waivern.cancel", run_id) == {"run_id": run_id, "cancelled": True}
    assert "interrupted" in await outcome_message(editor, run_id)
    assert stored_status(editor, run_id) == "interrupted"

    (editor.root / "go").touch()
    editor.client.messages.clear()
    assert await command(editor, "waivern.resume", document.uri, run_id) == {"run_id": run_id}
    assert "completed" in await outcome_message(editor, run_id)


async def test_cancelling_the_progress_interrupts_the_run_and_views_refresh(
    editor: LspSession,
) -> None:
    text = runbook(
        files=source(text="hi"), slow={**derived("files", seconds=60, until="go"), "output": True}
    )
    document = editor.open("runbook.yaml", text, on_disk=True)
    run_id = (await command(editor, "waivern.run", document.uri))["run_id"]

    # completion is answered while the run goes on
    document.cursor = lsp.Position(line=artifact_line(text, "slow") + 1, character=4)
    await editor.completion(document)
    assert stored_status(editor, run_id) == "running"

    caps = editor.client.capabilities
    assert caps is not None
    if not (caps.window and caps.window.work_done_progress):
        await command(editor, "waivern.cancel", run_id)
    else:  # the user presses Cancel on the progress notification
        (token,) = editor.client.progress_reports
        await until(lambda: editor.client.progress_reports[token], "the progress to begin")
        editor.client.window_work_done_progress_cancel(
            lsp.WorkDoneProgressCancelParams(token=token)
        )
    assert "interrupted" in await outcome_message(editor, run_id)
    assert stored_status(editor, run_id) == "interrupted"

    # the runbook's lens now offers to resume that run
    lenses = await editor.client.text_document_code_lens_async(
        lsp.CodeLensParams(text_document=document.id)
    )
    commands = [lens.command for lens in lenses or [] if lens.command is not None]
    resume = [c for c in commands if c.command == "waivern.resume"]
    assert [list(c.arguments or ()) for c in resume] == [[document.uri, run_id]]
    assert "interrupted" in resume[0].title

    workspace = caps.workspace
    if workspace and workspace.code_lens and workspace.code_lens.refresh_support:
        assert lsp.WORKSPACE_CODE_LENS_REFRESH in editor.client.refreshes
    if workspace and workspace.inlay_hint and workspace.inlay_hint.refresh_support:
        assert lsp.WORKSPACE_INLAY_HINT_REFRESH in editor.client.refreshes


@one_editor
async def test_the_graph_is_the_flattened_plan_with_child_artifacts(editor: LspSession) -> None:
    editor.write(
        "analysis.yaml",
        json.dumps(
            {
                "name": "Analysis",
                "description": "a child",
                "inputs": {"documents": {"input_schema": "standard_input/1.0.0"}},
                "outputs": {"findings": {"artifact": "count"}},
                "artifacts": {"count": {**derived("documents", mode="count"), "output": True}},
            },
            indent=1,
        ),
    )
    text = runbook(
        files=source(text="hi"),
        scan={
            "inputs": "files",
            "child_runbook": {
                "path": "analysis.yaml",
                "input_mapping": {"documents": "files"},
                "output": "findings",
            },
        },
        report={**derived("scan"), "output": True},
    )
    document = editor.open("runbook.yaml", text)
    assert [d for d in await editor.diagnostics(document) if d.severity == 1] == []

    before = await command(editor, "waivern.graph", document.uri)
    nodes = {node["id"]: node for node in before["nodes"]}
    (child,) = [node for node in nodes.values() if node["origin"] != "parent"]
    assert child["origin"] == "child:Analysis" and child["id"].startswith("scan.")
    # its use of the child runbook (one group per `child_runbook` artifact), its component
    assert child["group"] == child["id"].removesuffix(".count") and nodes["files"]["group"] is None
    assert (nodes["files"]["component"], child["component"]) == ("test_source", "test_pass")
    assert child["range"]["start"]["line"] == artifact_line(text, "scan")
    assert nodes["files"]["kind"] == "source" and nodes["report"]["kind"] == "derived"
    assert sorted(before["edges"]) == sorted([["files", child["id"]], [child["id"], "report"]])
    assert {node["status"] for node in nodes.values()} == {None}

    run_id = (await command(editor, "waivern.run", document.uri))["run_id"]
    await outcome_message(editor, run_id)
    after = await command(editor, "waivern.graph", document.uri)
    assert {node["status"] for node in after["nodes"]} == {"completed"}
    assert after["run_id"] == run_id


async def test_closing_the_editor_mid_run_leaves_the_run_going(
    tmp_path: Path, plugin_folder: Path
) -> None:
    root = tmp_path / "workspace"
    root.mkdir()
    session = await start_session("neovim", root, env=support.plugin_env(plugin_folder))
    text = runbook(files=source(text="hi"), slow={**derived("files", seconds=60, until="go")})
    document = session.open("runbook.yaml", text)
    run_id = (await command(session, "waivern.run", document.uri))["run_id"]
    await session.client.shutdown_session()
    await session.client.stop()

    assert stored_status(session, run_id) == "running"  # the server is gone, the run is not
    (root / "go").touch()
    deadline = time.monotonic() + TIMEOUT
    while stored_status(session, run_id) == "running":
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)
    assert stored_status(session, run_id) == "completed"
    assert os.listdir(root / ".waivern")


@one_editor
async def test_a_batch_run_is_polled_then_resumed_from_the_editor(editor: LspSession) -> None:
    editor.write("data/ticket.txt", "Write to jane.doe@northwind-mail.com about the refund.\n")
    document = editor.open("runbook.yaml", REVIEWED)
    assert await editor.diagnostics(document) == []

    run_id = (await command(editor, "waivern.run", document.uri))["run_id"]
    assert "interrupted" in await outcome_message(editor, run_id)  # waiting for the batch job

    # The local provider's worker is a process of its own: poll once it has answered.
    await asyncio.to_thread(support.wait_for_batch_workers, editor.root / ".waivern")
    summary = await command(editor, "waivern.poll", run_id)
    assert summary["waiting"] == 0, summary
    assert summary["run_id"] == run_id
    assert summary["completed"] == 1 and summary["failed"] == []
    assert summary["next"] == "resume"

    editor.client.messages.clear()
    assert await command(editor, "waivern.resume", document.uri, run_id) == {"run_id": run_id}
    assert "completed" in await outcome_message(editor, run_id)
    assert stored_status(editor, run_id) == "completed"


@one_editor
async def test_inspect_gives_a_runs_artifacts_and_an_artifacts_stored_output(
    editor: LspSession,
) -> None:
    text = runbook(files=source(text="hi"), report={**derived("files"), "output": True})
    document = editor.open("runbook.yaml", text)
    run_id = (await command(editor, "waivern.run", document.uri))["run_id"]
    await outcome_message(editor, run_id)

    state = await command(editor, "waivern.inspect", run_id)
    assert state["run_id"] == run_id and state["status"] == "completed"
    assert {name: item["status"] for name, item in state["artifacts"].items()} == {
        "files": "completed",
        "report": "completed",
    }
    assert state["artifacts"]["report"]["duration_seconds"] is not None

    message = await command(editor, "waivern.inspect", run_id, "report")
    assert message["id"] == "report"
    assert message["extensions"]["execution"]["status"] == "completed"
    assert message["content"] is not None

    with pytest.raises(JsonRpcException, match="has no artifact 'nowhere'"):
        await command(editor, "waivern.inspect", run_id, "nowhere")
    with pytest.raises(JsonRpcException, match="unknown run"):
        await command(editor, "waivern.inspect", "no-such-run")


@one_editor
async def test_inspect_sends_a_streamed_output_a_page_at_a_time(editor: LspSession) -> None:
    numbers = {"source": {"type": "test_stream", "properties": {"count": 2500}}, "output": True}
    document = editor.open("runbook.yaml", runbook(numbers=numbers))
    run_id = (await command(editor, "waivern.run", document.uri))["run_id"]
    await outcome_message(editor, run_id)

    first = await command(editor, "waivern.inspect", run_id, "numbers")
    assert first["page"] == {"field": "items", "offset": 0, "limit": 1000, "total": 2500}
    assert [item["content"] for item in first["content"]["items"]][-1] == "item 999"
    last = await command(editor, "waivern.inspect", run_id, "numbers", {"offset": 2000})
    assert [item["content"] for item in last["content"]["items"]] == [
        f"item {n}" for n in range(2000, 2500)
    ]
    with pytest.raises(JsonRpcException, match="page limit must be a whole number"):
        await command(editor, "waivern.inspect", run_id, "numbers", {"limit": -1})


@pytest.mark.parametrize("client_name", ["neovim"])
async def test_runs_from_the_editor_go_where_the_executor_option_says(
    client_name: str, tmp_path: Path, plugin_folder: Path
) -> None:
    pytest.importorskip("distributed")
    root = tmp_path / "workspace"
    root.mkdir()
    options = {"store": str(root / ".waivern"), "executor": "dask-local:1"}
    editor = await start_session(
        client_name, root, env=support.plugin_env(plugin_folder), options=options
    )
    try:
        numbers = {"source": {"type": "test_stream", "properties": {"count": 30}}}
        upper = {"inputs": "numbers", "process": {"type": "test_items", "properties": {"count": 0}}}
        document = editor.open("runbook.yaml", runbook(numbers=numbers, upper=upper))
        run_id = (await command(editor, "waivern.run", document.uri))["run_id"]
        assert "completed" in await outcome_message(editor, run_id)
        with RunStore(root / ".waivern", read_only=True) as store:
            assert store.run(run_id).executor == "dask-local:1"
    finally:
        await editor.client.shutdown_session()
        await editor.client.stop()


@pytest.mark.parametrize("client_name", ["visual_studio_code"])
async def test_run_events_are_notified_to_clients_that_ask(
    client_name: str, tmp_path: Path, plugin_folder: Path
) -> None:
    root = tmp_path / "workspace"
    root.mkdir()
    options = {"store": str(root / ".waivern"), "runEvents": True}
    editor = await start_session(
        client_name, root, env=support.plugin_env(plugin_folder), options=options
    )
    events: list[dict[str, Any]] = []

    @editor.client.feature("waivern/runProgress")
    def record(params: Any) -> None:
        events.append(plain(params))

    outcomes: list[str] = []

    @editor.client.feature(lsp.WINDOW_SHOW_MESSAGE_REQUEST)
    def outcome(params: lsp.ShowMessageRequestParams) -> None:
        outcomes.append(params.message)  # (a failed run's, with its Resume button: unclicked)

    try:
        slow = {"count": 3000, "item_seconds": 0.0005}  # 1.5 s: progress every 0.5 s
        text = runbook(
            files=source(text="hi"),
            broken={**derived("files", fail="no luck"), "output": True},
            numbers={"source": {"type": "test_stream", "properties": slow}},
        )
        document = editor.open("runbook.yaml", text)
        run_id = (await command(editor, "waivern.run", document.uri))["run_id"]
        await until(lambda: any(run_id in message for message in outcomes), "the outcome")
        await until(lambda: any(e["event"] == "run_ended" for e in events), "run_ended")
    finally:
        await editor.client.shutdown_session()
        await editor.client.stop()

    assert {e["run_id"] for e in events} == {run_id}
    assert {e["runbook"] for e in events} == {(root / "runbook.yaml").as_uri()}
    kinds = [e["event"] for e in events]
    assert kinds[0] == "run_started" and kinds[-2:] == ["run_finished", "run_ended"]
    finished = {e["artifact"]: e["artifact_status"] for e in events if "artifact_status" in e}
    assert finished == {"files": "completed", "broken": "failed", "numbers": "completed"}
    last = events[-1]
    assert (last["status"], last["done"], last["total"], last["failed"]) == ("failed", 3, 3, 1)
    # How far a streaming artifact has got, in words, while it runs.
    moving = [e for e in events if e["event"] == "artifact_progress"]
    assert moving and all(e["artifact"] == "numbers" for e in moving)
    assert re.fullmatch(r"numbers: [\d,]+ items · [\d,]+ items/s", moving[0]["progress"])


async def test_the_extension_gets_a_resume_button_on_a_run_that_did_not_complete(
    tmp_path: Path, plugin_folder: Path
) -> None:
    root = tmp_path / "workspace"
    root.mkdir()
    options = {"store": str(root / ".waivern"), "runEvents": True}  # as the extension asks
    editor = await start_session(
        "visual_studio_code", root, env=support.plugin_env(plugin_folder), options=options
    )
    asked: list[lsp.ShowMessageRequestParams] = []

    @editor.client.feature(lsp.WINDOW_SHOW_MESSAGE_REQUEST)
    def show_message_request(params: lsp.ShowMessageRequestParams) -> lsp.MessageActionItem:
        asked.append(params)
        (root / "ready").touch()  # the cause fixed, the user clicks Resume
        return lsp.MessageActionItem(title="Resume")

    try:
        text = runbook(
            files=source(fail_unless="ready"), report={**derived("files"), "output": True}
        )
        document = editor.open("runbook.yaml", text)
        await editor.diagnostics(document)
        failed = (await command(editor, "waivern.run", document.uri))["run_id"]
        (request,) = await until(lambda: asked, "the outcome with its Resume button")
        assert request.message.startswith(f"run {failed} of Test runbook: failed; resume it")
        assert [action.title for action in request.actions or []] == ["Resume"]
        # the click resumed the run, here: it completes
        assert "completed" in await outcome_message(editor, f"{failed} of Test runbook: c")
        assert stored_status(editor, failed) == "completed"
    finally:
        await editor.client.shutdown_session()
        await editor.client.stop()
