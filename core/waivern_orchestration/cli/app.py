"""`wct`: argument parsing and dispatch. Each sub-command module offers
`add_parser(subparsers)` and `run(args) -> int` (the exit code)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from waivern_orchestration.cli import (
    components_command,
    inspect_command,
    lsp_command,
    poll_command,
    run_command,
    runs_command,
    schema_command,
    validate_command,
)

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wct", description="Validate, plan and run Waivern runbooks."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (
        validate_command,
        run_command,
        runs_command,
        poll_command,
        inspect_command,
        schema_command,
        components_command,
        lsp_command,
    ):
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
        if not sys.stdout.closed:  # `wct lsp` hands stdout to the client and closes it
            sys.stdout.flush()
    except KeyboardInterrupt:
        print("wct: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`wct validate ... | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
