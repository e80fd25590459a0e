"""Streamed outputs in the run store: item batches, compressed, read back lazily.

A streamed message is stored in two parts: its envelope in `messages` (the content with
the streamed list field replaced by ``{"$stream": {"items": N}}``) and its items in
`batches`, one row per batch (a zlib-compressed JSON array), in `position` order. A batch
is written in its own transaction as soon as it is produced, so a run killed halfway keeps
what it made (the checkpoint a resume goes on from). Readers open their own read-only
connection per pass, so an iterator can cross threads and never holds the writer's.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from waivern_orchestration.components.streams import StreamedItems
from waivern_orchestration.store.faults import StoreError
from waivern_orchestration.store.reading import open_for_reading, settled

STREAM_KEY = "$stream"
COMPRESSION_LEVEL = 6


def encode(items: list[Any]) -> bytes:
    text = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), COMPRESSION_LEVEL)


def decode(data: bytes) -> list[Any]:
    items = json.loads(zlib.decompress(data).decode("utf-8"))
    if not isinstance(items, list):
        raise ValueError("a stored batch is not a JSON array")
    return items


def marker(count: int) -> dict[str, Any]:
    return {STREAM_KEY: {"items": count}}


def streamed_field(content: dict[str, Any]) -> tuple[str, int] | None:
    """The streamed list field of a stored content and its item count, if it has one."""
    for name, value in content.items():
        if isinstance(value, dict) and isinstance(value.get(STREAM_KEY), dict):
            count = value[STREAM_KEY].get("items")
            return name, count if isinstance(count, int) else 0
    return None


def with_items(content: dict[str, Any], store_file: Path, run_id: str, artifact: str) -> None:
    """Replace the stream marker of a stored content (in place) with its items, read from
    the store lazily."""
    found = streamed_field(content)
    if found is None:
        return
    name, count = found
    content[name] = StreamedItems(
        count,
        lambda: read_batches(store_file, run_id, artifact),
        lambda offset: batches_from(store_file, run_id, artifact, offset),
    )


def read_batches(
    store_file: Path, run_id: str, artifact: str, after: int = -1
) -> Iterator[list[Any]]:
    """The batches of an artifact's streamed output, in order, one at a time (those at
    positions after ``after``). A store that cannot give them (gone, locked, a damaged
    batch) is a StoreError: one line, wherever the items are read."""
    immutable = settled(store_file)
    try:
        db = open_for_reading(store_file, 30, immutable=immutable)
    except sqlite3.Error as error:
        raise _unreadable(store_file, artifact, error) from None
    try:
        position = after
        while True:
            try:
                if immutable and not settled(store_file):  # a writer came: through its WAL
                    db.close()
                    immutable = False
                    db = open_for_reading(store_file, 30, immutable=False)
                row = db.execute(
                    "SELECT position, data FROM batches WHERE run_id = ? AND artifact_id = ? "
                    "AND position > ? ORDER BY position LIMIT 1",
                    (run_id, artifact, position),
                ).fetchone()
                if row is None:
                    return
                position = row[0]
                items = decode(row[1])
            except (sqlite3.Error, zlib.error, ValueError, TypeError) as error:
                raise _unreadable(store_file, artifact, error) from None
            yield items
    finally:
        db.close()


def _unreadable(store_file: Path, artifact: str, error: BaseException) -> StoreError:
    return StoreError(
        f"the run store at {store_file.parent} cannot give the stored output of `{artifact}` "
        f"({type(error).__name__}: {' '.join(str(error).split()) or 'no detail'}): the store "
        "is damaged or was changed by hand; run the artifact again"
    )


def batches_from(
    store_file: Path, run_id: str, artifact: str, offset: int
) -> tuple[int, Iterator[list[Any]]]:
    """The batches from the one holding item ``offset`` on, and the index of its first
    item: a page far into an output is read without decoding what comes before it."""
    try:
        db = open_for_reading(store_file, 30)
        try:
            rows = db.execute(
                "SELECT position, items FROM batches WHERE run_id = ? AND artifact_id = ? "
                "ORDER BY position",
                (run_id, artifact),
            ).fetchall()
        finally:
            db.close()
    except sqlite3.Error as error:
        raise _unreadable(store_file, artifact, error) from None
    first, before = -1, 0
    for position, items in rows:
        if before + items > offset:
            break
        first, before = position, before + items
    return before, read_batches(store_file, run_id, artifact, after=first)
