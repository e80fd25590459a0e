"""`wct components [--json]`: the installed connectors and processors, their schemas,
and the plug-ins that failed to load."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from waivern_orchestration.components import Component, ComponentRegistry, Processor
from waivern_orchestration.components.registry import default_registry


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "components",
        help="list the installed connectors and processors",
        description="List the installed connectors and processors with their schemas.",
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
    if args.json:
        document = components_document(registry)
        if only is not None:
            document = {only: document[only], "problems": document["problems"]}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        sys.stdout.write(components_table(registry))
    return 0


def components_document(registry: ComponentRegistry) -> dict[str, Any]:
    """The `wct components --json` object; fields may be added, never renamed."""
    connectors = [_describe(registry.connectors[name]) for name in sorted(registry.connectors)]
    processors = []
    for name in sorted(registry.processors):
        processor = registry.processors[name]
        processors.append(
            {**_describe(processor), "input_combinations": _input_combinations(processor)}
        )
    problems = [
        {"group": problem.group, "name": problem.name, "message": problem.message}
        for problem in registry.problems
    ]
    return {"connectors": connectors, "processors": processors, "problems": problems}


def components_table(registry: ComponentRegistry) -> str:
    """One row per component; description last, so long text does not push columns."""
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
    if registry.problems:
        lines.append("")
        lines.append("Could not load:")
        lines.extend(
            f"  {problem.name} ({problem.group}): {problem.message}"
            for problem in registry.problems
        )
    return "\n".join(lines) + "\n"


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
