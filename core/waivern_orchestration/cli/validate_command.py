"""`wct validate FILE... [--format text|json]`: analyse runbooks and print every problem.

Exit codes: 0 no errors, 1 errors, 2 usage or I/O error (a file that cannot be read).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from waivern_orchestration.analysis import analyse, paused_collector
from waivern_orchestration.cli.store_option import add_store_option, store_dir
from waivern_orchestration.diagnostics import Diagnostic
from waivern_orchestration.parse.positions import DOCUMENT_START
from waivern_orchestration.parse.runbook_file import RunbookTooLarge, read_runbook
from waivern_orchestration.store.lookup import StoreLookup


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        aliases=["validate-runbook"],  # the original wct's name
        help="report every problem in runbooks",
        description="Analyse runbooks and print every problem with its code and position.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", type=Path)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_store_option(parser)  # where `reuse` runs are looked up (WCT060)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    diagnostics: list[Diagnostic] = []
    unreadable = False
    runs = StoreLookup(store_dir(args))
    for file in args.files:
        try:
            text = read_runbook(file)
        except RunbookTooLarge as error:
            diagnostics.append(Diagnostic.of("WCT001", file, DOCUMENT_START, error.message))
            continue
        except FileNotFoundError:
            print(f"wct: {file}: no such file", file=sys.stderr)
            unreadable = True
            continue
        except IsADirectoryError:
            print(f"wct: {file}: is a directory, not a runbook file", file=sys.stderr)
            unreadable = True
            continue
        except UnicodeDecodeError:
            print(f"wct: {file}: not UTF-8 text", file=sys.stderr)
            unreadable = True
            continue
        except OSError as error:
            print(f"wct: {file}: cannot read: {error.strerror}", file=sys.stderr)
            unreadable = True
            continue
        with paused_collector():
            diagnostics.extend(analyse(text, file, runs=runs).diagnostics)
    runs.close()
    if args.format == "json":
        json.dump({"diagnostics": [d.to_json() for d in diagnostics]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for diagnostic in diagnostics:
            print(diagnostic.to_text())
        # Problems, not lines: a diagnostic that counts unlisted ones stands for them.
        errors = sum(d.problems for d in diagnostics if d.is_error)
        if not unreadable:
            summary = f"{errors:,} error{'s' if errors != 1 else ''}"
            others = sum(d.problems for d in diagnostics) - errors
            if others:
                summary += f", {others:,} other finding{'s' if others != 1 else ''}"
            print(
                f"{len(args.files)} file{'s' if len(args.files) != 1 else ''} checked: {summary}",
                file=sys.stderr,
            )
    if unreadable:
        return 2
    return 1 if any(d.is_error for d in diagnostics) else 0
