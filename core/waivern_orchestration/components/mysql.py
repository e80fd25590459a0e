"""The `mysql` connector: the schema and cells of MySQL and MariaDB tables, as
`standard_input/1.0.0` (PyMySQL: pure Python, so it installs wherever wct does, with no
client library to build against; the scan's cost is in matching, not in the driver).

It connects with the runbook's properties (give the password as `${VAR}`: it is then never
stored, shown or sent in an event), reads each table in a read-only transaction, and
streams: for each table, one item describing its columns (`metadata.kind: "schema"`,
checked by column name), then one item per non-empty text or number cell, row by row in
primary-key order, through an unbuffered cursor (a table of any size is never held in
memory). Tables are chosen by include/exclude globs; `max_rows_per_table` is a limit that
is reported when hit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from waivern_orchestration.components.base import ComponentContext, Connector, Stream
from waivern_orchestration.components.table_items import cell_items, chosen_tables, schema_item
from waivern_orchestration.message_schemas import STANDARD_INPUT

# Column types whose values are scanned (text and numbers).
SCANNED_TYPES = (
    "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "json", "enum", "set",
    "tinyint", "smallint", "mediumint", "int", "bigint", "decimal", "float", "double",
    "date",
)  # fmt: skip


class MysqlProperties(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = Field(default="localhost", description="Server host name.")
    port: int = Field(default=3306, gt=0, lt=65536, description="Server port.")
    database: str = Field(description="Database (schema) to read.")
    user: str | None = Field(default=None, description="User to connect as (e.g. `${DB_USER}`).")
    password: str | None = Field(
        default=None,
        description="The user's password: give it as `${VAR}` (from the environment or a "
        "`.env` file), never written in the runbook.",
    )
    tables: list[str] = Field(
        default_factory=lambda: ["*"],
        description="Glob patterns of table names to read; every table when omitted.",
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
    ssl: bool = Field(
        default=False,
        description="Require TLS, checking the server's certificate and name (against "
        "`ssl_ca`, else the system's certificate authorities).",
    )
    ssl_ca: str | None = Field(
        default=None, description="With `ssl`: the certificate authority file to trust."
    )
    connect_timeout: int = Field(
        default=10, gt=0, le=600, description="Seconds to wait for the server to answer."
    )


class MysqlConnector(Connector):
    name = "mysql"
    description = (
        "Reads MySQL or MariaDB tables read-only: one item per table schema and per text or "
        "number cell, streamed."
    )
    Properties = MysqlProperties
    output_schemas = (STANDARD_INPUT,)

    def extract(self, properties: Any, context: ComponentContext) -> Stream:
        settings: MysqlProperties = properties
        connection = _connect(settings)
        where = f"{settings.host}:{settings.port}/{settings.database}"
        try:
            tables = _tables(connection, settings)
        except BaseException:
            connection.close()
            raise
        return Stream(
            _items(connection, tables, settings, context, where),
            fields={"source": f"mysql://{where}"},
        )


def _connect(settings: MysqlProperties) -> Any:
    import pymysql

    arguments: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "database": settings.database,
        "connect_timeout": settings.connect_timeout,
        "charset": "utf8mb4",
        "program_name": "wct",
    }
    if settings.user:
        arguments["user"] = settings.user
    if settings.password:
        arguments["password"] = settings.password
    if settings.ssl:  # required (an empty `ssl` would only prefer it)
        arguments.update(ssl_verify_cert=True, ssl_verify_identity=True, ssl_ca=settings.ssl_ca)
    where = f"{settings.host}:{settings.port} (database {settings.database!r})"
    try:
        return pymysql.connect(**arguments)
    except pymysql.Error as error:
        raise ConnectionError(f"cannot connect to MySQL at {where}: {_reason(error)}") from None
    except UnicodeEncodeError:
        raise ConnectionError(
            f"cannot connect to MySQL at {where}: the user or password has characters "
            "MySQL's login cannot send (Latin-1 only)"
        ) from None
    except OSError as error:  # TLS: a certificate that does not verify, a missing CA file
        raise ConnectionError(f"cannot connect to MySQL at {where}: {error}") from None


def _tables(connection: Any, settings: MysqlProperties) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
            "ORDER BY table_name",
            (settings.database,),
        )
        names = [str(row[0]) for row in cursor.fetchall()]
    where = repr(settings.database)
    return chosen_tables(names, settings.tables, settings.exclude_tables, where)


def _items(
    connection: Any,
    tables: list[str],
    settings: MysqlProperties,
    context: ComponentContext,
    where: str,
) -> Iterator[dict[str, Any]]:
    import pymysql

    try:
        for table in tables:
            if context.cancelled():
                return
            yield from _table_items(connection, table, settings, context)
    except pymysql.Error as error:
        raise ValueError(f"cannot read MySQL database {where}: {_reason(error)}") from None
    finally:
        connection.close()


def _table_items(
    connection: Any, table: str, settings: MysqlProperties, context: ComponentContext
) -> Iterator[dict[str, Any]]:
    import pymysql.cursors

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type, column_key FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            (settings.database, table),
        )
        columns = [(str(name), str(kind).lower(), key) for name, kind, key in cursor.fetchall()]
        cursor.execute(
            "SELECT column_name FROM information_schema.key_column_usage WHERE "
            "table_schema = %s AND table_name = %s AND constraint_name = 'PRIMARY' "
            "ORDER BY ordinal_position",
            (settings.database, table),
        )
        primary = [str(name) for (name,) in cursor.fetchall()]
    source = f"{settings.database}/{table}"
    yield schema_item("mysql", source, table, [name for name, _, _ in columns])
    scanned = [name for name, kind, _ in columns if kind in SCANNED_TYPES]
    if not scanned:
        return
    keys = primary or scanned  # the key's own column order
    query = (
        f"SELECT {', '.join(map(_quote, scanned))} FROM {_quote(table)} "
        f"ORDER BY {', '.join(map(_quote, keys))}"
    )
    limit = settings.max_rows_per_table
    if limit is not None:
        query += f" LIMIT {int(limit) + 1}"
    with connection.cursor() as cursor:
        cursor.execute("START TRANSACTION READ ONLY")  # this table's rows: one snapshot
    with connection.cursor(pymysql.cursors.SSCursor) as rows:  # unbuffered: streamed
        rows.execute(query)
        for number, values in enumerate(rows, start=1):
            if limit is not None and number > limit:
                context.limit_reached(
                    f"table {table!r} has more than {limit} rows: read the first {limit} "
                    "(max_rows_per_table)"
                )
                break
            if number % 2000 == 0 and context.cancelled():
                break
            yield from cell_items("mysql", source, table, scanned, number, values)
    connection.rollback()


def _quote(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


def _reason(error: BaseException) -> str:
    """The server's message ("Access denied for user 'scanner'@'localhost' (using
    password: YES)") without PyMySQL's error number tuple."""
    arguments: tuple[Any, ...] = tuple(getattr(error, "args", ()))
    if len(arguments) >= 2 and isinstance(arguments[1], str):
        return arguments[1].splitlines()[0]
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
