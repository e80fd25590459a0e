"""The fields a runbook may have under a key path, read from the runbook JSON Schema (with
the installed components): each field's documentation (as hover shows it), the shape of
its value and, for a mapping, the keys it requires.

`("artifacts", "files")` holds the fields of an artifact, `("config",)` the execution
settings; under `source.properties` / `process.properties` the connector's or processor's
own properties schema decides. Tables are made once per registry and key path, so asking
on every keystroke costs a dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from waivern_lsp.field_docs import FieldDoc, field_doc
from waivern_orchestration.components import Component, ComponentRegistry
from waivern_orchestration.json_schema import runbook_json_schema

JsonSchema = dict[str, Any]

# scalar: text or a number; names: a mapping whose keys are free names (artifact ids,
# input names), not fields.
Shape = Literal["scalar", "boolean", "mapping", "list", "names"]

ANY_NAME = "*"  # stands for a free name (an artifact id, ...) in a normalised key path


@dataclass(frozen=True, slots=True)
class Field:
    doc: FieldDoc
    shape: Shape
    required: tuple[str, ...]  # a mapping: the keys it must have

    @property
    def key(self) -> str:
        return self.doc.key


class RunbookFields:
    """The field tables of one component registry."""

    def __init__(self, registry: ComponentRegistry) -> None:
        self.registry = registry
        self._root = runbook_json_schema(registry)
        self._tables: dict[tuple[tuple[str, ...], str | None], tuple[Field, ...] | None] = {}
        self._fields: dict[tuple[tuple[str, ...], str | None], Field | None] = {}
        self._components: dict[type[Component], JsonSchema] = {}

    def fields(
        self, path: Sequence[str], component: type[Component] | None = None
    ) -> tuple[Field, ...] | None:
        """The fields of the mapping at `path`, in schema order; None when the value there
        is not a mapping of fields (a free-name mapping such as `artifacts`, a scalar, or a
        path the schema does not know)."""
        located = self._locate(path, component)
        if located is None:
            return None
        root, node, normal = located
        cache_key = (normal, component.name if component is not None else None)
        if cache_key not in self._tables:
            self._tables[cache_key] = self._table(root, node, normal, component)
        return self._tables[cache_key]

    def field(self, path: Sequence[str], component: type[Component] | None = None) -> Field | None:
        """The field at `path` (its last key), when the schema knows it."""
        if not path:
            return None
        located = self._locate(path, component)
        if located is None:
            return None
        root, node, normal = located
        cache_key = (normal, component.name if component is not None else None)
        if cache_key not in self._fields:
            doc = field_doc(normal, self.registry, component)
            self._fields[cache_key] = (
                None if doc is None else Field(doc, _shape(root, node), _required(root, node))
            )
        return self._fields[cache_key]

    def _locate(
        self, path: Sequence[str], component: type[Component] | None
    ) -> tuple[JsonSchema, JsonSchema, tuple[str, ...]] | None:
        """(the schema the path is in, its node at the path, the path with free names
        replaced by `ANY_NAME`)."""
        root, node = self._root, self._root
        normal: list[str] = []
        for key in path:
            if _in_properties(normal):
                if component is None:
                    return None
                root = node = self._properties_schema(component)
            step = _child(root, node, key)
            if step is None:
                return None
            node, free = step
            normal.append(ANY_NAME if free else key)
        if _in_properties(normal) and component is not None:
            root = node = self._properties_schema(component)
        return root, node, tuple(normal)

    def _properties_schema(self, component: type[Component]) -> JsonSchema:
        known = self._components.get(component)
        if known is None:
            known = self._components[component] = component.properties_schema()
        return known

    def _table(
        self,
        root: JsonSchema,
        node: JsonSchema,
        normal: tuple[str, ...],
        component: type[Component] | None,
    ) -> tuple[Field, ...] | None:
        found: dict[str, Field] = {}
        for variant in _variants(root, node):
            properties = variant.get("properties")
            if not isinstance(properties, dict):
                continue
            for key, child in properties.items():
                if key in found or not isinstance(child, dict):
                    continue
                doc = field_doc((*normal, key), self.registry, component)
                if doc is not None:
                    found[key] = Field(doc, _shape(root, child), _required(root, child))
        return tuple(found.values()) if found else None


def _in_properties(normal: Sequence[str]) -> bool:
    """`artifacts.<id>.source|process.properties`: a component's schema starts here."""
    return (
        len(normal) == 4
        and normal[0] == "artifacts"
        and normal[2] in ("source", "process")
        and normal[3] == "properties"
    )


_registries: dict[int, RunbookFields] = {}


def runbook_fields(registry: ComponentRegistry) -> RunbookFields:
    """The tables of `registry`, made on first use (one registry per server)."""
    known = _registries.get(id(registry))
    if known is None or known.registry is not registry:
        known = _registries[id(registry)] = RunbookFields(registry)
    return known


def _resolve(root: JsonSchema, node: JsonSchema) -> JsonSchema:
    for _hop in range(32):
        reference = node.get("$ref")
        if not isinstance(reference, str):
            break
        target = root.get("$defs", {}).get(reference.rpartition("/")[2])
        if not isinstance(target, dict):
            break
        node = target
    return node


def _variants(root: JsonSchema, node: JsonSchema, into_items: bool = True) -> list[JsonSchema]:
    """The node and its alternatives (`anyOf`, `oneOf`), references followed, `null`
    left out, list items stepped into unless told (lists are transparent in key paths)."""
    found: list[JsonSchema] = []
    pending = [node]
    while pending and len(found) < 64:
        current = _resolve(root, pending.pop(0))
        if current.get("type") == "null":
            continue
        found.append(current)
        for combinator in ("anyOf", "oneOf"):
            pending.extend(item for item in current.get(combinator, ()) if isinstance(item, dict))
        items = current.get("items")
        if into_items and isinstance(items, dict):
            pending.append(items)
    return found


def _child(root: JsonSchema, node: JsonSchema, key: str) -> tuple[JsonSchema, bool] | None:
    """The schema of `key` inside `node`, and whether the key is a free name."""
    variants = _variants(root, node)
    for variant in variants:
        properties = variant.get("properties")
        if isinstance(properties, dict) and isinstance(properties.get(key), dict):
            return properties[key], False
    for variant in variants:
        extra = variant.get("additionalProperties")
        if isinstance(extra, dict):
            return extra, True
    return None


def _shape(root: JsonSchema, node: JsonSchema) -> Shape:
    kinds: list[Shape] = []
    for variant in _variants(root, node, into_items=False):
        kind = variant.get("type")
        if kind is None and "properties" not in variant and _alternatives(variant):
            continue  # only a choice between the variants that follow
        if kind == "boolean":
            kinds.append("boolean")
        elif "properties" in variant:
            kinds.append("mapping")
        elif kind == "object":
            extra = variant.get("additionalProperties")
            kinds.append("names" if isinstance(extra, dict) else "mapping")
        elif kind == "array":
            kinds.append("list")
        else:
            kinds.append("scalar")
    # `inputs: a` or a list: the short form first
    for preferred in ("scalar", "boolean", "mapping", "names", "list"):
        if preferred in kinds:
            return preferred
    return "scalar"


def _alternatives(node: JsonSchema) -> bool:
    return any(node.get(combinator) for combinator in ("anyOf", "oneOf"))


def _required(root: JsonSchema, node: JsonSchema) -> tuple[str, ...]:
    for variant in _variants(root, node):
        required = variant.get("required")
        if isinstance(required, list) and "properties" in variant:
            return tuple(str(key) for key in required)
    return ()
