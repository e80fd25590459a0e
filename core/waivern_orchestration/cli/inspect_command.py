"""`wct inspect RUN_ID [ARTIFACT] [--json] [--store DIR]`: a run's state per artifact, or
one artifact's stored output message (an alias of a child artifact is accepted)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from waivern_orchestration.cli import streamed_json
from waivern_orchestration.cli.numbers import whole_number
from waivern_orchestration.cli.store_option import add_store_option, store_dir
from waivern_orchestration.store.reports import (
    NoStoredOutput,
    RunReport,
    artifact_message,
    run_report,
)
from waivern_orchestration.store.run_store import RunStore, StoreError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("inspect", help="show a run or an artifact's output")
    parser.add_argument("run_id", metavar="RUN_ID")
    parser.add_argument("artifact", metavar="ARTIFACT", nargs="?")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--offset",
        type=whole_number(0, "an item count"),
        default=0,
        metavar="N",
        help="an artifact's items from the N-th on (0 is the first); adds a `page` object",
    )
    parser.add_argument(
        "--limit",
        type=whole_number(0, "an item count"),
        metavar="N",
        help="at most N of an artifact's items; adds a `page` object",
    )
    add_store_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    directory = store_dir(args)
    try:
        with RunStore(directory, read_only=True) as store:
            if args.artifact is None:
                return _show_run(run_report(store, args.run_id), args.json)
            message = artifact_message(
                store,
                args.run_id,
                args.artifact,
                offset=args.offset,
                limit=args.limit,
                warn=lambda line: print(f"wct: {line}", file=sys.stderr),
            )
            # JSON either way (it is data), written item by item: it may not fit in memory.
            streamed_json.dump(message, sys.stdout)
            sys.stdout.write("\n")
    except StoreError as error:
        print(f"wct: {error}", file=sys.stderr)
        return 2
    except NoStoredOutput as missing:
        print(f"wct: {missing}", file=sys.stderr)
        return missing.exit_code
    return 0


def _show_run(document: RunReport, as_json: bool) -> int:
    if as_json:
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    table = Table(title=f"run {document['run_id']}: {document['status']}", title_justify="left")
    table.add_column("artifact", overflow="fold", min_width=20)
    for column in ("status", "duration", "origin"):
        table.add_column(column, no_wrap=True)
    table.add_column("error / warnings", overflow="fold")
    for artifact, state in document["artifacts"].items():
        duration = state["duration_seconds"]
        table.add_row(
            escape(artifact + (f" ({state['alias']})" if state["alias"] else "")),
            state["status"],
            f"{duration:.2f} s" if duration is not None else "",
            escape(state["origin"]),
            escape(state["error"] or "; ".join(state["warnings"])),
        )
    console = Console(highlight=False)
    console.print(table)
    if document["reason"]:
        console.print(f"{document['status']}: {document['reason']}", markup=False, soft_wrap=True)
    return 0
