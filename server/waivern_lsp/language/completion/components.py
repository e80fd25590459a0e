"""Connector types for `source.type`, processor types for `process.type`: the installed
components with their descriptions."""

from __future__ import annotations

from collections.abc import Mapping

from waivern_lsp.language.completion.choice import Choice, ChoiceKind
from waivern_orchestration.components import Component, ComponentRegistry


def component_choices(registry: ComponentRegistry, kind: str) -> list[Choice]:
    """`kind` is `source` (connectors) or `process` (processors)."""
    components: Mapping[str, type[Component]] = (
        registry.connectors if kind == "source" else registry.processors
    )
    choice_kind = ChoiceKind.CONNECTOR if kind == "source" else ChoiceKind.PROCESSOR
    return [
        Choice(name, choice_kind, name, detail=choice_kind.value, documentation=_about(component))
        for name, component in sorted(components.items())
    ]


def _about(component: type[Component]) -> str:
    lines = [component.description]
    if component.output_schemas:
        produced = ", ".join(f"`{schema}`" for schema in component.output_schemas)
        lines.append(f"Produces {produced}.")
    return "\n\n".join(lines)
