"""The `sqlite` connector: the schema and cells of SQLite tables, as `standard_input/1.0.0`.

The database is opened read-only. For each table: one item describing its columns
(`metadata.kind: "schema"`), then one item per non-empty text or number cell of its rows
(of its first `max_rows_per_table`, when set), in rowid (or primary key) order. Rows
are read as the items stream out: a table of any size is never held in memory.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from waivern_orchestration.components.base import ComponentContext, Connector
from waivern_orchestration.components.filesystem import resolve_path
from waivern_orchestration.components.streams import Stream
from waivern_orchestration.components.table_items import cell_items, schema_item
from waivern_orchestration.message_schemas import STANDARD_INPUT


class SqliteProperties(BaseModel):
    model_config = ConfigDict(extra="forbid")

    database_path: str = Field(
        description="SQLite database file, relative to the runbook's directory."
    )
    tables: list[str] | None = Field(
        default=None,
        description="Tables (or views) to read, in this order; every table when omitted.",
    )
    max_rows_per_table: int | None = Field(
        default=None,
        gt=0,
        description=(
            "Read at most this many rows of each table; every row when not set. A limit that "
            "is hit is reported with the run."
        ),
    )


class SqliteConnector(Connector):
    name = "sqlite"
    description = (
        "Reads a SQLite database read-only: one item per table schema and per text or number cell."
    )
    Properties = SqliteProperties
    output_schemas = (STANDARD_INPUT,)

    def extract(self, properties: Any, context: ComponentContext) -> Stream:
        settings: SqliteProperties = properties
        path = resolve_path(settings.database_path, context.runbook_dir)
        if not path.exists():
            raise FileNotFoundError(f"database {settings.database_path!r} does not exist ({path})")
        if not path.is_file():
            raise ValueError(f"database {settings.database_path!r} is not a file")
        connection = self._connect(path, settings.database_path)
        try:
            tables = _tables(connection, settings.tables, settings.database_path)
        except sqlite3.Error as error:
            connection.close()
            raise ValueError(
                f"cannot read SQLite database {settings.database_path!r}: {error}"
            ) from error
        except BaseException:
            connection.close()
            raise
        items = self._items(connection, path.name, tables, settings, context)
        return Stream(items, fields={"source": settings.database_path})

    @staticmethod
    def _connect(path: Path, name: str) -> sqlite3.Connection:
        try:
            return connect_read_only(path)
        except sqlite3.Error as error:
            raise ValueError(f"cannot read SQLite database {name!r}: {error}") from error

    def _items(
        self,
        connection: sqlite3.Connection,
        database_name: str,
        tables: list[str],
        settings: SqliteProperties,
        context: ComponentContext,
    ) -> Iterator[dict[str, Any]]:
        with closing(connection):
            try:
                for table in tables:
                    if context.cancelled():
                        return
                    yield from _table_items(
                        connection, database_name, table, settings.max_rows_per_table, context
                    )
            except sqlite3.Error as error:
                raise ValueError(
                    f"cannot read SQLite database {settings.database_path!r}: {error}"
                ) from error


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot change the database: opened with `mode=ro`, and
    `query_only` on top."""
    connection = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    # Text that is not UTF-8 must not stop the scan: keep it, with replacement characters.
    connection.text_factory = lambda data: data.decode("utf-8", errors="replace")
    connection.execute("PRAGMA query_only = ON")
    return connection


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _tables(connection: sqlite3.Connection, wanted: list[str] | None, database: str) -> list[str]:
    rows = connection.execute(
        "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') "
        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
    ).fetchall()
    tables = [name for name, kind in rows if kind == "table"]
    if wanted is None:
        return tables
    known = {name for name, _kind in rows}
    unknown = [name for name in wanted if name not in known]
    if unknown:
        listing = ", ".join(tables) or "none"
        names = ", ".join(repr(name) for name in unknown)
        raise ValueError(
            f"unknown table{'s' if len(unknown) > 1 else ''} {names} in {database!r} "
            f"(tables: {listing})"
        )
    return list(dict.fromkeys(wanted))


def _table_items(
    connection: sqlite3.Connection,
    database_name: str,
    table: str,
    max_rows: int | None,
    context: ComponentContext,
) -> Iterator[dict[str, Any]]:
    info = connection.execute(
        "SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", (table,)
    ).fetchall()
    columns = [str(name) for name, _pk in info]
    primary_key = [str(name) for name, pk in sorted(info, key=lambda row: row[1]) if pk]
    source = f"{database_name}/{table}"
    yield schema_item("sqlite", source, table, columns)
    limit = -1 if max_rows is None else max_rows + 1
    for number, (row_id, values) in enumerate(
        _rows(connection, table, columns, primary_key, limit), start=1
    ):
        if max_rows is not None and number > max_rows:
            context.limit_reached(
                f"table {table!r} has more than {max_rows} rows: read the first {max_rows} "
                "(max_rows_per_table)"
            )
            return
        yield from cell_items("sqlite", source, table, columns, row_id, values)


def _rows(
    connection: sqlite3.Connection,
    table: str,
    columns: list[str],
    primary_key: list[str],
    limit: int,
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Up to ``limit`` rows (-1: all) as (rowid, values), read as they are needed; tables
    without a rowid (WITHOUT ROWID tables, views) are read in primary-key order, numbered
    from 1."""
    quoted = _quote(table)
    selected = ", ".join(_quote(column) for column in columns)
    taken = {column.lower() for column in columns}
    alias = next((name for name in ("rowid", "_rowid_", "oid") if name not in taken), None)
    if alias is not None:
        try:
            first = connection.execute(f"SELECT {alias} FROM {quoted} LIMIT 1").fetchone()
        except sqlite3.OperationalError:
            first = None  # a WITHOUT ROWID table: primary-key order
        if first is not None and isinstance(first[0], int):  # views give NULL rowids
            cursor = connection.execute(
                f"SELECT {alias}, {selected} FROM {quoted} ORDER BY {alias} LIMIT ?", (limit,)
            )
            for row in cursor:
                yield row[0], tuple(row[1:])
            return
    order = f" ORDER BY {', '.join(_quote(c) for c in primary_key)}" if primary_key else ""
    cursor = connection.execute(f"SELECT {selected} FROM {quoted}{order} LIMIT ?", (limit,))
    for number, row in enumerate(cursor, start=1):
        yield number, tuple(row)
