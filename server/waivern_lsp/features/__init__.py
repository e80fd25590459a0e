"""One module per LSP feature. Each offers `register(server)`, which subscribes its
handlers through the server's isolating dispatcher."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from waivern_lsp.server import WaivernServer


def register_all(server: WaivernServer) -> None:
    from waivern_lsp.features import diagnostics

    for feature in (diagnostics,):
        feature.register(server)
