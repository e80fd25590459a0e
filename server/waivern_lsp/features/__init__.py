"""One module per LSP feature. Each module here offers `register(server)`, which
subscribes its handlers through the server's isolating dispatcher; every module of this
package is registered, in name order."""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from waivern_lsp.server import WaivernServer


def register_all(server: WaivernServer) -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        feature = importlib.import_module(f"{__name__}.{module.name}")
        feature.register(server)
