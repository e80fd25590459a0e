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
from waivern_orchestration.run_store import RUN_STATUSES, RunStore, StoreError, owner_alive


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "runs", help="list recorded runs", description="List the recorded runs, newest first."
    )
    parser.add_argument("--status", choices=RUN_STATUSES, help="only runs with this status")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    add_store_option(parser)
    parser.set_defaults(run=run)


def runs_document(store: RunStore, status: str | None = None) -> list[dict[str, Any]]:
    """The `wct runs --json` shape (DESIGN.md §4.2), also served by the language server."""
    return [
        {
            "run_id": record.run_id,
            "runbook_path": record.runbook_path,
            "status": record.status,
            "started_at": record.started_at,
            "completed_at": record.completed_at,
            "counts": store.counts(record.run_id),
            "reason": record.reason,
            # A `running` run whose process is gone can be resumed (wct run --resume).
            "owner_alive": record.status == "running" and owner_alive(record),
        }
        for record in store.runs(status)
    ]


def run(args: argparse.Namespace) -> int:
    directory = store_dir(args)
    if not (directory / "runs.db").exists():
        if args.json:
            print("[]")
        else:
            print(f"no runs recorded in {directory}", file=sys.stderr)
        return 0
    try:
        with RunStore(directory, read_only=True) as store:
            document = runs_document(store, args.status)
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
        total = sum(counts.values())
        status = item["status"]
        if status == "running" and not item["owner_alive"]:
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
