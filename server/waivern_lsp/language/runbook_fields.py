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
from typing import Literal

from waivern_lsp.language.field_docs import FieldDoc, field_doc
from waivern_lsp.language.schema_nodes import (
    JsonSchema,
    child,
    is_component_properties,
    properties_schema,
    variants,
)
from waivern_orchestration.components import Component, ComponentRegistry
from waivern_orchestration.json_schema import runbook_json_schema

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
        self._root = runbook_json_schema(registry, variables=False)
        self._tables: dict[tuple[tuple[str, ...], str | None], tuple[Field, ...] | None] = {}
        self._fields: dict[tuple[tuple[str, ...], str | None], Field | None] = {}

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
            if is_component_properties(normal):
                if component is None:
                    return None
                root = node = properties_schema(component)
            step = child(root, node, key)
            if step is None:
                return None
            node = step.schema
            normal.append(ANY_NAME if step.free else key)
        if is_component_properties(normal) and component is not None:
            root = node = properties_schema(component)
        return root, node, tuple(normal)

    def _table(
        self,
        root: JsonSchema,
        node: JsonSchema,
        normal: tuple[str, ...],
        component: type[Component] | None,
    ) -> tuple[Field, ...] | None:
        found: dict[str, Field] = {}
        for variant in variants(root, node):
            properties = variant.get("properties")
            if not isinstance(properties, dict):
                continue
            for key, schema in properties.items():
                if key in found or not isinstance(schema, dict):
                    continue
                doc = field_doc((*normal, key), self.registry, component)
                if doc is not None:
                    found[key] = Field(doc, _shape(root, schema), _required(root, schema))
        return tuple(found.values()) if found else None


_registries: dict[int, RunbookFields] = {}


def runbook_fields(registry: ComponentRegistry) -> RunbookFields:
    """The tables of `registry`, made on first use (one registry per server)."""
    known = _registries.get(id(registry))
    if known is None or known.registry is not registry:
        known = _registries[id(registry)] = RunbookFields(registry)
    return known


def _shape(root: JsonSchema, node: JsonSchema) -> Shape:
    kinds: list[Shape] = []
    for variant in variants(root, node, into_items=False):
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
    for variant in variants(root, node):
        required = variant.get("required")
        if isinstance(required, list) and "properties" in variant:
            return tuple(str(key) for key in required)
    return ()
