"""The `postgresql` connector: the schema and cells of PostgreSQL tables, as
`standard_input/1.0.0` (psycopg 3).

It connects with the runbook's properties (give the password as `${VAR}`: it is then never
stored, shown or sent in an event), reads each table in a read-only transaction of its
own, and streams: for each table, one item describing its columns (`metadata.kind:
"schema"`, checked by column name), then one item per non-empty text or number cell, row
by row in primary-key order (the stored order without a key), through a server-side
cursor (a table of any size is never held in memory). Tables are chosen by schema and
include/exclude globs (one the role may not read is a warning); `sample_percent` reads the
same sample each time (`TABLESAMPLE SYSTEM ... REPEATABLE`), `max_rows_per_table` is a
limit that is reported when hit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from waivern_orchestration.components.base import ComponentContext, Connector, Stream
from waivern_orchestration.components.table_items import cell_items, chosen_tables, schema_item
from waivern_orchestration.message_schemas import STANDARD_INPUT

# Rows a server-side cursor fetches at a time.
FETCH_ROWS = 2000
# Column types whose values are scanned (text and numbers: the rest is not personal data
# the rules can read, or is binary).
SCANNED_TYPES = (
    "text", "varchar", "bpchar", "citext", "json", "jsonb", "xml", "name", "enum",
    "int2", "int4", "int8", "numeric", "float4", "float8", "inet", "cidr", "macaddr", "uuid",
    "date",
)  # fmt: skip
# Types PostgreSQL cannot sort by (a view without a key is read in the order of the rest).
UNORDERED_TYPES = ("json", "xml")


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
            tables = _tables(connection, settings, context)
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


def _tables(
    connection: Any, settings: PostgresqlProperties, context: ComponentContext
) -> list[tuple[str, str, bool]]:
    """(schema, table, is a view) of the tables to read, sorted; a pattern that names no
    table is an error (a typo must not read nothing quietly), a table the role may not
    read is a warning."""
    rows = connection.execute(
        "SELECT n.nspname, c.relname, c.relkind IN ('v', 'm'), "
        "has_table_privilege(c.oid, 'SELECT') FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') "
        "ORDER BY n.nspname, c.relname",
        (settings.schemas,),
    ).fetchall()
    connection.rollback()
    plural = "s" if len(settings.schemas) > 1 else ""
    where = f"schema{plural} {', '.join(settings.schemas)} of {settings.database!r}"
    names = chosen_tables([row[1] for row in rows], settings.tables, settings.exclude_tables, where)
    chosen: list[tuple[str, str, bool]] = []
    for schema, table, view, readable in rows:
        if table not in names:
            continue
        if not readable:
            context.warn(f"skipped table {schema}.{table}: the role may not read it (no SELECT)")
            continue
        chosen.append((schema, table, bool(view)))
    return chosen


def _items(
    connection: Any,
    tables: list[tuple[str, str, bool]],
    settings: PostgresqlProperties,
    context: ComponentContext,
    where: str,
) -> Iterator[dict[str, Any]]:
    import psycopg

    try:
        for schema, table, view in tables:
            if context.cancelled():
                return
            yield from _table_items(connection, schema, table, view, settings, context)
    except psycopg.Error as error:
        raise ValueError(f"cannot read PostgreSQL database {where}: {_first_line(error)}") from None
    finally:
        connection.close()


def _table_items(
    connection: Any,
    schema: str,
    table: str,
    view: bool,
    settings: PostgresqlProperties,
    context: ComponentContext,
) -> Iterator[dict[str, Any]]:
    from psycopg import sql

    columns = connection.execute(  # a type of an extension (`citext`) by its own name
        "SELECT a.attname, CASE WHEN t.typtype = 'e' THEN 'enum' ELSE t.typname END "
        "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum",
        (sql.Identifier(schema, table).as_string(connection),),
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
    unordered = {str(name) for name, kind in columns if kind in UNORDERED_TYPES}
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
    if settings.sample_percent is not None and not view:
        # The same sample each time (a resume goes on where it stopped).
        query += sql.SQL(" TABLESAMPLE SYSTEM ({}) REPEATABLE (0)").format(
            sql.Literal(settings.sample_percent)
        )
    elif settings.sample_percent is not None:
        context.warn(f"view {table!r} read whole: sample_percent samples tables only")
    order: sql.Composable
    if keys:
        order = sql.SQL(", ").join(sql.Identifier(key) for key in keys)
    elif not view:
        order = sql.SQL("ctid")  # no key: the rows as stored (any column type)
    else:
        order = sql.SQL(", ").join(
            sql.Identifier(name) for name in scanned if name not in unordered
        ) or sql.SQL("1")
    query += sql.SQL(" ORDER BY {}").format(order)
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
