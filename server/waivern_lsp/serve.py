"""`wct lsp`: the server with every feature registered, serving on stdin/stdout.

The log goes to stderr at WARNING (`WCT_LSP_LOG=debug` or `info` for more). Below debug,
pygls' log records keep their one line and lose their traceback: what pygls logs with a
traceback is a request answered with an error (invalid params, content modified), not a
fault of the server."""

from __future__ import annotations

import logging
import os
import sys

from waivern_lsp.features import register_all
from waivern_lsp.server import WaivernServer
from waivern_lsp.transport import serve_stdio

LOG_LEVEL_VARIABLE = "WCT_LSP_LOG"
# How long a thread holds the interpreter's lock while another waits for it (Python's
# default: 5 ms). The server is about latency: while a large runbook is analysed, each
# read, write and hand-over of another request waits this long for the lock, and a
# request makes dozens of them (0.5-1 s at 5 ms, 0.1-0.3 s at 1 ms, for the same work).
SWITCH_INTERVAL = 0.001


def create_server() -> WaivernServer:
    server = WaivernServer()
    register_all(server)
    return server


def main(argv: list[str] | None = None) -> int:
    """Serve on stdin/stdout (`--stdio` is accepted and is the default). The exit code is
    0 after `shutdown` then `exit`, 1 when the client exits or hangs up without shutdown."""
    level = _log_level()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("waivern-lsp %(levelname)s %(message)s"))
    if level > logging.DEBUG:
        handler.addFilter(_without_pygls_tracebacks)
    logging.basicConfig(level=level, handlers=[handler])
    sys.setswitchinterval(SWITCH_INTERVAL)
    return serve_stdio(create_server().protocol)


def _log_level() -> int:
    name = os.environ.get(LOG_LEVEL_VARIABLE, "").strip().upper()
    level = logging.getLevelName(name) if name else logging.WARNING
    return level if isinstance(level, int) else logging.WARNING


def _without_pygls_tracebacks(record: logging.LogRecord) -> bool:
    if record.name.split(".", 1)[0] == "pygls":
        record.exc_info = None
        record.exc_text = None
    return True
