"""Opening the store's database to read it without creating any file beside it.

An SQLite database in WAL mode opened read-only (`mode=ro`) still creates its `-wal` and
`-shm` files when they are missing (the WAL index lives in `-shm`), and a read-only
connection can never checkpoint and remove them again: a hover or `wct runs` would leave
them behind a store nothing writes. So:

- `-wal` present: a writer has the store open (or died with transactions not yet copied
  into the database file). Committed transactions may live only in the WAL, so the
  reader goes through it, read-only, beside the writer; SQLite creates `-shm` only when a
  crashed writer left a WAL without it (it cannot read the WAL otherwise).
- `-wal` absent (and no rollback `-journal`): no connection is reading or writing, the
  last one checkpointed every transaction into the database file. The file is read as
  `immutable`: no lock, no `-wal`, no `-shm`. A writer that opens the store meanwhile
  writes into a new WAL, not into the database file (it copies its transactions back
  only at a checkpoint, after 1,000 pages or when it closes), so a short read sees the
  store as it was when it began. Such a connection never sees later changes: hold it for
  one short read, or (a long read, batch by batch) ask `settled` between steps.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote


def open_for_reading(
    database: Path, timeout: float, *, immutable: bool | None = None
) -> sqlite3.Connection:
    """A read-only connection to the store's database file that creates no file:
    `immutable` when the store is `settled` (None: decided here)."""
    uri = f"file:{quote(str(database))}?mode=ro"
    if settled(database) if immutable is None else immutable:
        uri += "&immutable=1"
    return sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)


def settled(database: Path) -> bool:
    """No connection has the store open: no `-wal` (nor a rollback `-journal`) beside it.
    A long read on an immutable connection asks again between steps and reopens
    through the WAL once a writer has come."""
    return not _exists(Path(f"{database}-wal")) and not _exists(Path(f"{database}-journal"))


def _exists(path: Path) -> bool:
    try:
        path.stat()
    except FileNotFoundError:
        return False
    except OSError:  # cannot tell (permissions): read through SQLite's usual locking
        return True
    return True
