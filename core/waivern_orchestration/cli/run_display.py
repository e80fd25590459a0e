"""How `wct run` shows a run's events (`execution.events`): a rich progress bar for
people, JSON lines for machines (`--events`, DESIGN.md §4.2)."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from waivern_orchestration.execution.events import (
    ArtifactFinished,
    ArtifactProgress,
    ArtifactStarted,
    RunEvent,
    RunFinished,
    RunStarted,
)
from waivern_orchestration.store.statuses import ArtifactStatus


class EventLines:
    """One JSON object per line on ``out``, flushed at once (a reader follows live)."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.reader_gone = False

    def emit(self, event: RunEvent) -> None:
        if self.reader_gone:
            return
        try:
            self.out.write(json.dumps(event.to_json()) + "\n")
            self.out.flush()
        except BrokenPipeError:
            # The reader went away (an editor closed while its run goes on): the run
            # carries on, recorded in the store, and stays resumable; events go nowhere.
            self.reader_gone = True
            _discard_output(self.out)


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
    """Artifacts done/total, the names running now, elapsed time, how far the first
    running artifact that reports progress has got (files, MB/s, ETA); failures as they
    happen."""

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
        self.moving: dict[str, ArtifactProgress] = {}

    def emit(self, event: RunEvent) -> None:
        match event:
            case RunStarted(run_id=run_id, total=total, already_completed=done):
                self.progress.start()
                self.task = self.progress.add_task("", total=total, completed=done, run_id=run_id)
                if done:
                    self.console.print(f"resuming {run_id}: {done} of {total} already done")
            case ArtifactStarted(artifact=artifact):
                self.running[artifact] = time.monotonic()
                self._describe()
            case ArtifactProgress(artifact=artifact):
                self.moving[artifact] = event
                self._describe()
            case ArtifactFinished(artifact=artifact, status=status, error=error, limits=limits):
                self.running.pop(artifact, None)
                self.moving.pop(artifact, None)
                self.progress.advance(self.task)
                for limit in limits:
                    self.console.print(
                        f"[yellow]! {escape(artifact)}[/yellow]: limit reached: {escape(limit)}",
                        soft_wrap=True,
                    )
                if status is ArtifactStatus.FAILED:
                    self.console.print(
                        f"[red]✗ {escape(artifact)}[/red]: {escape(error or '')}", soft_wrap=True
                    )
                elif status is ArtifactStatus.PENDING:
                    self.console.print(
                        f"[yellow]… {escape(artifact)}[/yellow]: waiting for batch results"
                    )
                self._describe()
            case RunFinished():
                self.progress.stop()

    def _describe(self) -> None:
        names = sorted(self.running, key=self.running.__getitem__)
        shown = ", ".join(names[:3]) + (f" (+{len(names) - 3})" if len(names) > 3 else "")
        moving = [self.moving[name] for name in names if name in self.moving]
        if moving:
            shown += f" · {moving[0].artifact}: {moving[0].words()}"
        self.progress.update(self.task, description=escape(shown))
