"""Builds `customers.db` next to this script from the checked-in `customers.sql`.

The content is fixed (fake people, test numbers), so every build gives the same rows.
Running it again replaces the database with a fresh copy.

    python examples/customer_scan/build_db.py
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SQL = HERE / "customers.sql"
DATABASE = HERE / "customers.db"


def build(target: Path = DATABASE) -> Path:
    """Writes the database to a temporary file, then moves it over `target` in one step,
    so a reader never sees a half-built database."""
    handle, temporary = tempfile.mkstemp(suffix=".db", dir=target.parent)
    os.close(handle)
    try:
        connection = sqlite3.connect(temporary)
        with connection:
            connection.executescript(SQL.read_text(encoding="utf-8"))
        connection.close()
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


if __name__ == "__main__":
    print(f"wrote {build()}")
