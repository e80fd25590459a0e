"""`wct components [--json]`: the installed connectors and processors, the message
schemas they read and write, the installed message schemas (`waivern.schemas`), and the
plug-ins that failed to load or name a schema nobody provides."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from waivern_orchestration.components import Component, ComponentRegistry, Processor
from waivern_orchestration.components.registry import (
    CONNECTOR_GROUP,
    PROCESSOR_GROUP,
    default_registry,
)
from waivern_orchestration.message_schemas import SCHEMA_GROUP, SchemaRegistry, default_schemas


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "components",
        help="list the installed connectors, processors and message schemas",
        description=(
            "List the installed connectors and processors with the message schemas they read "
            "and write, and the installed message schemas."
        ),
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object (for machines) instead"
    )
    parser.set_defaults(run=run, only=None)
    # The original wct's `connectors` and `processors`: the same, one kind only.
    for kind in ("connectors", "processors"):
        alias = subparsers.add_parser(
            kind,
            help=f"list the installed {kind} (the original wct's name)",
            description=f"List the installed {kind} with their schemas.",
        )
        alias.add_argument(
            "--json", action="store_true", help="print one JSON object (for machines) instead"
        )
        alias.set_defaults(run=run, only=kind)


def run(args: argparse.Namespace) -> int:
    registry = default_registry()
    only = getattr(args, "only", None)
    if only == "connectors":
        registry = ComponentRegistry(registry.connectors, {}, registry.problems)
    elif only == "processors":
        registry = ComponentRegistry({}, registry.processors, registry.problems)
    schemas = default_schemas()
    if args.json:
        document = components_document(registry, schemas)
        if only is not None:
            document = {only: document[only], "problems": document["problems"]}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        sys.stdout.write(components_table(registry, schemas if only is None else None))
    return 0


def components_document(
    registry: ComponentRegistry, schemas: SchemaRegistry | None = None
) -> dict[str, Any]:
    """The `wct components --json` object; fields may be added, never renamed.
    ``schemas``: the installed message schemas (default: none listed)."""
    connectors = [_describe(registry.connectors[name]) for name in sorted(registry.connectors)]
    processors = []
    for name in sorted(registry.processors):
        processor = registry.processors[name]
        processors.append(
            {**_describe(processor), "input_combinations": _input_combinations(processor)}
        )
    problems = [
        {"group": group, "name": name, "message": message}
        for group, name, message in _problems(registry, schemas)
    ]
    document: dict[str, Any] = {"connectors": connectors, "processors": processors}
    if schemas is not None:
        document["schemas"] = [
            {
                "name": str(ref),
                "description": schema.description,
                "provided_by": schema.provider,
                "built_in": schema.built_in,
            }
            for ref, schema in schemas.schemas.items()
        ]
    document["problems"] = problems
    return document


def components_table(registry: ComponentRegistry, schemas: SchemaRegistry | None = None) -> str:
    """One row per component; description last, so long text does not push columns.
    With ``schemas``, the installed message schemas follow."""
    header = ("NAME", "KIND", "OUTPUT SCHEMAS", "INPUT COMBINATIONS", "DESCRIPTION")
    rows: list[Sequence[str]] = [header]
    for name in sorted(registry.connectors):
        connector = registry.connectors[name]
        rows.append((name, "connector", _outputs(connector), "-", connector.description))
    for name in sorted(registry.processors):
        processor = registry.processors[name]
        combinations = " | ".join(
            " + ".join(combination) for combination in _input_combinations(processor)
        )
        rows.append((name, "processor", _outputs(processor), combinations, processor.description))
    widths = [max(len(row[column]) for row in rows) for column in range(len(header) - 1)]
    lines = [
        "  ".join(
            [*(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)), row[-1]]
        )
        for row in rows
    ]
    if len(rows) == 1:
        lines.append("(no components installed)")
    if schemas is not None and schemas.schemas:
        lines.append("")
        lines.append("Message schemas:")
        width = max(len(str(ref)) for ref in schemas.schemas)
        for ref, schema in schemas.schemas.items():
            provider = "built-in" if schema.built_in else f"from {schema.provider}"
            lines.append(f"  {str(ref).ljust(width)}  {provider}")
    problems = _problems(registry, schemas)
    if problems:
        lines.append("")
        lines.append("Problems:")
        lines.extend(f"  {name} ({group}): {message}" for group, name, message in problems)
    return "\n".join(lines) + "\n"


def _problems(
    registry: ComponentRegistry, schemas: SchemaRegistry | None
) -> list[tuple[str, str, str]]:
    """(group, name, message): plug-ins that failed to load, then components that read or
    write a message schema no installed package provides."""
    found = [(problem.group, problem.name, problem.message) for problem in registry.problems]
    if schemas is None:
        return found
    found.extend((SCHEMA_GROUP, problem.name, problem.message) for problem in schemas.problems)
    kinds: list[tuple[str, dict[str, type[Component]]]] = [
        (CONNECTOR_GROUP, dict(registry.connectors)),
        (PROCESSOR_GROUP, dict(registry.processors)),
    ]
    for group, components in kinds:
        for name in sorted(components):
            component = components[name]
            read = (
                {ref for combination in component.input_combinations for ref in combination}
                if issubclass(component, Processor)
                else set()
            )
            for verb, refs in (("writes", set(component.output_schemas)), ("reads", read)):
                for ref in sorted(refs - set(schemas.schemas)):
                    broken = schemas.why_unavailable(str(ref))
                    message = f"{verb} `{ref}`, a message schema no installed package provides"
                    found.append((group, name, message + (f": {broken}" if broken else "")))
    return found


def _describe(component: type[Component]) -> dict[str, Any]:
    return {
        "name": component.name,
        "description": component.description,
        "properties_schema": component.properties_schema(),
        "output_schemas": [str(ref) for ref in component.output_schemas],
    }


def _outputs(component: type[Component]) -> str:
    return ", ".join(str(ref) for ref in component.output_schemas)


def _input_combinations(processor: type[Processor]) -> list[list[str]]:
    # Combinations are sets: sort them so the output is the same on every run.
    return sorted(
        sorted(str(ref) for ref in combination) for combination in processor.input_combinations
    )
