"""The `mysql` connector against a real MariaDB server the tests start: schema and cells
streamed in primary-key order, table choice, limits reported; one clear error for a
refused connection, a wrong password, an unknown database or table; and a scan through
`wct run` whose password comes from `${VAR}` and is never stored or shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from component_fakes import FakeContext, assert_matches_schema, gathered, table_cells

from database_servers import Mariadb, mariadb_server, scan_with_wct
from waivern_orchestration.components.mysql import MysqlConnector, MysqlProperties
from waivern_orchestration.message_schemas import STANDARD_INPUT

PASSWORD = "Sc4nner-pw"

SETUP = f"""
CREATE DATABASE shop CHARACTER SET utf8mb4;
CREATE USER 'scanner'@'%' IDENTIFIED BY '{PASSWORD}';
GRANT SELECT ON shop.* TO 'scanner'@'%'
"""

TABLES = """
CREATE TABLE customers (id INT PRIMARY KEY, email TEXT, phone VARCHAR(40), photo BLOB,
                        note TEXT, visits INT);
INSERT INTO customers VALUES
  (2, 'bob@example.org', NULL, x'00', '  ', 3),
  (1, 'ada.lovelace@example.com', '+44 20 7946 0958', NULL, 'likes tea', 7);
CREATE TABLE orders (order_id INT PRIMARY KEY, shipped_to TEXT);
CREATE TABLE audit_log (line TEXT);
CREATE TABLE visits (room VARCHAR(10), day INT, guest TEXT, PRIMARY KEY (day, room));
INSERT INTO visits VALUES ('b', 1, 'x'), ('a', 2, 'y'), ('a', 1, 'z')
"""


@pytest.fixture(scope="module")
def server() -> Iterator[Mariadb]:
    with mariadb_server() as started:
        started.execute(SETUP)
        started.execute(TABLES, "shop")
        rows = ", ".join(f"({n}, 'Street {n}')" for n in range(1, 2501))
        started.execute(f"INSERT INTO orders VALUES {rows}", "shop")
        yield started


def extract(server: Mariadb, context: FakeContext, **properties: Any) -> dict[str, Any]:
    settings = {
        "host": server.host,
        "port": server.port,
        "database": "shop",
        "user": "scanner",
        "password": PASSWORD,
        **properties,
    }
    content = gathered(MysqlConnector().extract(MysqlProperties(**settings), context), context)
    assert_matches_schema(content, STANDARD_INPUT)
    return content


def test_each_table_gives_its_columns_then_its_cells_in_key_order(
    server: Mariadb, tmp_path: Path
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
    assert content["source"] == f"mysql://{server.host}:{server.port}/shop"


def test_globs_and_limits(server: Mariadb, tmp_path: Path) -> None:
    context = FakeContext(tmp_path)
    excluded = extract(server, context, exclude_tables=["order*", "audit_*", "visits"])
    assert {item["metadata"]["table"] for item in excluded["items"]} == {"customers"}

    limited = extract(server, context, tables=["orders"], max_rows_per_table=1000)
    assert len(table_cells(limited, "orders")) == 2000  # 1,000 rows of two cells
    assert context.limits == [
        "table 'orders' has more than 1000 rows: read the first 1000 (max_rows_per_table)"
    ]
    whole = extract(server, FakeContext(tmp_path), tables=["orders"])
    assert len(table_cells(whole, "orders")) == 5000  # streamed through an unbuffered cursor


def test_rows_come_in_the_order_of_the_primary_key_as_declared(
    server: Mariadb, tmp_path: Path
) -> None:
    content = extract(server, FakeContext(tmp_path), tables=["visits"])
    guests = [text for _, column, text in table_cells(content, "visits") if column == "guest"]
    assert guests == ["z", "x", "y"]  # (day, room): (1, a), (1, b), (2, a)


@pytest.mark.parametrize(
    ("properties", "said"),
    [
        ({"port": 1}, "cannot connect to MySQL at 127.0.0.1:1 (database 'shop'): "),
        ({"password": "wrong"}, "Access denied for user 'scanner'@"),
        ({"database": "nowhere"}, "Access denied for user 'scanner'@"),
        ({"tables": ["custmers"]}, "no table 'custmers' in 'shop' (tables: "),
        ({"password": "pässwörd€"}, "the user or password has characters MySQL's login cannot"),
    ],
)
def test_what_cannot_be_read_is_one_clear_error(
    server: Mariadb, tmp_path: Path, properties: dict[str, Any], said: str
) -> None:
    with pytest.raises((ConnectionError, ValueError)) as raised:
        extract(server, FakeContext(tmp_path), connect_timeout=5, **properties)
    message = str(raised.value)
    assert said in message and "\n" not in message
    assert "wrong" not in message and PASSWORD not in message


def test_a_scan_through_wct_run_never_shows_the_password(server: Mariadb, tmp_path: Path) -> None:
    seen = scan_with_wct(tmp_path, "mysql", server.port, PASSWORD)
    assert {(f["type"], f["location"]["column"]) for f in seen.findings} >= {
        ("email", "email"),
        ("phone", "phone"),
    }
    assert PASSWORD.encode() not in seen.stored
    assert PASSWORD not in seen.said
