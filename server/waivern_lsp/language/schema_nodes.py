"""Walking the runbook JSON Schema by key path: `$ref`s followed, the alternatives of a
node (`anyOf`, `oneOf`), the schema of a key inside a node, and where a connector's or
processor's own properties schema takes over. Field documentation (`field_docs`) and the
field tables of completion (`runbook_fields`) both read the schema through it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from waivern_orchestration.components import Component

JsonSchema = dict[str, Any]

_MAX_REFERENCES = 32  # hops through `$ref` before giving up (a cycle in a bad schema)
_MAX_VARIANTS = 64


@dataclass(frozen=True, slots=True)
class Step:
    """The schema of a key inside a node."""

    schema: JsonSchema
    required: bool  # a field the node's schema requires
    free: bool  # a free name (an artifact id, an input name), not a field


def resolve(root: JsonSchema, node: JsonSchema) -> JsonSchema:
    """The node with its `$ref` (into `root`'s `$defs`) followed."""
    for _hop in range(_MAX_REFERENCES):
        reference = node.get("$ref")
        if not isinstance(reference, str):
            break
        target = root.get("$defs", {}).get(reference.rpartition("/")[2])
        if not isinstance(target, dict):
            break
        node = target
    return node


def variants(root: JsonSchema, node: JsonSchema, into_items: bool = True) -> list[JsonSchema]:
    """The node and its alternatives (`anyOf`, `oneOf`), references followed, `null`
    left out, list items stepped into unless told (lists are transparent in key paths)."""
    found: list[JsonSchema] = []
    pending = [node]
    while pending and len(found) < _MAX_VARIANTS:
        current = resolve(root, pending.pop(0))
        if current.get("type") == "null":
            continue
        found.append(current)
        for combinator in ("anyOf", "oneOf"):
            pending.extend(item for item in current.get(combinator, ()) if isinstance(item, dict))
        items = current.get("items")
        if into_items and isinstance(items, dict):
            pending.append(items)
    return found


def child(root: JsonSchema, node: JsonSchema, key: str) -> Step | None:
    """The schema of `key` inside `node`: a declared property, else the schema of a
    mapping's free names; None when the node has neither."""
    found = variants(root, node)
    for variant in found:
        properties = variant.get("properties")
        if isinstance(properties, dict) and isinstance(properties.get(key), dict):
            return Step(properties[key], key in variant.get("required", ()), free=False)
    for variant in found:
        extra = variant.get("additionalProperties")
        if isinstance(extra, dict):  # a map: artifact ids, input names, ...
            return Step(extra, required=False, free=True)
    return None


def is_component_properties(path: Sequence[str]) -> bool:
    """`artifacts.<id>.source|process.properties`: a component's own schema starts here."""
    return (
        len(path) == 4
        and path[0] == "artifacts"
        and path[2] in ("source", "process")
        and path[3] == "properties"
    )


_component_schemas: dict[type[Component], JsonSchema] = {}


def properties_schema(component: type[Component]) -> JsonSchema:
    """The component's properties schema, made once per component class."""
    known = _component_schemas.get(component)
    if known is None:
        known = _component_schemas[component] = component.properties_schema()
    return known
