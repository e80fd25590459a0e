"""The documentation of a runbook field, read from the runbook JSON Schema (generated from
the models, with the installed components): what `config.timeout`, an artifact's `source`
or `child_runbook.output` is for, its type, default and allowed values. Keys under a
connector's or processor's `properties` are documented by that component's own
properties schema.

Hover shows it on a field key; completion can show the same text beside a key it offers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from waivern_lsp.language.schema_nodes import (
    JsonSchema,
    child,
    is_component_properties,
    properties_schema,
    resolve,
    variants,
)
from waivern_orchestration.components import Component, ComponentRegistry
from waivern_orchestration.json_schema import runbook_json_schema


@dataclass(frozen=True, slots=True)
class FieldDoc:
    key: str
    description: str | None
    type: str | None  # in the runbook's words: text, number, mapping, list of text, ...
    default: str | None  # as YAML would show it (JSON is valid YAML)
    required: bool
    choices: tuple[str, ...]  # allowed values (an enum), or suggested ones


def field_doc(
    path: Sequence[str], registry: ComponentRegistry, component: type[Component] | None = None
) -> FieldDoc | None:
    """The field at `path` (keys from the document root, e.g. `("config", "timeout")` or
    `("artifacts", "files", "source", "properties", "path")`); `component` is the
    connector or processor whose `properties` the path may lead into. None when the
    schema does not know the field."""
    if not path:
        return None
    root = _runbook_schema(registry)
    keys = list(path)
    # `artifacts.<id>.source|process.properties.<key>...`: the component's own schema
    if len(keys) > 4 and is_component_properties(keys[:4]):
        if component is None:
            return None
        root = properties_schema(component)
        keys = keys[4:]
    node: JsonSchema = root
    required = False
    for key in keys:
        step = child(root, node, key)
        if step is None:
            return None
        node, required = step.schema, step.required
    return _describe(root, node, keys[-1], required)


def component_fields(component: type[Component]) -> list[FieldDoc]:
    """The settings a connector or processor takes in its `properties`, in schema order."""
    root = properties_schema(component)
    required = set(root.get("required", ()))
    properties = root.get("properties", {})
    return [
        _describe(root, node, key, key in required)
        for key, node in properties.items()
        if isinstance(node, dict)
    ]


@dataclass(frozen=True)
class _Registered:
    registry: ComponentRegistry
    schema: JsonSchema


_schemas: dict[int, _Registered] = {}


def _runbook_schema(registry: ComponentRegistry) -> JsonSchema:
    # Registries are not hashable (they hold dicts); one is made per server, so by identity.
    known = _schemas.get(id(registry))
    if known is None or known.registry is not registry:
        known = _schemas[id(registry)] = _Registered(
            registry, runbook_json_schema(registry, variables=False)
        )
    return known.schema


def _describe(root: JsonSchema, node: JsonSchema, key: str, required: bool) -> FieldDoc:
    resolved = resolve(root, node)
    description = node.get("description") or resolved.get("description")
    default = node.get("default", resolved.get("default"))
    shown_default = (
        None
        if default is None or default == {} or default == []
        else default
        if isinstance(default, str)
        else json.dumps(default)
    )
    choices: list[str] = []
    for variant in variants(root, node):
        constant = (variant["const"],) if "const" in variant else ()
        for value in (*variant.get("enum", ()), *constant, *variant.get("examples", ())):
            if str(value) not in choices:
                choices.append(str(value))
    return FieldDoc(
        key,
        str(description) if description else None,
        _type_name(root, node),
        shown_default,
        required,
        tuple(choices),
    )


_TYPE_NAMES = {
    "string": "text",
    "integer": "whole number",
    "number": "number",
    "boolean": "true/false",
    "object": "mapping",
    "array": "list",
}


def _type_name(root: JsonSchema, node: JsonSchema, depth: int = 0) -> str | None:
    resolved = resolve(root, node)
    if depth > 4:
        return None
    alternatives = [item for item in resolved.get("anyOf", ()) if isinstance(item, dict)]
    if alternatives:
        names = [
            name
            for item in alternatives
            if resolve(root, item).get("type") != "null"
            and (name := _type_name(root, item, depth + 1))
        ]
        return " or ".join(dict.fromkeys(names)) or None
    kind = resolved.get("type")
    if kind == "array":
        items = resolved.get("items")
        inner = _type_name(root, items, depth + 1) if isinstance(items, dict) else None
        return f"list of {inner}" if inner else "list"
    if isinstance(kind, str):
        return _TYPE_NAMES.get(kind, kind)
    if "properties" in resolved:
        return "mapping"
    return None
