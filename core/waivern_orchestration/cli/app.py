"""`wct`: argument parsing and dispatch. Each sub-command module offers
`add_parser(subparsers)` and `run(args) -> int` (the exit code)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from waivern_orchestration import __version__

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

# In the order `wct --help` lists them.
COMMANDS = (
    "validate_command",
    "run_command",
    "runs_command",
    "poll_command",
    "inspect_command",
    "export_command",
    "schema_command",
    "components_command",
    "lsp_command",
)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Every command's parser, or only the one named ``only`` (then only its module, and
    what it needs, is imported: `wct validate` does not load the executor)."""
    parser = argparse.ArgumentParser(
        prog="wct", description="Validate, plan and run Waivern runbooks."
    )
    parser.add_argument("--version", action="version", version=f"wct {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        if only is None or name == f"{only}_command":
            importlib.import_module(f"waivern_orchestration.cli.{name}").add_parser(subparsers)
    return parser


# The original `wct`'s command names, kept so that scripts written for it go on working:
# name -> the module that parses it (docs/cli.md, "Names from the original wct").
ALIASES = {
    "validate-runbook": "validate",
    "generate-schema": "schema",
    "connectors": "components",
    "processors": "components",
}


def _command_named(argv: Sequence[str]) -> str | None:
    first = argv[0] if argv else None
    first = ALIASES.get(first, first) if first is not None else None
    return first if first is not None and f"{first}_command" in COMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    try:
        # The commands (and what they import: pydantic, the analysis, the store) are
        # imported here, so that Ctrl-C while `wct` starts is one line, not a traceback.
        arguments = list(sys.argv[1:] if argv is None else argv)
        parser = build_parser(_command_named(arguments))
        args = parser.parse_args(arguments)
        code: int = args.run(args)
        if not sys.stdout.closed:  # `wct lsp` hands stdout to the client and closes it
            sys.stdout.flush()
    except KeyboardInterrupt:
        print("wct: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`wct validate ... | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
