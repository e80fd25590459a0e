"""Builds `customers.db` next to this script: the SQLite data of the customer_scan example.

The content is fixed (fake people, test card numbers), so every build gives the same rows.
Running it again replaces the database with a fresh copy.

    python examples/customer_scan/build_db.py
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

DATABASE = Path(__file__).resolve().with_name("customers.db")

CUSTOMERS = [
    (1, "Jane Doe", "jane.doe@example.org", "+44 20 7946 0958", "GB"),
    (2, "Max Mustermann", "max.mustermann@example.com", "+49 30 901820", "DE"),
    (3, "Alex Smith", "alex.smith@example.net", "+1 202 555 0173", "US"),
    (4, "Priya Kumar", "priya.k@example.org", None, "IN"),
]

ORDERS = [
    (101, 1, 49.90, "Leave the parcel with the neighbour at no. 12."),
    (102, 2, 120.00, "Paid with test card 4111 1111 1111 1111."),
    (103, 3, 15.50, "Gift wrap, no invoice in the box."),
    (104, 1, 8.99, "Express delivery."),
]


def build(target: Path = DATABASE) -> Path:
    """Writes the database to a temporary file, then moves it over `target` in one step,
    so a reader never sees a half-built database."""
    handle, temporary = tempfile.mkstemp(suffix=".db", dir=target.parent)
    os.close(handle)
    try:
        with sqlite3.connect(temporary) as connection:
            connection.executescript(
                """
                CREATE TABLE customers (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    email TEXT NOT NULL,
                    phone TEXT,
                    country TEXT NOT NULL
                );
                CREATE TABLE orders (
                    id INTEGER PRIMARY KEY,
                    customer_id INTEGER NOT NULL REFERENCES customers(id),
                    total REAL NOT NULL,
                    notes TEXT
                );
                """
            )
            connection.executemany("INSERT INTO customers VALUES (?, ?, ?, ?, ?)", CUSTOMERS)
            connection.executemany("INSERT INTO orders VALUES (?, ?, ?, ?)", ORDERS)
        connection.close()
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


if __name__ == "__main__":
    print(f"wrote {build()}")
