"""Which folder holds the run store: the one asked for (`--store DIR`, the editor's
`waivern.store` setting), else `$WCT_STORE`, else `.waivern/` under a base folder (the
current directory for `wct`, the workspace folder for the language server)."""

from __future__ import annotations

import os
from pathlib import Path

STORE_FOLDER = ".waivern"


def store_directory(chosen: Path | None = None, base: Path | None = None) -> Path:
    if chosen is not None:
        return chosen
    configured = os.environ.get("WCT_STORE")
    if configured:
        return Path(configured)
    return (base if base is not None else Path.cwd()) / STORE_FOLDER
