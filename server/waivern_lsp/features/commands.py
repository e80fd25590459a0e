"""Commands (`workspace/executeCommand`): runs from the editor and what graph views show.

- `waivern.run [uri]` → `{"run_id"}` once the run has started: a separate
  `wct run --events` process (`editor_runs`) with work-done progress, failures shown on
  their artifacts and a message naming the run id and its final status. A runbook with
  errors is refused (nothing is started).
- `waivern.resume [uri, run_id?]` → `{"run_id"}`: the given run, or the latest resumable
  (failed, interrupted, partial, or `running` with its process gone) run of the runbook.
- `waivern.poll [run_id]` → `{"run_id", "status", "completed", "waiting", "failed":
  [{"artifact", "error"}], "next": "poll"|"resume"|"nothing"}` (`wct poll`).
- `waivern.cancel [run_id]` → `{"run_id", "cancelled"}`: SIGTERM to the run's process.
- `waivern.graph [uri]` → the flattened plan with the latest run's statuses (`run_graph`).
  A runbook with errors has no plan: an error response, without a message (graph views
  ask again after each edit and show the reason themselves).
- `waivern.runs [uri?]` → the `wct runs --json` list of the workspace store, only the
  runbook's runs when a URI is given.
- `waivern.inspect [run_id, artifact?, page?]` → `wct inspect RUN_ID --json` (the run's
  state per artifact), or with an artifact (plan id or alias) its stored output message
  (`wct inspect RUN_ID ARTIFACT --json`), its items a page at a time: `page` is
  `{"offset", "limit"}`, at most 1,000 items (the default), said in the message's `page`.

Clients that set the `runEvents` option also get a `waivern/runProgress` notification
for each event of a run started from the editor (`editor_runs`): status bars and graph
views follow a run with it.

A command the user cannot have (an unknown run, a runbook with errors) is answered with
an error response and the same words in a message; a failure of ours is logged and
answered as one too, never a crash.

The answers are built as TypedDicts (here `StartedRun`, `Cancellation`, `PollReport`;
`Graph`, `RunSummary`, `RunReport` where those are built), which are also their JSON
Schema (`waivern_lsp.api_schema`) and the editor's types.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import signal
import socket
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Literal

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from typing_extensions import TypedDict  # for pydantic (the JSON Schema) before 3.12

from waivern_lsp.conversions import uri_to_path
from waivern_lsp.runs.editor_runs import EditorRuns, RunNotStarted
from waivern_lsp.runs.graph import Graph, graph_of
from waivern_lsp.server import WaivernServer
from waivern_lsp.workspace import RunbookDocument
from waivern_orchestration.analysis.child_paths import real_path
from waivern_orchestration.execution.batch import poll
from waivern_orchestration.planner import Planner, PlanningError
from waivern_orchestration.store.reports import (
    NoStoredOutput,
    RunReport,
    RunSummary,
    artifact_message,
    run_report,
    run_summaries,
)
from waivern_orchestration.store.run_states import latest_run_state
from waivern_orchestration.store.run_store import STORE_FILE, RunStore, StoreError, owner_alive
from waivern_orchestration.store.statuses import RunStatus

log = logging.getLogger(__name__)

STORE_PATIENCE_SECONDS = 5


class StartedRun(TypedDict):
    """`waivern.run`, `waivern.resume`: the run, once it has started."""

    run_id: str


class Cancellation(TypedDict):
    """`waivern.cancel`."""

    run_id: str
    cancelled: bool
    """False: the run's process had already ended."""


class PollFailure(TypedDict):
    """A batch job that failed."""

    artifact: str
    error: str


class PollReport(TypedDict):
    """`waivern.poll`: what the batch providers said about the run's pending jobs
    (`wct poll`)."""

    run_id: str
    status: RunStatus
    completed: int
    """Jobs whose results are in (at this poll or before)."""
    waiting: int
    """Jobs still being worked on."""
    failed: list[PollFailure]
    next: Literal["poll", "resume", "nothing"]
    """What to do next: poll again later, resume the run (to take in the results), or
    nothing (the run is complete)."""


class CommandRefused(JsonRpcException):
    """A command that cannot be done as asked; the message says why (and is shown)."""

    CODE = lsp.LSPErrorCodes.RequestFailed
    shown = True


class QuietRefusal(CommandRefused):
    """A refusal the caller shows its own way (a graph view's banner): no message, so a
    view that asks again after each edit does not pop one up each time."""

    shown = False


Handler = Callable[..., Awaitable[Any]]


def command_handler(server: WaivernServer, name: str) -> Callable[[Handler], Handler]:
    """Register a command whose handler takes the command's arguments. A refusal becomes
    an error response and a message; any other failure is logged and answered as an
    error too (the server carries on)."""

    def register(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def isolated(*args: Any) -> Any:
            try:
                return await handler(*args)
            except CommandRefused as refused:
                if refused.shown:
                    _show(server, f"Waivern: {refused.message}", lsp.MessageType.Error)
                raise
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.exception("%s failed", name)
                _show(server, f"Waivern: {name} failed: {error}", lsp.MessageType.Error)
                raise CommandRefused(f"{name} failed: {error}") from None

        server.command(name)(isolated)
        return isolated

    return register


def register(server: WaivernServer) -> None:
    runs = EditorRuns(server)

    @command_handler(server, "waivern.run")
    async def run(*args: Any) -> StartedRun:
        document = await _runbook(server, _argument(args, 0, "uri"))
        return await _start(runs, document)

    @command_handler(server, "waivern.resume")
    async def resume(*args: Any) -> StartedRun:
        document = await _runbook(server, _argument(args, 0, "uri"))
        run_id = _argument(args, 1, "run_id", required=False)
        if run_id is None:
            run_id = await _store(server, lambda store: _latest_resumable(store, document.path))
            if run_id is None:
                raise CommandRefused(
                    f"{document.path.name} has no failed, interrupted or partial run"
                )
        if runs.running(run_id) is not None:
            raise CommandRefused(f"run {run_id} is running")
        return await _start(runs, document, resume=run_id)

    @command_handler(server, "waivern.poll")
    async def poll_run(*args: Any) -> PollReport:
        run_id = _argument(args, 0, "run_id")
        summary: PollReport = await _store(
            server, lambda store: _poll(store, run_id), read_only=False
        )
        return summary

    @command_handler(server, "waivern.cancel")
    async def cancel(*args: Any) -> Cancellation:
        run_id = _argument(args, 0, "run_id")
        editor_run = runs.running(run_id)
        if editor_run is not None:
            return Cancellation(run_id=run_id, cancelled=editor_run.cancel())
        # A run started by an earlier session of the editor (or in a terminal) here.
        record = await _store(server, lambda store: store.run(run_id))
        alive = record.status is RunStatus.RUNNING and owner_alive(record)
        if not alive or record.owner_pid is None or record.owner_host != socket.gethostname():
            raise CommandRefused(f"run {run_id} is not running here ({record.status})")
        os.kill(record.owner_pid, signal.SIGTERM)
        return Cancellation(run_id=run_id, cancelled=True)

    @command_handler(server, "waivern.graph")
    async def graph(*args: Any) -> Graph:
        document = await _runbook(server, _argument(args, 0, "uri"))
        analysis = document.analysis
        assert analysis is not None
        environment = server.runbooks.environment(document.path)
        planner = Planner(registry=server.runbooks.registry, env=environment)
        try:
            plan = await asyncio.to_thread(planner.plan_analysis, analysis)
        except PlanningError as error:
            errors = len(error.diagnostics)
            plural = "s" if errors != 1 else ""
            raise QuietRefusal(
                f"{document.path.name} has {errors} error{plural}: fix them to see its graph"
            ) from None
        latest = await asyncio.to_thread(latest_run_state, server.runbooks.store_dir, document.path)
        return graph_of(analysis, plan, latest, server.codec(document))

    @command_handler(server, "waivern.runs")
    async def list_runs(*args: Any) -> list[RunSummary]:
        uri = _argument(args, 0, "uri", required=False)
        if not (server.runbooks.store_dir / STORE_FILE).exists():
            return []
        listed: list[RunSummary] = await _store(server, run_summaries)
        if uri is None:
            return listed
        path = uri_to_path(uri)
        if path is None:
            raise CommandRefused(f"not a file: {uri}")
        wanted = real_path(path)
        return [item for item in listed if real_path(Path(item["runbook_path"])) == wanted]

    @command_handler(server, "waivern.inspect")
    async def inspect(*args: Any) -> RunReport | dict[str, Any]:
        run_id = _argument(args, 0, "run_id")
        artifact = _argument(args, 1, "artifact", required=False)
        if artifact is None:
            report: RunReport = await _store(server, lambda store: run_report(store, run_id))
            return report
        offset, limit = _page(args[2] if len(args) > 2 else None)

        def message(store: RunStore) -> dict[str, Any]:
            warnings: list[str] = []  # e.g. a scanned file changed since the run
            try:
                shown = artifact_message(
                    store, run_id, artifact, offset=offset, limit=limit, warn=warnings.append
                )
            except NoStoredOutput as missing:
                raise CommandRefused(str(missing)) from None
            if warnings:
                shown["warnings"] = warnings
            return shown

        return dict(await _store(server, message))


# The most items of an output one `waivern.inspect` answer carries (a page).
INSPECT_PAGE_ITEMS = 1000


async def _start(
    runs: EditorRuns, document: RunbookDocument, resume: str | None = None
) -> StartedRun:
    analysis = document.analysis
    assert analysis is not None
    errors = sum(1 for diagnostic in analysis.diagnostics if diagnostic.is_error)
    if errors and resume is None:
        raise CommandRefused(_errors_message(document, errors))
    header = analysis.header.header if analysis.header is not None else None
    name = header.name if header is not None else document.path.name
    try:
        started = await runs.start(document.path, name, resume=resume)
    except RunNotStarted as problem:
        raise CommandRefused(f"{document.path.name} did not run: {problem}") from None
    assert started.run_id is not None
    return StartedRun(run_id=started.run_id)


def _errors_message(document: RunbookDocument, errors: int) -> str:
    plural = "s" if errors != 1 else ""
    return f"{document.path.name} has {errors} error{plural}: fix them to run it (not run)"


async def _runbook(server: WaivernServer, uri: object) -> RunbookDocument:
    if not isinstance(uri, str):
        raise CommandRefused(f"expected a runbook URI, got {uri!r}")
    document = await server.document(uri)
    if document is None or document.analysis is None:
        raise CommandRefused(f"{uri} is not an open runbook")
    return document


def _page(value: Any) -> tuple[int, int]:
    """`{"offset": N, "limit": N}` (both optional): which of an output's items to send;
    never more than `INSPECT_PAGE_ITEMS` (an output may not fit in memory)."""
    if value is None:
        return 0, INSPECT_PAGE_ITEMS
    if not isinstance(value, dict):
        raise CommandRefused(f"argument 3 (page) must be an object, got {value!r}")
    offset, limit = value.get("offset", 0), value.get("limit", INSPECT_PAGE_ITEMS)
    for name, number in (("offset", offset), ("limit", limit)):
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise CommandRefused(f"page {name} must be a whole number ≥ 0, got {number!r}")
    return offset, min(limit, INSPECT_PAGE_ITEMS)


def _argument(args: tuple[Any, ...], index: int, name: str, *, required: bool = True) -> Any:
    value = args[index] if index < len(args) else None
    if value is None and required:
        raise CommandRefused(f"missing argument {index + 1}: {name}")
    if value is not None and not isinstance(value, str):
        raise CommandRefused(f"argument {index + 1} ({name}) must be a string, got {value!r}")
    return value


async def _store(
    server: WaivernServer, query: Callable[[RunStore], Any], *, read_only: bool = True
) -> Any:
    """A query of the workspace store, off the event loop."""
    directory = server.runbooks.store_dir
    if not (directory / STORE_FILE).exists():
        raise CommandRefused(f"no run store at {directory} (nothing has run there)")

    def ask() -> Any:
        with RunStore(directory, read_only=read_only, wait_seconds=STORE_PATIENCE_SECONDS) as store:
            return query(store)

    try:
        return await asyncio.to_thread(ask)
    except (StoreError, sqlite3.Error) as error:
        raise CommandRefused(str(error)) from None


def _latest_resumable(store: RunStore, runbook: Path) -> str | None:
    wanted = real_path(runbook)
    for record in store.runs():  # newest first
        if real_path(Path(record.runbook_path)) != wanted:
            continue
        if store.resumable(record):
            return record.run_id
    return None


def _poll(store: RunStore, run_id: str) -> PollReport:
    summary = poll(store, run_id)
    record = store.run(run_id)
    next_step: Literal["poll", "resume", "nothing"]
    if summary.waiting:
        next_step = "poll"
    elif record.status is RunStatus.COMPLETED:
        next_step = "nothing"
    else:
        next_step = "resume"
    return PollReport(
        run_id=run_id,
        status=record.status,
        completed=summary.completed,
        waiting=summary.waiting,
        failed=[PollFailure(artifact=artifact, error=error) for artifact, error in summary.failed],
        next=next_step,
    )


def _show(server: WaivernServer, message: str, kind: lsp.MessageType) -> None:
    try:
        server.window_show_message(lsp.ShowMessageParams(type=kind, message=message))
    except Exception:  # not connected
        log.debug("could not show: %s", message)
