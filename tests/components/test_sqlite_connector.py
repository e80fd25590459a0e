"""The `sqlite` connector: a read-only scan of a real SQLite database, one item per table
schema and per text or number cell."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from component_fakes import FakeContext, assert_matches_schema, gathered, table_cells

from waivern_orchestration.components.sqlite import (
    SqliteConnector,
    SqliteProperties,
    connect_read_only,
)
from waivern_orchestration.message_schemas import STANDARD_INPUT


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as connection:
        connection.executescript(
            """
            CREATE TABLE customers (
                id INTEGER PRIMARY KEY, name TEXT, email TEXT, score REAL, avatar BLOB
            );
            INSERT INTO customers VALUES (7, 'Jane Doe', 'jane@acme.io', 4.5, x'00ff');
            INSERT INTO customers VALUES (3, 'Max Muster', NULL, NULL, NULL);
            INSERT INTO customers VALUES (5, '   ', 'max@acme.io', 2, NULL);
            CREATE TABLE codes (code TEXT PRIMARY KEY, label TEXT) WITHOUT ROWID;
            INSERT INTO codes VALUES ('b', 'second'), ('a', 'first');
            CREATE VIEW emails AS SELECT email FROM customers WHERE email IS NOT NULL;
            """
        )
    connection.close()
    return path


def extract(context: FakeContext, **properties: Any) -> dict[str, Any]:
    content = gathered(SqliteConnector().extract(SqliteProperties(**properties), context), context)
    assert_matches_schema(content, STANDARD_INPUT)
    return content


def test_each_table_gives_a_schema_item_then_its_cells(
    database: Path, context: FakeContext
) -> None:
    content = extract(context, database_path="shop.db", tables=["customers"])

    assert content["source"] == "shop.db"
    schema, first_cell, *_ = content["items"]
    assert schema == {
        "content": "id, name, email, score, avatar",
        "metadata": {
            "source": "shop.db/customers",
            "connector": "sqlite",
            "table": "customers",
            "kind": "schema",
            "columns": ["id", "name", "email", "score", "avatar"],
        },
    }
    assert first_cell == {
        "content": "3",
        "metadata": {
            "source": "shop.db/customers",
            "connector": "sqlite",
            "table": "customers",
            "column": "id",
            "row": 3,
            "kind": "cell",
        },
    }


def test_cells_come_in_rowid_order_without_nulls_blanks_or_blobs(
    database: Path, context: FakeContext
) -> None:
    content = extract(context, database_path="shop.db", tables=["customers"])

    assert table_cells(content, "customers") == [
        (3, "id", "3"),
        (3, "name", "Max Muster"),
        (5, "id", "5"),
        (5, "email", "max@acme.io"),
        (5, "score", "2.0"),
        (7, "id", "7"),
        (7, "name", "Jane Doe"),
        (7, "email", "jane@acme.io"),
        (7, "score", "4.5"),
    ]


def test_every_table_is_read_when_tables_is_omitted(database: Path, context: FakeContext) -> None:
    content = extract(context, database_path="shop.db")

    schemas = [
        item["metadata"]["table"]
        for item in content["items"]
        if item["metadata"]["kind"] == "schema"
    ]
    assert schemas == ["codes", "customers"]  # tables by name; views only when listed


def test_a_table_without_rowid_is_read_in_primary_key_order(
    database: Path, context: FakeContext
) -> None:
    content = extract(context, database_path="shop.db", tables=["codes"])

    assert table_cells(content, "codes") == [
        (1, "code", "a"),
        (1, "label", "first"),
        (2, "code", "b"),
        (2, "label", "second"),
    ]


def test_a_listed_view_is_read(database: Path, context: FakeContext) -> None:
    content = extract(context, database_path="shop.db", tables=["emails"])

    assert sorted(text for _row, _column, text in table_cells(content, "emails")) == [
        "jane@acme.io",
        "max@acme.io",
    ]


def test_max_rows_per_table_limits_rows_with_a_warning(
    database: Path, context: FakeContext
) -> None:
    content = extract(context, database_path="shop.db", tables=["customers"], max_rows_per_table=1)

    assert table_cells(content, "customers") == [(3, "id", "3"), (3, "name", "Max Muster")]
    assert context.warnings == [
        "table 'customers' has more than 1 rows: read the first 1 (max_rows_per_table)"
    ]


def test_an_unknown_table_is_a_clear_error(database: Path, context: FakeContext) -> None:
    with pytest.raises(ValueError) as raised:
        extract(context, database_path="shop.db", tables=["customers", "orders"])

    assert str(raised.value) == "unknown table 'orders' in 'shop.db' (tables: codes, customers)"


def test_a_missing_database_is_a_clear_error(tmp_path: Path, context: FakeContext) -> None:
    with pytest.raises(FileNotFoundError) as raised:
        extract(context, database_path="missing.db")

    assert str(raised.value) == f"database 'missing.db' does not exist ({tmp_path / 'missing.db'})"
    assert not (tmp_path / "missing.db").exists()


def test_a_file_that_is_not_a_database_is_a_clear_error(
    tmp_path: Path, context: FakeContext
) -> None:
    (tmp_path / "notes.db").write_text("just text, not SQLite\n" * 100, encoding="utf-8")

    with pytest.raises(ValueError) as raised:
        extract(context, database_path="notes.db")

    assert str(raised.value) == ("cannot read SQLite database 'notes.db': file is not a database")


def test_the_database_is_opened_read_only(database: Path, context: FakeContext) -> None:
    before = hashlib.sha256(database.read_bytes()).hexdigest(), database.stat().st_mtime_ns

    extract(context, database_path="shop.db")

    assert (
        hashlib.sha256(database.read_bytes()).hexdigest(),
        database.stat().st_mtime_ns,
    ) == before
    assert sorted(path.name for path in database.parent.iterdir()) == ["shop.db"]
    connection = connect_read_only(database)
    try:
        with pytest.raises(sqlite3.OperationalError, match="attempt to write a readonly database"):
            connection.execute("DELETE FROM customers")
    finally:
        connection.close()


def test_a_path_with_uri_characters_is_opened(tmp_path: Path, database: Path) -> None:
    odd = tmp_path / "odd ?#% name"
    odd.mkdir()
    database.rename(odd / "shop.db")

    content = extract(FakeContext(runbook_dir=odd), database_path="shop.db", tables=["codes"])

    assert len(table_cells(content, "codes")) == 4
