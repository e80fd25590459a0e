"""`wct lsp [--stdio]`: start the language server on stdin/stdout (for editors)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "lsp",
        help="start the language server (stdio)",
        description="Serve the Language Server Protocol on stdin/stdout for editors.",
    )
    # Clients such as vscode-languageclient append it; stdio is the only transport.
    parser.add_argument("--stdio", action="store_true", help="use stdin/stdout (the default)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from waivern_lsp.serve import main

    return main()
