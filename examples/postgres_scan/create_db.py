"""Creates the example shop database on a PostgreSQL server you already run.

It connects with the libpq environment variables (the defaults in brackets):
PGHOST (localhost), PGPORT (5432), PGUSER (postgres), PGPASSWORD and PGDATABASE
(wct_shop), creates the database PGDATABASE when it is not there (the role needs
CREATEDB for that) and fills it with a few tables of fake customer data: e-mail addresses
at example.com/.org/.net, phone numbers from the ranges reserved for drama and
documentation, the published example IBANs and the card networks' test numbers.
Running it again drops these tables and creates them afresh.

    PGPASSWORD=... python examples/postgres_scan/create_db.py
"""

from __future__ import annotations

import os
import sys
from typing import Any

import psycopg
from psycopg import sql

SETTINGS: dict[str, Any] = {
    "host": os.environ.get("PGHOST", "localhost"),
    "port": int(os.environ.get("PGPORT", "5432")),
    "user": os.environ.get("PGUSER", "postgres"),
    "password": os.environ.get("PGPASSWORD"),
}
DATABASE = os.environ.get("PGDATABASE", "wct_shop")

# Dropped first (in this order, for the foreign keys), so a second run starts afresh.
DROP = """
DROP TABLE IF EXISTS support.tickets, orders, payment_methods, customers, schema_migrations;
DROP SCHEMA IF EXISTS support
"""

TABLES = """
CREATE TABLE customers (
    id            integer PRIMARY KEY,
    full_name     text NOT NULL,
    email         text NOT NULL,
    phone         varchar(40),
    date_of_birth date,
    last_login_ip varchar(45),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE payment_methods (
    id          integer PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers,
    iban        varchar(42),
    card_number varchar(23),
    card_expiry char(5)
);
CREATE TABLE orders (
    order_id         integer PRIMARY KEY,
    customer_id      integer NOT NULL REFERENCES customers,
    shipping_address text,
    total            numeric(10, 2),
    gift_message     text
);
CREATE SCHEMA support;
CREATE TABLE support.tickets (
    ticket_id   integer PRIMARY KEY,
    customer_id integer REFERENCES customers,
    subject     text,
    body        text
);
CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz)
"""

CUSTOMERS = [
    (1, "Jane Doe", "jane.doe@example.com", "+44 20 7946 0958", "1984-03-12", "192.0.2.17"),
    (2, "John Smith", "john.smith@example.org", "(202) 555-0173", "1979-11-02", "198.51.100.4"),
    (3, "Erika Mustermann", "erika.mustermann@example.net", "+44 113 496 0123", None, None),
    (4, "Max Mustermann", "max@example.com", "020 7946 0321", "1991-07-30", "203.0.113.250"),
    (5, "Marie Dupont", "marie.dupont@example.org", None, "2001-01-05", "2001:db8::42"),
]
PAYMENT_METHODS = [
    (1, 1, "GB82 WEST 1234 5698 7654 32", "4111 1111 1111 1111", "04/27"),
    (2, 2, None, "5555 5555 5555 4444", "11/26"),
    (3, 3, "DE89 3704 0044 0532 0130 00", None, None),
    (4, 4, "NL91ABNA0417164300", "4242-4242-4242-4242", "09/28"),
    (5, 5, "FR14 2004 1010 0505 0001 3M02 606", None, None),
]
ORDERS = [
    (1001, 1, "221B Baker Street, London NW1 6XE", "49.90", None),
    (1002, 2, "1600 Pennsylvania Ave NW, Washington, DC 20500", "12.50", "Happy birthday!"),
    (1003, 1, "221B Baker Street, London NW1 6XE", "5.00", "Call me on +44 20 7946 0011"),
    (1004, 4, "Musterweg 12a, 10115 Berlin", "129.00", None),
]
TICKETS = [
    (1, 2, "Refund", "Please refund to my card 5555 5555 5555 4444, thanks. John"),
    (2, 3, "New address", "Moving soon: write to erika.m@example.net or call +44 113 496 0456."),
    (3, None, "Website down?", "Checkout fails since this morning. No personal data here."),
]

# Each table: the columns the rows give (the others take their defaults), the rows.
ROWS: dict[str, tuple[str, list[tuple[Any, ...]]]] = {
    "customers": ("id, full_name, email, phone, date_of_birth, last_login_ip", CUSTOMERS),
    "payment_methods": ("id, customer_id, iban, card_number, card_expiry", PAYMENT_METHODS),
    "orders": ("order_id, customer_id, shipping_address, total, gift_message", ORDERS),
    "support.tickets": ("ticket_id, customer_id, subject, body", TICKETS),
}


def create_database() -> None:
    """CREATE DATABASE, when there is none of that name yet (it cannot run in a
    transaction, hence autocommit)."""
    with psycopg.connect(**SETTINGS, dbname="postgres", autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
        if found.fetchone():
            print(f"database {DATABASE!r} exists")
            return
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
        print(f"created database {DATABASE!r}")


def fill() -> None:
    with psycopg.connect(**SETTINGS, dbname=DATABASE) as connection:
        for statements in (DROP, TABLES):
            for statement in filter(None, (part.strip() for part in statements.split(";"))):
                connection.execute(statement)
        with connection.cursor() as cursor:
            for table, (columns, rows) in ROWS.items():
                marks = ", ".join(["%s"] * len(rows[0]))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
                print(f"  {table}: {len(rows)} rows")
            cursor.execute("INSERT INTO schema_migrations VALUES ('2024_01_initial', now())")
            print("  schema_migrations: 1 row (no personal data: the runbook leaves it out)")


def main() -> int:
    where = f"{SETTINGS['host']}:{SETTINGS['port']} as {SETTINGS['user']!r}"
    try:
        create_database()
        print(f"filling {DATABASE!r} at {where}:")
        fill()
    except psycopg.Error as error:
        print(f"create_db.py: {where}: {error}".strip(), file=sys.stderr)
        return 1
    print("done: scan it with  wct run examples/postgres_scan/runbook.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
