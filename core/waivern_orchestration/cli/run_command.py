"""`wct run FILE [--resume RUN_ID] [--store DIR] [--events] [-o FILE]`: plan and execute a
runbook, or resume a failed, interrupted or partial run; with `-o`, write its results
document (`wct export`) when it ends. Exit 0 when the run completes or ends
`partial` (only optional artifacts failed), 1 otherwise, 2 for a usage or store problem
(unknown run, run in use, ...)."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Sized
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from waivern_orchestration.cli.export_command import ExportFormat, add_format_option, export
from waivern_orchestration.cli.numbers import whole_number
from waivern_orchestration.cli.output_file import OutputFileError, check_folder
from waivern_orchestration.cli.run_display import EventLines, ProgressBar
from waivern_orchestration.cli.store_option import add_store_option, store_dir
from waivern_orchestration.execution.events import EventSink
from waivern_orchestration.execution.executors import ExecutorError
from waivern_orchestration.execution.outcome import RunOutcome
from waivern_orchestration.execution.runs import RunRequest, execute
from waivern_orchestration.planner import PlanningError
from waivern_orchestration.store.run_store import RunStore, StoreError
from waivern_orchestration.store.statuses import (
    REQUIRED_DONE,
    RESUMABLE,
    ArtifactStatus,
    limits_of,
)

FULL_TABLE_UP_TO = 40


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run a runbook (or resume a run)",
        description="Plan and execute a runbook, persisting every artifact's state.",
    )
    parser.add_argument("file", metavar="FILE", type=Path)
    parser.add_argument(
        "--resume", metavar="RUN_ID", help="continue a failed, interrupted or partial run"
    )
    parser.add_argument(
        "--events", action="store_true", help="JSON lines on stdout (human output on stderr)"
    )
    parser.add_argument(
        "--workers",
        metavar="N",
        type=whole_number(1, "a number of workers"),
        help="worker processes for CPU-bound work such as matching (default: config.workers, "
        "else every core)",
    )
    parser.add_argument(
        "--executor",
        metavar="E",
        help="where CPU-bound batches run: local (default), dask-local[:N] (a Dask "
        "LocalCluster for the run), dask://HOST:PORT or tls://HOST:PORT (a Dask cluster); "
        "default: WCT_EXECUTOR, else local",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=Path,
        help="when the run ends, write its results document to FILE (as `wct export`)",
    )
    add_format_option(parser, "--output-format")
    add_store_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    errors = Console(stderr=True, highlight=False)
    output = errors if args.events else Console(highlight=False)
    sink: EventSink = EventLines() if args.events else ProgressBar(errors)
    directory = store_dir(args)
    if not args.file.is_file():
        errors.print(f"wct: {args.file}: no such runbook file", markup=False, soft_wrap=True)
        return 2
    try:
        if args.output is not None:
            check_folder(args.output)
    except OutputFileError as error:
        errors.print(f"wct: {error}", markup=False, soft_wrap=True)
        return 2
    try:
        outcome = execute(
            RunRequest(
                args.file,
                directory,
                resume=args.resume,
                pause_collector=True,
                workers=args.workers,
                executor=args.executor,
            ),
            sink,
            lambda line: errors.print(f"wct: {line}", markup=False, soft_wrap=True),
        )
    except PlanningError as error:
        for diagnostic in error.diagnostics:
            errors.print(diagnostic.to_text(), markup=False, soft_wrap=True)
        errors.print(f"wct: {args.file} has errors: not run", markup=False, soft_wrap=True)
        return 1
    except (StoreError, ExecutorError) as error:
        errors.print(f"wct: {error}", markup=False, soft_wrap=True)
        return 2
    try:
        _summary(output, outcome, directory, args.file, store_flag=args.store)
    except StoreError as error:
        errors.print(f"wct: {error}", markup=False, soft_wrap=True)
        return 2
    if args.output is not None:
        # The run is recorded whatever happens here: a file that cannot be written is one
        # line, and `wct export` can write it later.
        written = export(
            directory,
            outcome.run_id,
            ExportFormat(args.output_format),
            args.output,
            problem=lambda line: errors.print(f"wct: {line}", markup=False, soft_wrap=True),
        )
        if written != 0:
            return written
    # `partial`: the required work is done (optional artifacts failed): 0, as for completed.
    return 0 if outcome.status in REQUIRED_DONE else 1


def _summary(
    console: Console,
    outcome: RunOutcome,
    directory: Path,
    runbook: Path,
    *,
    store_flag: Path | None,
) -> None:
    with RunStore(directory) as store:
        records = store.artifacts(outcome.run_id)
        table = Table(title=f"run {outcome.run_id}: {outcome.status}", title_justify="left")
        table.add_column("artifact", overflow="fold")
        for column in ("status", "duration", "result"):
            table.add_column(column)
        plan_outputs = _outputs(store, outcome.run_id)
        if len(records) > FULL_TABLE_UP_TO:
            # A large run: its outputs and whatever did not complete; the rest is counted.
            shown = [
                record
                for record in records
                if record.artifact_id in plan_outputs
                or record.status is not ArtifactStatus.COMPLETED
                or limits_of(record.warnings)
            ]
            table.caption = f"{len(records) - len(shown)} more completed artifacts not shown"
            records = shown
        for record in records:
            result = ""
            if record.status is ArtifactStatus.COMPLETED and record.artifact_id in plan_outputs:
                message = store.message(outcome.run_id, record.artifact_id)
                result = _result_line(message.content if message else None)
            elif record.error:
                result = record.error
            limits = limits_of(record.warnings)
            if limits:  # a limit the runbook set cut the output short: said in full
                note = "; ".join(f"limit reached: {limit}" for limit in limits)
                result = f"{result}; {note}" if result else note
            if len(record.warnings) > len(limits):
                count = len(record.warnings) - len(limits)
                note = f"{count} warning{'s' if count > 1 else ''} (wct inspect)"
                result = f"{result}; {note}" if result else note
            duration = f"{record.duration_seconds:.2f} s" if record.duration_seconds else ""
            # A child's output shows under the name the runbook gives it (its alias).
            name = record.alias or record.artifact_id
            table.add_row(escape(name), _styled(record.status), duration, escape(result))
    console.print(table)
    # Lines people copy (a command, a reason) are never wrapped at the terminal width.
    if outcome.reason:
        console.print(f"{outcome.status}: {outcome.reason}", markup=False, soft_wrap=True)
    if outcome.status in RESUMABLE:
        given = f" --store {shlex.quote(str(store_flag))}" if store_flag is not None else ""
        command = (
            f"resume with: wct run {shlex.quote(str(runbook))} --resume {outcome.run_id}{given}"
        )
        console.print(command, markup=False, soft_wrap=True)


def _outputs(store: RunStore, run_id: str) -> set[str]:
    plan = store.plan_json(run_id)
    return {
        artifact["id"]
        for artifact in plan["artifacts"]
        if artifact["definition"].get("output") and artifact["origin"] == "parent"
    } | set(plan.get("aliases", {}).values())


def _result_line(content: dict[str, Any] | None) -> str:
    if content is None:
        return "(not stored: sensitive)"
    if isinstance(content.get("findings"), Sized):
        return f"{len(content['findings'])} findings"
    if isinstance(content.get("total"), int):
        by_category = content.get("by_category")
        if isinstance(by_category, dict) and by_category:
            parts = ", ".join(f"{name} {count}" for name, count in sorted(by_category.items()))
            return f"{content['total']} findings: {parts}"
        return f"{content['total']} findings"
    if isinstance(content.get("items"), Sized):
        return f"{len(content['items'])} items"
    return ""


_COLOURS = {
    ArtifactStatus.COMPLETED: "green",
    ArtifactStatus.FAILED: "red",
    ArtifactStatus.SKIPPED: "yellow",
    ArtifactStatus.PENDING: "yellow",
}


def _styled(status: ArtifactStatus) -> str:
    colour = _COLOURS.get(status)
    return f"[{colour}]{status}[/]" if colour else status
