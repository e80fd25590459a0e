"""`wct schema [--output FILE]`: the runbook JSON Schema, with the installed components'
property schemas (see `waivern_orchestration.json_schema`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from waivern_orchestration.components.registry import default_registry
from waivern_orchestration.json_schema import render_runbook_schema, write_schema_files

EXIT_IO_ERROR = 2


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "schema",
        aliases=["generate-schema"],  # the original wct's name
        help="print the runbook JSON Schema",
        description=(
            "Print the runbook JSON Schema (draft 2020-12), including the property schemas "
            "of the installed connectors and processors."
        ),
    )
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--output", metavar="FILE", type=Path, help="write the schema to FILE instead"
    )
    target.add_argument(
        "--dir",
        metavar="DIR",
        type=Path,
        help="write runbook.schema.json and the message schemas into DIR (as in schemas/)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    registry = default_registry()
    output: Path | None = args.output
    directory: Path | None = args.dir
    try:
        if directory is not None:
            written = write_schema_files(directory, registry)
            print(f"wrote {len(written)} schema files to {directory}", file=sys.stderr)
        elif output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(render_runbook_schema(registry), encoding="utf-8")
            print(f"wrote the runbook schema to {output}", file=sys.stderr)
        else:
            sys.stdout.write(render_runbook_schema(registry))
    except OSError as error:
        where = directory or output or "standard output"
        print(f"wct schema: cannot write {where}: {_reason(error)}", file=sys.stderr)
        return EXIT_IO_ERROR
    return 0


def _reason(error: OSError) -> str:
    # The failing path may be a parent (a file where a directory should be): name it.
    if isinstance(error, FileExistsError):
        return f"{error.filename} is not a directory"
    if error.strerror and error.filename:
        return f"{error.strerror}: {error.filename}"
    return error.strerror or str(error)
