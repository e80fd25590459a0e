"""`wct runs [--status S] [--json] [--store DIR]`: the recorded runs, newest first."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from waivern_orchestration.cli.store_option import add_store_option, store_dir
from waivern_orchestration.store.reports import run_summaries
from waivern_orchestration.store.run_store import STORE_FILE, RunStore, StoreError
from waivern_orchestration.store.statuses import RunStatus


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "runs", help="list recorded runs", description="List the recorded runs, newest first."
    )
    parser.add_argument(
        "--status",
        choices=[status.value for status in RunStatus],
        help="only runs with this status",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    add_store_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    directory = store_dir(args)
    if not (directory / STORE_FILE).exists():
        if args.json:
            print("[]")
        else:
            print(f"no runs recorded in {directory}", file=sys.stderr)
        return 0
    try:
        with RunStore(directory, read_only=True) as store:
            document = run_summaries(store, RunStatus(args.status) if args.status else None)
    except StoreError as error:
        print(f"wct: {error}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    table = Table()
    table.add_column("run", no_wrap=True, min_width=22)
    for column in ("status", "started", "done", "failed", "pending"):
        table.add_column(column, no_wrap=True)
    table.add_column("runbook", overflow="fold", min_width=20)
    for item in document:
        counts = item["counts"]
        total = (
            counts["completed"]
            + counts["failed"]
            + counts["skipped"]
            + counts["pending"]
            + counts["not_started"]
        )
        status: str = item["status"]
        if item["status"] is RunStatus.RUNNING and not item["owner_alive"]:
            status = "running (process gone: resumable)"
        table.add_row(
            item["run_id"],
            status,
            item["started_at"].replace("T", " ")[:19],
            f"{counts['completed']}/{total}",
            str(counts["failed"]),
            str(counts["pending"]),
            escape(item["runbook_path"]),
        )
    Console(highlight=False).print(table)
    return 0
