"""The runbook JSON Schema: the pydantic models' schema, tightened for editors.

Editors that only speak JSON Schema (VS Code's YAML extension, Neovim's yaml-language-server)
get from this file what the analyser knows about structure: every field with its
description, no unknown fields, artifact id syntax, the installed connector and processor
types, and each component's `properties` schema. Rules that need more than one field, other
files or the run store stay with the analyser, which also reports unknown message schemas;
here those only get hints.

This module also owns the checked-in `schemas/` folder: `schema_files` says what belongs
there, `write_schema_files` writes it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from waivern_orchestration.components import Component, ComponentRegistry
from waivern_orchestration.message_schemas import known_schemas
from waivern_orchestration.models import ARTIFACT_ID_PATTERN, Runbook

RUNBOOK_SCHEMA_ID = "https://waivern.dev/schemas/runbook.schema.json"
RUNBOOK_SCHEMA_FILE = "runbook.schema.json"
_DRAFT = "https://json-schema.org/draft/2020-12/schema"
_DEFS_PREFIX = "#/$defs/"


def runbook_json_schema(registry: ComponentRegistry, variables: bool = True) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a runbook using the components of `registry`;
    with ``variables``, a `${VAR}` is accepted where a number, a bool or a constrained
    text stands (`_accept_variables`): what editors that only speak JSON Schema get. The
    language server reads the fields without (its analysis substitutes the variables)."""
    schema = Runbook.model_json_schema()
    definitions: dict[str, Any] = schema["$defs"]
    # The models forbid unknown fields; say so on every model object, even if pydantic
    # ever stops emitting it (maps such as `artifacts` keep their value schemas).
    _forbid_unknown_fields([schema, *definitions.values()])
    schema["properties"]["artifacts"]["propertyNames"] = {"pattern": ARTIFACT_ID_PATTERN}
    _hint_message_schemas(definitions["ArtifactDefinition"]["properties"]["output_schema"])
    _hint_message_schemas(definitions["RunbookInput"]["properties"]["input_schema"])
    _constrain_component(definitions, "SourceConfig", "connector", registry.connectors)
    _constrain_component(definitions, "ProcessConfig", "processor", registry.processors)
    if variables:
        _accept_variables(schema)
    header = {
        "$schema": _DRAFT,
        "$id": RUNBOOK_SCHEMA_ID,
        "title": "Waivern runbook",
        "description": (
            "A runbook declares artifacts: data extracted by a connector (`source`), derived "
            "by a processor from other artifacts (`inputs` + `process`), copied from an "
            "earlier run (`reuse`) or produced by a child runbook (`child_runbook`)."
        ),
    }
    return {**schema, **header}


def render_runbook_schema(registry: ComponentRegistry) -> str:
    """`runbook_json_schema` as the text checked in to `schemas/`: stable across runs."""
    return _dump(runbook_json_schema(registry))


def schema_files(registry: ComponentRegistry) -> dict[str, bytes]:
    """Everything `schemas/` holds, by file name: the runbook schema, the results
    document's schema and the installed message schemas (`name-version.json`, byte copies
    of the files their packages ship). The checked-in folder is written where only the
    built-in schemas are installed, so it holds only those."""
    # Imported here: the results document's shapes come with the run store's modules.
    from waivern_orchestration.store.results import RESULTS_SCHEMA_FILE, render_results_schema

    files = {RUNBOOK_SCHEMA_FILE: render_runbook_schema(registry).encode("utf-8")}
    files[RESULTS_SCHEMA_FILE] = render_results_schema().encode("utf-8")
    for ref, message_schema in known_schemas().items():
        files[ref.file_name] = message_schema.content
    return files


def write_schema_files(target_dir: Path, registry: ComponentRegistry) -> list[Path]:
    """Write `schema_files` into `target_dir` (created if missing); the paths written."""
    target_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, content in schema_files(registry).items():
        path = target_dir / name
        path.write_bytes(content)
        written.append(path)
    return written


def _dump(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# A value that holds a `${VAR}` (or `${VAR:-default}`): substituted before it is checked.
VARIABLE_PATTERN = r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}"
_VARIABLE = {
    "type": "string",
    "pattern": VARIABLE_PATTERN,
    "description": "An environment variable (`${VAR}`, `${VAR:-default}`), substituted "
    "before the runbook is checked.",
}
# Keywords whose value maps names to schemas (the names are no schema keywords).
_NAME_MAPS = frozenset({"properties", "$defs", "patternProperties", "dependentSchemas"})
# What a schema node keeps at its top when its value may also be a variable.
_ANNOTATIONS = ("title", "description", "markdownDescription", "default", "examples")


def _accept_variables(node: Any) -> None:
    """Wherever a value is a number, a bool, or text with an enum or a pattern (a component
    type, an artifact id), a `${VAR}` is accepted too: the analysis checks the value it
    becomes (`analysis.substitution`; component properties are substituted by the
    planner)."""
    if isinstance(node, list):
        for item in node:
            _accept_variables(item)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in _NAME_MAPS and isinstance(value, dict):  # names → schemas
            for schema in value.values():
                _accept_variables(schema)
        elif key not in ("enum", "const", "default", "examples"):
            _accept_variables(value)
    kind = node.get("type")
    if isinstance(kind, str):
        kinds = {kind}
    elif isinstance(kind, list) and all(isinstance(k, str) for k in kind):
        kinds = set(kind)
    else:
        return
    strict_text = "string" in kinds and any(k in node for k in ("enum", "const", "pattern"))
    if not (kinds & {"integer", "number", "boolean"} or strict_text):
        return
    if node.get("pattern") == VARIABLE_PATTERN:
        return
    kept = {key: node[key] for key in _ANNOTATIONS if key in node}
    value_schema = {key: item for key, item in node.items() if key not in _ANNOTATIONS}
    node.clear()
    node.update(kept)
    # (if/else rather than anyOf: a wrong value gets the value's own errors, not also
    # "does not match the variable pattern")
    node["if"] = dict(_VARIABLE)
    node["else"] = value_schema


def _forbid_unknown_fields(objects: Sequence[dict[str, Any]]) -> None:
    for definition in objects:
        if "properties" in definition:
            definition.setdefault("additionalProperties", False)


def _hint_message_schemas(field_schema: dict[str, Any]) -> None:
    # Hints, not an enum: the installed schemas, plug-ins' included; a runbook may name a
    # schema a plug-in adds later, and the analyser reports unknown ones with a better
    # message than a schema mismatch.
    field_schema["examples"] = [str(ref) for ref in known_schemas()]


def _constrain_component(
    definitions: dict[str, Any],
    config_name: str,
    kind: str,
    components: Mapping[str, type[Component]],
) -> None:
    """Limit `type` to the installed components and check `properties` per type."""
    config = definitions[config_name]
    names = sorted(components)
    type_field = config["properties"]["type"]
    type_field["enum"] = names
    # Read by VS Code's JSON and YAML language services for completion documentation.
    type_field["markdownEnumDescriptions"] = [components[name].description for name in names]
    rules: list[dict[str, Any]] = []
    for name in names:
        component = components[name]
        definition_name = _hoist_properties_schema(definitions, f"{kind}.{name}", component)
        then: dict[str, Any] = {
            "properties": {
                "properties": {
                    "$ref": _DEFS_PREFIX + definition_name,
                    "description": f"Settings of the `{name}` {kind}.",
                }
            }
        }
        # `properties` defaults to `{}`, which a component with required settings rejects.
        if definitions[definition_name].get("required"):
            then["required"] = ["properties"]
        rules.append(
            {
                "if": {
                    "properties": {"type": {"const": name, "description": component.description}},
                    "required": ["type"],
                },
                "then": then,
            }
        )
    if rules:
        config["allOf"] = rules


def _hoist_properties_schema(
    definitions: dict[str, Any], wanted_name: str, component: type[Component]
) -> str:
    """Move a component's properties schema and its `$defs` into `definitions`, under
    names prefixed with the component's (so two components' `Options` never collide);
    the name of the hoisted root."""
    schema = component.properties_schema()
    own_definitions: dict[str, Any] = schema.pop("$defs", {})
    root_name = _reserve_name(definitions, wanted_name)
    renamed = {
        name: _reserve_name(definitions, f"{root_name}.{name}") for name in sorted(own_definitions)
    }
    for old_name, new_name in renamed.items():
        definitions[new_name] = _rewrite_references(own_definitions[old_name], renamed)
    definitions[root_name] = _rewrite_references(schema, renamed)
    _forbid_unknown_fields([definitions[name] for name in (root_name, *renamed.values())])
    return root_name


def _reserve_name(definitions: dict[str, Any], wanted: str) -> str:
    """A definition name not taken yet, held with a placeholder until it is filled in."""
    # Entry-point names are free text: keep names safe in a URI fragment and a JSON
    # pointer (no `/`, `~`, `%` or spaces) so references need no escaping.
    base = re.sub(r"[^A-Za-z0-9_.-]", "_", wanted)
    name, counter = base, 2
    while name in definitions:
        name, counter = f"{base}_{counter}", counter + 1
    definitions[name] = {}
    return name


def _rewrite_references(node: Any, renamed: Mapping[str, str]) -> Any:
    if isinstance(node, dict):
        rewritten = {key: _rewrite_references(value, renamed) for key, value in node.items()}
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith(_DEFS_PREFIX):
            old_name = reference.removeprefix(_DEFS_PREFIX)
            rewritten["$ref"] = _DEFS_PREFIX + renamed[old_name]
        return rewritten
    if isinstance(node, list):
        return [_rewrite_references(item, renamed) for item in node]
    return node
