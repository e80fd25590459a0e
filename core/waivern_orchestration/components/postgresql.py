"""The `postgresql` connector: the schema and cells of PostgreSQL tables, as
`standard_input/1.0.0` (psycopg 3).

It connects with the runbook's properties (give the password as `${VAR}`: it is then never
stored, shown or sent in an event), reads in one read-only transaction, and streams: for
each table, one item describing its columns (`metadata.kind: "schema"`, checked by column
name), then one item per non-empty text or number cell, row by row in primary-key order,
through a server-side cursor (a table of any size is never held in memory). Tables are
chosen by schema and include/exclude globs; `sample_percent` reads a sample
(`TABLESAMPLE SYSTEM`), `max_rows_per_table` a limit that is reported when hit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from waivern_orchestration.components.base import ComponentContext, Connector, Stream
from waivern_orchestration.components.filesystem import glob_pattern
from waivern_orchestration.components.table_items import cell_items, schema_item
from waivern_orchestration.message_schemas import STANDARD_INPUT

# Rows a server-side cursor fetches at a time.
FETCH_ROWS = 2000
# Column types whose values are scanned (text and numbers: the rest is not personal data
# the rules can read, or is binary).
SCANNED_TYPES = (
    "text", "character varying", "character", "citext", "json", "jsonb", "xml", "name",
    "smallint", "integer", "bigint", "numeric", "real", "double precision", "inet", "cidr",
    "macaddr", "uuid", "date",
)  # fmt: skip


class PostgresqlProperties(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = Field(default="localhost", description="Server host name, or a socket folder.")
    port: int = Field(default=5432, gt=0, lt=65536, description="Server port.")
    database: str = Field(description="Database to read.")
    user: str | None = Field(default=None, description="Role to connect as (e.g. `${PGUSER}`).")
    password: str | None = Field(
        default=None,
        description="The role's password: give it as `${VAR}` (from the environment or a "
        "`.env` file), never written in the runbook.",
    )
    schemas: list[str] = Field(
        default_factory=lambda: ["public"], description="Schemas whose tables are read."
    )
    tables: list[str] = Field(
        default_factory=lambda: ["*"],
        description="Glob patterns of table names to read (`customer*`); every table when omitted.",
    )
    exclude_tables: list[str] = Field(
        default_factory=list, description="Glob patterns of table names to skip."
    )
    max_rows_per_table: int | None = Field(
        default=None,
        gt=0,
        description="Read at most this many rows of each table; every row when not set. A "
        "limit that is hit is reported with the run.",
    )
    sample_percent: float | None = Field(
        default=None,
        gt=0,
        le=100,
        description="Read a sample of about this percentage of each table's rows "
        "(`TABLESAMPLE SYSTEM`); every row when not set.",
    )
    sslmode: str | None = Field(
        default=None, description="libpq `sslmode` (`require`, `verify-full`, ...)."
    )
    connect_timeout: int = Field(
        default=10, gt=0, le=600, description="Seconds to wait for the server to answer."
    )


class PostgresqlConnector(Connector):
    name = "postgresql"
    description = (
        "Reads PostgreSQL tables read-only: one item per table schema and per text or "
        "number cell, streamed."
    )
    Properties = PostgresqlProperties
    output_schemas = (STANDARD_INPUT,)

    def extract(self, properties: Any, context: ComponentContext) -> Stream:
        settings: PostgresqlProperties = properties
        connection = _connect(settings)
        try:
            tables = _tables(connection, settings)
        except BaseException:
            connection.close()
            raise
        where = f"{settings.host}:{settings.port}/{settings.database}"
        return Stream(
            _items(connection, tables, settings, context, where),
            fields={"source": f"postgresql://{where}"},
        )


def _connect(settings: PostgresqlProperties) -> Any:
    import psycopg

    arguments: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "dbname": settings.database,
        "connect_timeout": settings.connect_timeout,
        "application_name": "wct",
    }
    if settings.user:
        arguments["user"] = settings.user
    if settings.password:
        arguments["password"] = settings.password
    if settings.sslmode:
        arguments["sslmode"] = settings.sslmode
    try:
        connection = psycopg.connect(**arguments)
    except psycopg.Error as error:
        raise ConnectionError(
            f"cannot connect to PostgreSQL at {settings.host}:{settings.port} (database "
            f"{settings.database!r}): {_connection_reason(error)}"
        ) from None
    connection.read_only = True  # every transaction of this connection, on the server
    return connection


def _tables(connection: Any, settings: PostgresqlProperties) -> list[tuple[str, str]]:
    """(schema, table) of the tables to read, sorted; a pattern that names no table is an
    error (a typo must not read nothing quietly)."""
    rows = connection.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema = ANY(%s) AND table_type IN ('BASE TABLE', 'VIEW') "
        "ORDER BY table_schema, table_name",
        (settings.schemas,),
    ).fetchall()
    connection.rollback()
    included = [glob_pattern(pattern) for pattern in settings.tables]
    excluded = [glob_pattern(pattern) for pattern in settings.exclude_tables]
    chosen = [
        (schema, table)
        for schema, table in rows
        if any(p.fullmatch(table) for p in included)
        and not any(p.fullmatch(table) for p in excluded)
    ]
    unmatched = [
        pattern
        for pattern, compiled in zip(settings.tables, included, strict=True)
        if pattern != "*" and not any(compiled.fullmatch(table) for _, table in rows)
    ]
    if unmatched:
        listing = ", ".join(table for _, table in rows) or "none"
        names = ", ".join(repr(pattern) for pattern in unmatched)
        raise ValueError(
            f"no table {names} in schema{'s' if len(settings.schemas) > 1 else ''} "
            f"{', '.join(settings.schemas)} of {settings.database!r} (tables: {listing})"
        )
    return chosen


def _items(
    connection: Any,
    tables: list[tuple[str, str]],
    settings: PostgresqlProperties,
    context: ComponentContext,
    where: str,
) -> Iterator[dict[str, Any]]:
    import psycopg

    try:
        for schema, table in tables:
            if context.cancelled():
                return
            yield from _table_items(connection, schema, table, settings, context, where)
    except psycopg.Error as error:
        raise ValueError(f"cannot read PostgreSQL database {where}: {_first_line(error)}") from None
    finally:
        connection.close()


def _table_items(
    connection: Any,
    schema: str,
    table: str,
    settings: PostgresqlProperties,
    context: ComponentContext,
    where: str,
) -> Iterator[dict[str, Any]]:
    from psycopg import sql

    columns = connection.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
        (schema, table),
    ).fetchall()
    keys = [
        name
        for (name,) in connection.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary "
            "ORDER BY array_position(i.indkey, a.attnum)",
            (sql.Identifier(schema, table).as_string(connection),),
        ).fetchall()
    ]
    names = [str(name) for name, _type in columns]
    source = (
        f"{settings.database}/{schema}.{table}"
        if schema != "public"
        else f"{settings.database}/{table}"
    )
    yield schema_item("postgresql", source, table, names)
    scanned = [name for name, kind in columns if kind in SCANNED_TYPES]
    if not scanned:
        return
    query = sql.SQL("SELECT {columns} FROM {table}").format(
        columns=sql.SQL(", ").join(sql.Identifier(name) for name in scanned),
        table=sql.Identifier(schema, table),
    )
    if settings.sample_percent is not None:
        query += sql.SQL(" TABLESAMPLE SYSTEM ({})").format(sql.Literal(settings.sample_percent))
    order = keys or scanned
    query += sql.SQL(" ORDER BY {}").format(sql.SQL(", ").join(sql.Identifier(k) for k in order))
    limit = settings.max_rows_per_table
    if limit is not None:
        query += sql.SQL(" LIMIT {}").format(sql.Literal(limit + 1))
    with connection.cursor(name=f"wct_{abs(hash((schema, table)))}") as cursor:
        cursor.itersize = FETCH_ROWS
        cursor.execute(query)
        for number, values in enumerate(cursor, start=1):
            if limit is not None and number > limit:
                context.limit_reached(
                    f"table {table!r} has more than {limit} rows: read the first {limit} "
                    "(max_rows_per_table)"
                )
                break
            if number % FETCH_ROWS == 0 and context.cancelled():
                break
            yield from cell_items("postgresql", source, table, scanned, number, values)
    connection.rollback()  # the read-only transaction of this table ends


def _connection_reason(error: BaseException) -> str:
    """libpq's reason, without its repeating of where it tried: "Connection refused",
    "password authentication failed for user "scanner"", ..."""
    text = _first_line(error)
    reason = text.rpartition(" failed: ")[2] if " failed: " in text else text
    return " ".join(reason.removeprefix("FATAL:").split())


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
