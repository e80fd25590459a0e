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

from waivern_orchestration.cli.store_option import add_store_option, store_dir
from waivern_orchestration.planner import ExecutionPlan
from waivern_orchestration.run_store import RunStore, StoreError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("inspect", help="show a run or an artifact's output")
    parser.add_argument("run_id", metavar="RUN_ID")
    parser.add_argument("artifact", metavar="ARTIFACT", nargs="?")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    add_store_option(parser)
    parser.set_defaults(run=run)


def run_document(store: RunStore, run_id: str) -> dict[str, Any]:
    record = store.run(run_id)
    return {
        "run_id": record.run_id,
        "runbook_path": record.runbook_path,
        "status": record.status,
        "reason": record.reason,
        "started_at": record.started_at,
        "completed_at": record.completed_at,
        "artifacts": {
            artifact.artifact_id: {
                "status": artifact.status,
                "duration_seconds": artifact.duration_seconds,
                "error": artifact.error,
                "origin": artifact.origin,
                "alias": artifact.alias,
                "warnings": list(artifact.warnings),
            }
            for artifact in store.artifacts(run_id)
        },
    }


class NoStoredOutput(Exception):
    """An artifact whose output cannot be shown; `exit_code` is what `wct inspect` exits with."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def artifact_message(store: RunStore, run_id: str, artifact: str) -> dict[str, Any]:
    """The stored output message of ARTIFACT (a plan id or an alias) in the run."""
    document = run_document(store, run_id)
    plan = ExecutionPlan.from_json(store.plan_json(run_id))
    resolved = plan.resolve(artifact)
    if resolved not in document["artifacts"]:
        known = ", ".join(sorted(document["artifacts"]))
        raise NoStoredOutput(f"run {run_id} has no artifact {artifact!r} (it has: {known})", 2)
    message = store.message(run_id, resolved)
    if message is None:
        state = document["artifacts"][resolved]["status"]
        reason = "its output is sensitive and never stored" if state == "completed" else state
        raise NoStoredOutput(f"{artifact} has no stored output ({reason})", 1)
    return message.to_json()


def run(args: argparse.Namespace) -> int:
    directory = store_dir(args)
    try:
        with RunStore(directory, read_only=True) as store:
            if args.artifact is None:
                return _show_run(run_document(store, args.run_id), args.json)
            message = artifact_message(store, args.run_id, args.artifact)
    except StoreError as error:
        print(f"wct: {error}", file=sys.stderr)
        return 2
    except NoStoredOutput as missing:
        print(f"wct: {missing}", file=sys.stderr)
        return missing.exit_code
    json.dump(message, sys.stdout, indent=2)  # JSON either way: it is data
    sys.stdout.write("\n")
    return 0


def _show_run(document: dict[str, Any], as_json: bool) -> int:
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
