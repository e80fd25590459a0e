"""The items database connectors give (`sqlite`, `postgresql`, `mysql`): one describing a
table's columns (`metadata.kind: "schema"`, which `personal_data` checks by column name),
then one per non-empty text or number cell (`metadata.kind: "cell"`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from ipaddress import (
    IPv4Address,
    IPv4Interface,
    IPv4Network,
    IPv6Address,
    IPv6Interface,
    IPv6Network,
)
from typing import Any
from uuid import UUID

from waivern_orchestration.components.filesystem import glob_pattern


def schema_item(connector: str, source: str, table: str, columns: list[str]) -> dict[str, Any]:
    return {
        "content": ", ".join(columns),
        "metadata": {
            "source": source,
            "connector": connector,
            "table": table,
            "kind": "schema",
            "columns": columns,
        },
    }


def cell_items(
    connector: str,
    source: str,
    table: str,
    columns: Sequence[str],
    row: int,
    values: Sequence[Any],
) -> Iterator[dict[str, Any]]:
    """The row's cells that hold text or a number (as text), in column order."""
    for column, value in zip(columns, values, strict=False):
        text = cell_text(value)
        if text is not None:
            yield {
                "content": text,
                "metadata": {
                    "source": source,
                    "connector": connector,
                    "table": table,
                    "column": column,
                    "row": row,
                    "kind": "cell",
                },
            }


def cell_text(value: Any) -> str | None:
    """A cell as the text that is scanned; None for an empty or non-text cell."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal | UUID | date | datetime):
        return str(value)
    if isinstance(value, IPv4Address | IPv6Address | IPv4Network | IPv6Network):
        return str(value)  # PostgreSQL `inet` / `cidr`
    if isinstance(value, IPv4Interface | IPv6Interface):
        return str(value.ip)
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, dict | list):  # JSON columns
        import json

        return json.dumps(value, ensure_ascii=False) if value else None
    return None


def chosen_tables(
    names: Sequence[str], tables: Sequence[str], excluded: Sequence[str], where: str
) -> list[str]:
    """The ``names`` that match a ``tables`` glob and no ``excluded`` one, in their order.
    A pattern other than `*` that matches no table at all is an error (a typo must not
    read nothing quietly); ``where`` says where they were looked for."""
    wanted = [glob_pattern(pattern) for pattern in tables]
    unwanted = [glob_pattern(pattern) for pattern in excluded]
    unmatched = [
        pattern
        for pattern, compiled in zip(tables, wanted, strict=True)
        if pattern != "*" and not any(compiled.fullmatch(name) for name in names)
    ]
    if unmatched:
        listing = ", ".join(names) or "none"
        patterns = ", ".join(repr(pattern) for pattern in unmatched)
        raise ValueError(f"no table {patterns} in {where} (tables: {listing})")
    return [
        name
        for name in names
        if any(p.fullmatch(name) for p in wanted) and not any(p.fullmatch(name) for p in unwanted)
    ]
