"""`--store DIR` (else `WCT_STORE`, else `./.waivern`), shared by the commands that use runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from waivern_orchestration.store.location import store_directory


def add_store_option(parser: Any) -> None:
    parser.add_argument(
        "--store",
        metavar="DIR",
        type=Path,
        help="run store folder (default: $WCT_STORE, else ./.waivern)",
    )


def store_dir(args: argparse.Namespace) -> Path:
    chosen: Path | None = args.store
    return store_directory(chosen)
