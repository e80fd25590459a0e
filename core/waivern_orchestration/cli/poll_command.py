"""`wct poll RUN_ID [--store DIR]`: ask batch providers about a run's pending jobs, store
finished results, and say what to do next."""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from waivern_orchestration.cli.store_option import add_store_option, store_dir
from waivern_orchestration.execution.batch import poll
from waivern_orchestration.store.run_store import STORE_FILE, RunStore, StoreError
from waivern_orchestration.store.statuses import RunStatus


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("poll", help="collect batch results of a run")
    parser.add_argument("run_id", metavar="RUN_ID")
    add_store_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    directory = store_dir(args)
    if not (directory / STORE_FILE).exists():
        print(f"wct: no run store at {directory} (nothing has run there)", file=sys.stderr)
        return 2
    try:
        with RunStore(directory) as store:
            summary = poll(store, args.run_id)
            record = store.run(args.run_id)
    except StoreError as error:
        print(f"wct: {error}", file=sys.stderr)
        return 2
    store_flag = f" --store {shlex.quote(str(args.store))}" if args.store else ""
    resume = f"wct run {shlex.quote(record.runbook_path)} --resume {args.run_id}{store_flag}"
    print(
        f"run {args.run_id}: {summary.completed} batch job(s) with results, "
        f"{summary.waiting} still working, {len(summary.failed)} failed"
    )
    for artifact, problem in summary.failed:
        print(f"  {artifact}: {problem}")
    if summary.waiting:
        print(f"next: wait, then poll again: wct poll {args.run_id}{store_flag}")
    elif record.status is RunStatus.COMPLETED:
        print("next: nothing; the run has completed")
    else:
        print(f"next: resume the run: {resume}")
    return 0
