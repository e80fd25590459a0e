"""`wct export RUN_ID [--format json|sarif] [-o FILE] [--source-root DIR] [--store DIR]`:
a run's results document (JSON, `schemas/results.schema.json`) or the SARIF 2.1.0 log of
its findings located in files, on stdout or written atomically to FILE. `wct run -o` writes
the same through `export`. Exit 0 when written, 2 for an unknown run, an unreadable store
or a file that cannot be written (one line, never a traceback)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from waivern_orchestration.cli import streamed_json
from waivern_orchestration.cli.output_file import OutputFileError, replaced_atomically
from waivern_orchestration.cli.store_option import add_store_option, store_dir
from waivern_orchestration.store.results import results_document
from waivern_orchestration.store.run_store import RunStore, StoreError
from waivern_orchestration.store.sarif_log import write_sarif

EXIT_PROBLEM = 2
STDOUT = "-"


class ExportFormat(StrEnum):
    JSON = "json"
    SARIF = "sarif"


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write a run's results (JSON) or its findings as SARIF",
        description=(
            "Write a run's results document: the run and each output artifact's content "
            "(JSON), or the findings located in files as a SARIF 2.1.0 log."
        ),
    )
    parser.add_argument("run_id", metavar="RUN_ID")
    add_format_option(parser, "--format")
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE (replaced whole, never half-written); default: stdout",
    )
    parser.add_argument(
        "--source-root",
        metavar="DIR",
        type=Path,
        help="SARIF: file locations relative to DIR (default: the runbook's directory); "
        "for GitHub code scanning, the repository's root",
    )
    add_store_option(parser)
    parser.set_defaults(run=run)


def add_format_option(parser: Any, *names: str) -> None:
    parser.add_argument(
        *names,
        choices=[kind.value for kind in ExportFormat],
        default=ExportFormat.JSON.value,
        help="json: the results document (default); sarif: SARIF 2.1.0 of the findings in files",
    )


def run(args: argparse.Namespace) -> int:
    target = None if args.output in (None, STDOUT) else Path(args.output)
    return export(
        store_dir(args),
        args.run_id,
        ExportFormat(args.format),
        target,
        source_root=args.source_root,
        problem=lambda line: print(f"wct: {line}", file=sys.stderr),
    )


def export(
    directory: Path,
    run_id: str,
    kind: ExportFormat,
    target: Path | None,
    *,
    problem: Callable[[str], None],
    source_root: Path | None = None,
) -> int:
    """Write the run's export to ``target`` (atomically), or to stdout; the exit code,
    with any problem said in one line through ``problem``."""
    try:
        with RunStore(directory, read_only=True) as store:
            store.run(run_id)  # an unknown run is said before any file is touched
            if target is None:
                _write(store, run_id, kind, sys.stdout, source_root, problem)
            else:
                with replaced_atomically(target) as out:
                    _write(store, run_id, kind, out, source_root, problem)
    except (StoreError, OutputFileError) as error:
        problem(str(error))
        return EXIT_PROBLEM
    return 0


def _write(
    store: RunStore,
    run_id: str,
    kind: ExportFormat,
    out: TextIO,
    source_root: Path | None,
    warn: Callable[[str], None],
) -> None:
    if kind is ExportFormat.SARIF:
        write_sarif(store, run_id, out, source_root=source_root, warn=warn)
        return
    document = results_document(store, run_id, warn)
    # Written item by item: a streamed output may not fit in memory.
    streamed_json.dump(dict(document), out)
    out.write("\n")
