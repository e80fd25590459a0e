"""`wct lsp`: the server with every feature registered, serving on stdin/stdout."""

from __future__ import annotations

import logging
import sys

from waivern_lsp.features import register_all
from waivern_lsp.server import WaivernServer


def create_server() -> WaivernServer:
    server = WaivernServer()
    register_all(server)
    return server


def main(argv: list[str] | None = None) -> int:
    """Serve on stdin/stdout (`--stdio` is accepted and is the default)."""
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="waivern-lsp %(levelname)s %(message)s"
    )
    create_server().start_io()
    return 0
