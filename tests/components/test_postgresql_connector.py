"""The `postgresql` connector against a real PostgreSQL server the tests start: schema and
cells streamed in primary-key order, table choice, limits reported, samples; one clear
error for a refused connection, a wrong password, an unknown table; and a scan through
`wct run` whose password comes from `${VAR}` and is never stored or shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from component_fakes import FakeContext, assert_matches_schema, gathered, table_cells

from database_servers import Postgres, postgres_server, scan_with_wct
from waivern_orchestration.components.postgresql import PostgresqlConnector, PostgresqlProperties
from waivern_orchestration.message_schemas import STANDARD_INPUT

PASSWORD = "Sc4nner-pw"

SHOP = f"""
CREATE ROLE scanner LOGIN PASSWORD '{PASSWORD}';
CREATE DATABASE shop OWNER scanner
"""

TABLES = """
CREATE TABLE customers (id integer PRIMARY KEY, email text, phone varchar(40), photo bytea,
                        note text, visits integer);
INSERT INTO customers VALUES
  (2, 'bob@example.org', NULL, '\\x00', '  ', 3),
  (1, 'ada.lovelace@example.com', '+44 20 7946 0958', NULL, 'likes tea', 7);
CREATE TABLE orders (order_id integer PRIMARY KEY, shipped_to text);
INSERT INTO orders SELECT n, 'Street ' || n FROM generate_series(1, 2500) AS n;
CREATE TABLE audit_log (line text);
CREATE SCHEMA archive;
CREATE TABLE archive.old_customers (id integer PRIMARY KEY, email text);
INSERT INTO archive.old_customers VALUES (1, 'old@example.net');
GRANT USAGE ON SCHEMA archive TO scanner;
GRANT SELECT ON ALL TABLES IN SCHEMA archive TO scanner;
CREATE EXTENSION IF NOT EXISTS citext;
CREATE TABLE contacts (handle citext, seen_from inet, extra json);
INSERT INTO contacts VALUES ('Ann.Other@Example.com', '203.0.113.15', '{"note": "call"}');
CREATE VIEW customer_emails AS SELECT id, email FROM customers;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO scanner;
CREATE TABLE staff_only (salary text)
"""


@pytest.fixture(scope="module")
def server() -> Iterator[Postgres]:
    with postgres_server() as started:
        started.execute(SHOP)
        started.execute(TABLES, "shop")
        yield started


def extract(server: Postgres, context: FakeContext, **properties: Any) -> dict[str, Any]:
    settings = {
        "host": server.host,
        "port": server.port,
        "database": "shop",
        "user": "scanner",
        "password": PASSWORD,
        **properties,
    }
    content = gathered(
        PostgresqlConnector().extract(PostgresqlProperties(**settings), context), context
    )
    assert_matches_schema(content, STANDARD_INPUT)
    return content


def test_each_table_gives_its_columns_then_its_cells_in_key_order(
    server: Postgres, tmp_path: Path
) -> None:
    content = extract(server, FakeContext(tmp_path), tables=["customers", "audit_log"])
    schemas = [item for item in content["items"] if item["metadata"]["kind"] == "schema"]
    assert [(s["metadata"]["table"], s["metadata"]["columns"]) for s in schemas] == [
        ("audit_log", ["line"]),
        ("customers", ["id", "email", "phone", "photo", "note", "visits"]),
    ]
    assert table_cells(content, "customers") == [
        (1, "id", "1"),
        (1, "email", "ada.lovelace@example.com"),
        (1, "phone", "+44 20 7946 0958"),
        (1, "note", "likes tea"),
        (1, "visits", "7"),
        (2, "id", "2"),
        (2, "email", "bob@example.org"),
        (2, "visits", "3"),
    ]
    assert content["source"] == f"postgresql://{server.host}:{server.port}/shop"


def test_schemas_globs_limits_and_samples(server: Postgres, tmp_path: Path) -> None:
    context = FakeContext(tmp_path)
    archive = extract(server, context, schemas=["archive"])
    assert table_cells(archive, "old_customers") == [
        (1, "id", "1"),
        (1, "email", "old@example.net"),
    ]
    assert archive["items"][0]["metadata"]["source"] == "shop/archive.old_customers"

    excluded = extract(
        server, context, exclude_tables=["order*", "audit_*", "contacts", "*_emails", "staff*"]
    )
    assert {item["metadata"]["table"] for item in excluded["items"]} == {"customers"}

    limited = extract(server, context, tables=["orders"], max_rows_per_table=1000)
    assert len(table_cells(limited, "orders")) == 2000  # 1,000 rows of two cells
    assert context.limits == [
        "table 'orders' has more than 1000 rows: read the first 1000 (max_rows_per_table)"
    ]
    whole = extract(server, FakeContext(tmp_path), tables=["orders"])
    assert len(table_cells(whole, "orders")) == 5000  # streamed through the server-side cursor

    sampled = extract(server, FakeContext(tmp_path), tables=["orders"], sample_percent=100)
    assert len(table_cells(sampled, "orders")) == 5000


def test_extension_types_tables_without_a_key_views_and_tables_it_may_not_read(
    server: Postgres, tmp_path: Path
) -> None:
    context = FakeContext(tmp_path)
    content = extract(
        server,
        context,
        tables=["contacts", "customer_emails", "staff_only"],
        sample_percent=100,
    )
    assert table_cells(content, "contacts") == [
        (1, "handle", "Ann.Other@Example.com"),  # citext
        (1, "seen_from", "203.0.113.15"),  # inet
        (1, "extra", '{"note": "call"}'),  # json: read, though it cannot be sorted by
    ]
    assert [cell[2] for cell in table_cells(content, "customer_emails")] == [
        "1",
        "ada.lovelace@example.com",
        "2",
        "bob@example.org",
    ]
    assert context.warnings == [
        "skipped table public.staff_only: the role may not read it (no SELECT)",
        "view 'customer_emails' read whole: sample_percent samples tables only",
    ]


@pytest.mark.parametrize(
    ("properties", "said"),
    [
        ({"port": 1}, "cannot connect to PostgreSQL at 127.0.0.1:1 (database 'shop'): "),
        (
            {"password": "wrong"},
            'password authentication failed for user "scanner"',
        ),
        ({"database": "nowhere"}, 'database "nowhere" does not exist'),
        ({"tables": ["custmers"]}, "no table 'custmers' in schema public of 'shop' (tables: "),
    ],
)
def test_what_cannot_be_read_is_one_clear_error(
    server: Postgres, tmp_path: Path, properties: dict[str, Any], said: str
) -> None:
    with pytest.raises((ConnectionError, ValueError)) as raised:
        extract(server, FakeContext(tmp_path), connect_timeout=5, **properties)
    message = str(raised.value)
    assert said in message and "\n" not in message
    assert "wrong" not in message and PASSWORD not in message


def test_a_scan_through_wct_run_never_shows_the_password(server: Postgres, tmp_path: Path) -> None:
    seen = scan_with_wct(tmp_path, "postgresql", server.port, PASSWORD)
    assert {(f["type"], f["location"]["column"]) for f in seen.findings} >= {
        ("email", "email"),
        ("phone", "phone"),
    }
    assert PASSWORD.encode() not in seen.stored
    assert PASSWORD not in seen.said
