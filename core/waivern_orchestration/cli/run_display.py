"""How `wct run` shows a run: a rich progress bar for people, JSON lines for machines
(`--events`, DESIGN.md §4.2: `run_started`, `artifact_started`, `artifact_finished`,
`run_finished`, each with `event` and `run_id`)."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class EventLines:
    """One JSON object per line on ``out``, flushed at once (a reader follows live)."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.reader_gone = False

    def _emit(self, event: str, run_id: str, **fields: Any) -> None:
        if self.reader_gone:
            return
        try:
            self.out.write(json.dumps({"event": event, "run_id": run_id, **fields}) + "\n")
            self.out.flush()
        except BrokenPipeError:
            # The reader went away (an editor closed while its run goes on): the run
            # carries on, recorded in the store, and stays resumable; events go nowhere.
            self.reader_gone = True
            _discard_output(self.out)

    def run_started(self, run_id: str, total: int, already_completed: int) -> None:
        self._emit("run_started", run_id, total=total, already_completed=already_completed)

    def artifact_started(self, run_id: str, artifact: str) -> None:
        self._emit("artifact_started", run_id, artifact=artifact)

    def artifact_finished(
        self, run_id: str, artifact: str, status: str, duration_seconds: float, error: str | None
    ) -> None:
        self._emit(
            "artifact_finished",
            run_id,
            artifact=artifact,
            status=status,
            duration_seconds=round(duration_seconds, 6),
            error=error,
        )

    def run_finished(
        self, run_id: str, status: str, counts: dict[str, int], reason: str | None
    ) -> None:
        self._emit("run_finished", run_id, status=status, counts=counts, reason=reason)


def _discard_output(out: TextIO) -> None:
    """Point the stream's file at /dev/null, so that what it still buffers (flushed at
    exit) does not fail again."""
    try:
        descriptor = out.fileno()
    except (OSError, ValueError):  # not a file (a StringIO): nothing is flushed later
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, descriptor)
    finally:
        os.close(devnull)


class ProgressBar:
    """Artifacts done/total, the names running now, elapsed time; failures as they happen."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress = Progress(
            TextColumn("[bold]{task.fields[run_id]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=console,
            transient=True,
        )
        self.task: Any = None
        self.running: dict[str, float] = {}

    def run_started(self, run_id: str, total: int, already_completed: int) -> None:
        self.progress.start()
        self.task = self.progress.add_task(
            "", total=total, completed=already_completed, run_id=run_id
        )
        if already_completed:
            self.console.print(f"resuming {run_id}: {already_completed} of {total} already done")

    def artifact_started(self, run_id: str, artifact: str) -> None:
        self.running[artifact] = time.monotonic()
        self._describe()

    def artifact_finished(
        self, run_id: str, artifact: str, status: str, duration_seconds: float, error: str | None
    ) -> None:
        self.running.pop(artifact, None)
        self.progress.advance(self.task)
        if status == "failed":
            self.console.print(
                f"[red]✗ {escape(artifact)}[/red]: {escape(error or '')}", soft_wrap=True
            )
        elif status == "pending":
            self.console.print(f"[yellow]… {escape(artifact)}[/yellow]: waiting for batch results")
        self._describe()

    def run_finished(
        self, run_id: str, status: str, counts: dict[str, int], reason: str | None
    ) -> None:
        self.progress.stop()

    def _describe(self) -> None:
        names = sorted(self.running, key=self.running.__getitem__)
        shown = ", ".join(names[:3]) + (f" (+{len(names) - 3})" if len(names) > 3 else "")
        self.progress.update(self.task, description=shown)
