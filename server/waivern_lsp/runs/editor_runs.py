"""Runs started from the editor: each one a separate `wct run --events` process (same
interpreter, same run store as the server), followed without blocking the event loop.

Its events become work-done progress ("k/n · artifacts running now", cancellable: a
cancel sends SIGTERM and the run ends `interrupted`, resumable), failures on artifacts
(`run_failures`, published as diagnostics), refreshes of the views that show run status
(`run_views`) and, at the end, a message naming the run id and its status. Clients that
set the `runEvents` option also get every event as a `waivern/runProgress` notification
(`RunProgress`, its shape and JSON Schema): `{"run_id", "runbook" (URI), "event", "status",
"done", "total", "failed", "running", "artifact"?, "artifact_status"?}`, `event` being the
`wct run --events` one or `run_ended` (the process is gone; `status` is final).

The process lives in its own session, with its stderr in an unlinked temporary file: an
editor that closes (and takes the server with it) leaves the run going, recorded in the
store, resumable; `wct run --events` ignores a reader that went away.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
import tempfile
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, Literal, NotRequired, assert_never

from lsprotocol import types as lsp
from typing_extensions import TypedDict  # for pydantic (the JSON Schema) before 3.12

from waivern_lsp.runs.failures import Failure
from waivern_lsp.runs.views import refresh_run_views
from waivern_orchestration.execution.events import (
    ArtifactFinished,
    ArtifactProgress,
    ArtifactStarted,
    RunEvent,
    RunFinished,
    RunStarted,
    event_from_json,
)
from waivern_orchestration.store.statuses import ArtifactStatus, RunStatus

if TYPE_CHECKING:
    from waivern_lsp.server import WaivernServer

log = logging.getLogger(__name__)

RUN_PROGRESS: Final = "waivern/runProgress"
RUN_ENDED: Final = "run_ended"  # the `waivern/runProgress` event after the process is gone
REFRESH_EVERY_SECONDS = 0.5  # views are asked to refresh at most this often during a run
_ERROR_TAIL = 2000  # characters of the process' stderr kept for a message


RunProgressEvent = Literal[
    "run_started",
    "artifact_started",
    "artifact_progress",
    "artifact_finished",
    "run_finished",
    "run_ended",
]


class RunProgress(TypedDict):
    """`waivern/runProgress`: one event of a run started from the editor."""

    run_id: str
    runbook: str
    """The runbook's file URI."""
    event: RunProgressEvent
    """The `wct run --events` event, or `run_ended`: the process is gone."""
    status: RunStatus
    """`running` until `run_finished`; then the final status."""
    done: int
    """Artifacts finished, whatever their status (after a resume: with those completed
    before)."""
    total: int
    failed: int
    running: list[str]
    """The artifacts running now."""
    artifact: NotRequired[str]
    """The artifact that started or finished."""
    artifact_status: NotRequired[ArtifactStatus]
    """How it finished (`artifact_finished`)."""
    progress: NotRequired[str]
    """How far the first running artifact that reports it has got, in words: "files:
    1,200/5,000 files · 310 MB · 41.3 MB/s · 1 min 5 s left" (events while one does)."""


class RunNotStarted(Exception):
    """The process ended before its run started (the cause is the message)."""


def wct_command(*args: str) -> list[str]:
    """`wct ARGS` with the server's own interpreter (and so its installed components)."""
    return [sys.executable, "-m", "waivern_orchestration.cli.app", *args]


RESUME = "Resume"  # the button on the outcome of a run that did not complete


@dataclass(eq=False)
class EditorRun:
    runbook: Path
    name: str  # the runbook's name, for titles and messages
    process: asyncio.subprocess.Process
    stderr: IO[bytes]
    run_id: str | None = None
    status: RunStatus | None = None  # the final status, once the process ended
    total: int = 0
    done: int = 0
    failed: int = 0
    running: list[str] = field(default_factory=list)
    progress: dict[str, ArtifactProgress] = field(default_factory=dict)  # the running's
    started: asyncio.Future[str] = field(default_factory=asyncio.Future)
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    token: str | None = None  # the work-done progress token, when the client has one

    def cancel(self) -> bool:
        """SIGTERM: the run stops cleanly, ends `interrupted` and can be resumed."""
        if self.process.returncode is not None:
            return False
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGTERM)
        return True

    @property
    def progress_message(self) -> str:
        names = ", ".join(self.running[:3]) + (" …" if len(self.running) > 3 else "")
        counted = f"{self.done}/{self.total}"
        message = f"{counted} · {names}" if names else counted
        words = self.progress_words
        return f"{message} · {words}" if words else message

    @property
    def progress_words(self) -> str | None:
        """How far the first running artifact that reports it has got."""
        moving = [self.progress[name] for name in self.running if name in self.progress]
        return f"{moving[0].artifact}: {moving[0].words()}" if moving else None

    @property
    def percentage(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


class EditorRuns:
    """The runs this server started, by run id once known."""

    def __init__(self, server: WaivernServer) -> None:
        self.server = server
        self.runs: dict[str, EditorRun] = {}
        self._refresh: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def running(self, run_id: str) -> EditorRun | None:
        run = self.runs.get(run_id)
        return run if run is not None and run.process.returncode is None else None

    async def start(self, runbook: Path, name: str, resume: str | None = None) -> EditorRun:
        """Start the process; returns once its run has started (its id is known)."""
        args = ["run", str(runbook), "--events", "--store", str(self.server.runbooks.store_dir)]
        if resume is not None:
            args += ["--resume", resume]
        if self.server.options.executor is not None:
            args += ["--executor", self.server.options.executor]
        stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed when the process ended)
        try:
            process = await asyncio.create_subprocess_exec(
                *wct_command(*args),
                cwd=runbook.parent,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
                start_new_session=True,  # outlives the server: a closed editor leaves it going
                limit=2**24,  # one event per line; errors can be long
            )
        except BaseException:
            stderr.close()
            raise
        run = EditorRun(runbook, name, process, stderr)
        task = asyncio.ensure_future(self._follow(run))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        await run.started
        return run

    async def _follow(self, run: EditorRun) -> None:
        try:
            await self._progress_created(run)
            assert run.process.stdout is not None
            async for line in run.process.stdout:
                try:
                    event = event_from_json(json.loads(line))
                except ValueError:
                    event = None
                if event is None:
                    log.warning("not an event from wct run: %r", line[:200])
                    continue
                self._event(run, event)
            await run.process.wait()
            self._ended(run)
        except Exception as error:  # never lose a run's end: say what went wrong
            log.exception("following the run of %s failed", run.runbook)
            if not run.started.done():
                run.started.set_exception(RunNotStarted(f"could not follow the run: {error}"))
        finally:
            run.stderr.close()
            run.finished.set()

    # -- progress -----------------------------------------------------------------------

    async def _progress_created(self, run: EditorRun) -> None:
        if not self.server.supports("window.work_done_progress"):
            return
        token = f"waivern-run-{uuid.uuid4().hex}"
        progress = self.server.work_done_progress
        try:
            await progress.create_async(token)
        except Exception as error:  # the client refused: the run goes on without progress
            log.warning("no work-done progress for the run: %s", error)
            return
        run.token = token
        cancelled = progress.tokens.get(token)
        if cancelled is not None:
            cancelled.add_done_callback(lambda future: self._cancelled(run, future))
        progress.begin(
            token,
            lsp.WorkDoneProgressBegin(
                title=f"Running {run.name}", cancellable=True, message="starting", percentage=0
            ),
        )

    def _cancelled(self, run: EditorRun, future: Future[Any]) -> None:
        if future.cancelled():  # window/workDoneProgress/cancel
            run.cancel()

    def _report(self, run: EditorRun) -> None:
        if run.token is not None:
            self.server.work_done_progress.report(
                run.token,
                lsp.WorkDoneProgressReport(
                    message=run.progress_message, percentage=run.percentage, cancellable=True
                ),
            )

    # -- events -------------------------------------------------------------------------

    def _event(self, run: EditorRun, event: RunEvent) -> None:
        match event:
            case RunStarted(run_id=run_id, total=total, already_completed=done):
                run.run_id = run_id
                run.total = total
                run.done = done
                self.runs[run_id] = run
                if not run.started.done():
                    run.started.set_result(run_id)
                self._report(run)
                self._announce(run, event)
                self._refresh_views()
            case ArtifactStarted(artifact=artifact):
                run.running.append(artifact)
                self._report(run)
                self._announce(run, event)
            case ArtifactProgress(artifact=artifact):
                run.progress[artifact] = event
                self._report(run)
                self._announce(run, event)
            case ArtifactFinished(artifact=artifact, status=status, error=error):
                run.progress.pop(artifact, None)
                if artifact in run.running:
                    run.running.remove(artifact)
                run.done += 1
                failures = self.server.failures
                if status is ArtifactStatus.FAILED:
                    run.failed += 1
                    failures.failed(run.runbook, Failure(artifact, run.run_id or "", error))
                elif status is ArtifactStatus.COMPLETED:
                    failures.completed(run.runbook, artifact)
                self._report(run)
                self._announce(run, event)
                self._refresh_views()
            case RunFinished(status=status):
                run.status = status
                if status is RunStatus.COMPLETED:
                    self.server.failures.cleared(run.runbook)
                self._announce(run, event)

    def _ended(self, run: EditorRun) -> None:
        code = run.process.returncode
        if run.run_id is None:
            problem = self._stderr_tail(run) or f"wct run ended with exit code {code}"
            run.started.set_exception(RunNotStarted(problem))
            self._end_progress(run, "not started")
            return
        if run.status is None:  # killed, or crashed: the store says what to do
            run.status = RunStatus.INTERRUPTED
            outcome = f"run {run.run_id} of {run.name} ended unexpectedly (exit code {code})"
            kind = lsp.MessageType.Error
        else:
            outcome = f"run {run.run_id} of {run.name}: {run.status}"
            kind = {
                RunStatus.COMPLETED: lsp.MessageType.Info,
                RunStatus.INTERRUPTED: lsp.MessageType.Warning,
                RunStatus.PARTIAL: lsp.MessageType.Warning,
            }.get(run.status, lsp.MessageType.Error)
        if run.status is not RunStatus.COMPLETED:
            outcome += (
                "; resume it with the runbook's Resume lens or code action (in VS Code also "
                f"Waivern: Resume Last Run), or wct run --resume {run.run_id}"
            )
        self._end_progress(run, f"{run.done}/{run.total} · {run.status}")
        self._announce(run, None)
        if run.status is not RunStatus.COMPLETED and self.server.options.run_events:
            self._offer_resume(run, kind, outcome)
        else:
            self.server.window_show_message(lsp.ShowMessageParams(type=kind, message=outcome))
        self._refresh_views(now=True)
        # New runs in the store: `reuse` checks (WCT060) read it.
        self.server.runbooks.reanalyse_all()

    def _offer_resume(self, run: EditorRun, kind: lsp.MessageType, outcome: str) -> None:
        """The outcome with a Resume button, which resumes the run here. Only to clients
        that follow runs (`run_events`, the VS Code extension): others show a request as a
        prompt that waits for an answer (Neovim), so they get the plain message."""

        async def ask() -> None:
            try:
                answer = await self.server.window_show_message_request_async(
                    lsp.ShowMessageRequestParams(
                        type=kind, message=outcome, actions=[lsp.MessageActionItem(title=RESUME)]
                    )
                )
            except Exception as error:  # the client went, or refused: nothing to do
                log.debug("the outcome of run %s was not shown: %s", run.run_id, error)
                return
            if answer is None or answer.title != RESUME or run.run_id is None:
                return
            try:
                await self.start(run.runbook, run.name, resume=run.run_id)
            except Exception as error:  # said, never lost: the run stays resumable
                self.server.window_show_message(
                    lsp.ShowMessageParams(
                        type=lsp.MessageType.Error,
                        message=f"run {run.run_id} of {run.name} was not resumed: {error}",
                    )
                )

        task = asyncio.ensure_future(ask())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _end_progress(self, run: EditorRun, message: str) -> None:
        if run.token is None:
            return
        self.server.work_done_progress.end(run.token, lsp.WorkDoneProgressEnd(message=message))
        self.server.work_done_progress.tokens.pop(run.token, None)

    @staticmethod
    def _stderr_tail(run: EditorRun) -> str:
        try:
            run.stderr.seek(0)
            text = run.stderr.read().decode("utf-8", errors="replace")
        except (OSError, ValueError):
            return ""
        return text.strip()[-_ERROR_TAIL:]

    def _announce(self, run: EditorRun, event: RunEvent | None) -> None:
        """`waivern/runProgress`, to clients that asked for run events (``event`` None: the
        process is gone, `run_ended`)."""
        # (no run id yet: no run_started has come, there is nothing a client could follow)
        if not self.server.options.run_events or run.run_id is None:
            return
        params = RunProgress(
            run_id=run.run_id,
            runbook=run.runbook.as_uri(),
            event=_event_name(event),
            status=run.status or RunStatus.RUNNING,
            done=run.done,
            total=run.total,
            failed=run.failed,
            running=list(run.running),
        )
        if isinstance(event, ArtifactStarted | ArtifactProgress | ArtifactFinished):
            params["artifact"] = event.artifact
        if (words := run.progress_words) is not None:
            params["progress"] = words
        if isinstance(event, ArtifactFinished):
            params["artifact_status"] = event.status
        try:
            self.server.protocol.notify(RUN_PROGRESS, params)
        except Exception:  # not connected: nobody to tell
            log.debug("could not announce %s of run %s", params["event"], run.run_id)

    # -- views --------------------------------------------------------------------------

    def _refresh_views(self, now: bool = False) -> None:
        """Ask for lenses and hints again, at most every REFRESH_EVERY_SECONDS."""
        if now:
            if self._refresh is not None:
                self._refresh.cancel()
            self._refresh = None
            _refresh_run_views(self.server)
        elif self._refresh is None:
            loop = asyncio.get_running_loop()
            self._refresh = loop.call_later(REFRESH_EVERY_SECONDS, self._refresh_now)

    def _refresh_now(self) -> None:
        self._refresh = None
        _refresh_run_views(self.server)


def _refresh_run_views(server: WaivernServer) -> None:
    try:
        refresh_run_views(server)
    except Exception:
        log.exception("refreshing the run views failed")


def _event_name(event: RunEvent | None) -> RunProgressEvent:
    """The event's `wct run --events` name (its `kind`), or `run_ended` for None."""
    # A match over the types rather than `event.kind` (a plain str): mypy then says when
    # `RunEvent` gains a kind that `RunProgressEvent` does not list.
    match event:
        case None:
            return RUN_ENDED
        case RunStarted():
            return "run_started"
        case ArtifactStarted():
            return "artifact_started"
        case ArtifactProgress():
            return "artifact_progress"
        case ArtifactFinished():
            return "artifact_finished"
        case RunFinished():
            return "run_finished"
        case _:
            assert_never(event)
