"""Message schemas: the shapes of artifact outputs (`standard_input/1.0.0`, ...).

Each is a JSON Schema file shipped with the package (copied to `schemas/` in the repo).
Runbooks name them as `name/version`, or just `name` for the newest version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_FOLDER = Path(__file__).with_name("message_schemas")


@dataclass(frozen=True, slots=True, order=True)
class SchemaRef:
    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.name}/{self.version}"

    @classmethod
    def parse(cls, text: str) -> SchemaRef:
        name, _, version = text.partition("/")
        return cls(name, version)


@dataclass(frozen=True, slots=True)
class MessageSchema:
    ref: SchemaRef
    description: str
    json_schema: dict[str, Any]


@cache
def known_schemas() -> dict[SchemaRef, MessageSchema]:
    found: dict[SchemaRef, MessageSchema] = {}
    for entry in sorted(SCHEMA_FOLDER.iterdir()):
        if not entry.name.endswith(".json"):
            continue
        document = json.loads(entry.read_text(encoding="utf-8"))
        ref = SchemaRef.parse(document["$id"])
        found[ref] = MessageSchema(ref, document.get("description", ""), document)
    return dict(sorted(found.items()))


def resolve_schema(text: str) -> SchemaRef | None:
    """`name/version` or `name` (newest version) → a known schema, else None."""
    ref = SchemaRef.parse(text)
    schemas = known_schemas()
    if ref.version:
        return ref if ref in schemas else None
    versions = [known for known in schemas if known.name == ref.name]
    return max(versions, key=_version_key) if versions else None


def _version_key(ref: SchemaRef) -> tuple[int, ...]:
    return tuple(int(part) for part in ref.version.split(".") if part.isdigit())


STANDARD_INPUT = SchemaRef("standard_input", "1.0.0")
PERSONAL_DATA_FINDING = SchemaRef("personal_data_finding", "1.0.0")
