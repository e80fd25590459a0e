"""Field keys a mapping may still take, and the values a field allows (enum values,
`true`/`false`, its default), from the runbook JSON Schema and, under `properties`, the
connector's or processor's own schema.

An artifact is offered only the keys its production method still allows (`source`
excludes `inputs`, `reuse` and the rest; WCT004), and a child runbook is not offered
`source` (WCT047).
"""

from __future__ import annotations

from collections.abc import Sequence

from waivern_lsp.language.completion.choice import Choice, ChoiceKind, snippet_choice
from waivern_lsp.language.completion.context import CompletionContext
from waivern_lsp.language.cursor import Cursor
from waivern_lsp.language.runbook_fields import Field, runbook_fields
from waivern_lsp.language.yaml_path import key_on_line, keys_under, value_on_line
from waivern_orchestration.components import Component

# An artifact key → the keys that cannot stand beside it (WCT004, WCT045).
_EXCLUDED_BY: dict[str, frozenset[str]] = {
    "source": frozenset({"inputs", "reuse", "process", "merge", "child_runbook"}),
    "inputs": frozenset({"source", "reuse"}),
    "reuse": frozenset({"source", "inputs", "process", "merge", "child_runbook"}),
    "process": frozenset({"source", "reuse", "child_runbook"}),
    "merge": frozenset({"source", "reuse"}),
    "child_runbook": frozenset({"source", "reuse", "process"}),
}
_CHILD_EXCLUDED_BY = {
    "output": frozenset({"output_mapping"}),
    "output_mapping": frozenset({"output"}),
}


def written_keys(cursor: Cursor, context: CompletionContext) -> dict[str, int]:
    """The keys already written in the mapping the cursor's key goes into (each with its
    line), the key being typed left out."""
    parent = cursor.key_lines[-1] if cursor.key_lines else None
    found = keys_under(context.lines, parent)
    return {key: line for key, line in found.items() if line != cursor.line}


def component_at(cursor: Cursor, context: CompletionContext) -> type[Component] | None:
    """The connector or processor named by `type` beside the `properties` the cursor is
    in (`path[2]` is `source` or `process`), read from the text as typed."""
    if len(cursor.key_lines) < 3 or len(cursor.path) < 3:
        return None
    type_line = keys_under(context.lines, cursor.key_lines[2]).get("type")
    name = value_on_line(context.lines[type_line]) if type_line is not None else None
    if name is None:
        return None
    kinds = (
        context.registry.connectors if cursor.path[2] == "source" else context.registry.processors
    )
    return kinds.get(name)


def key_choices(cursor: Cursor, context: CompletionContext) -> list[Choice]:
    component = component_at(cursor, context) if _in_component(cursor.path) else None
    table = runbook_fields(context.registry).fields(cursor.path, component)
    if table is None:
        return []
    written = written_keys(cursor, context)
    excluded = set(written)
    if len(cursor.path) == 2 and cursor.path[0] == "artifacts":
        for key in written:
            excluded |= _EXCLUDED_BY.get(key, frozenset())
        if _is_child_runbook(context):
            excluded.add("source")
    if cursor.path[-1:] == ("child_runbook",):
        for key in written:
            excluded |= _CHILD_EXCLUDED_BY.get(key, frozenset())
    indent = _indent_unit(cursor, context)
    return [
        _key_choice(field, cursor, indent, f"{index:03}")
        for index, field in enumerate(table)
        if field.key not in excluded
    ]


def value_choices(cursor: Cursor, context: CompletionContext) -> list[Choice]:
    component = component_at(cursor, context) if _in_component(cursor.path[:-1]) else None
    field = runbook_fields(context.registry).field(cursor.path, component)
    if field is None:
        return []
    values = list(field.doc.choices)
    if field.shape == "boolean":
        values = ["true", "false"]
    found = [
        Choice(value, ChoiceKind.VALUE, value, detail=field.doc.type, order=f"{index:03}")
        for index, value in enumerate(values)
    ]
    default = field.doc.default
    if default is not None and default not in values and field.shape == "scalar":
        found.append(Choice(default, ChoiceKind.VALUE, default, detail="default"))
    return found


def _in_component(path: Sequence[str]) -> bool:
    return (
        len(path) >= 4
        and path[0] == "artifacts"
        and path[2] in ("source", "process")
        and path[3] == "properties"
    )


def _is_child_runbook(context: CompletionContext) -> bool:
    header = context.analysis.header
    return header is not None and bool(header.inputs)


def _indent_unit(cursor: Cursor, context: CompletionContext) -> int:
    """How far this runbook indents a mapping under its key (2 unless it says otherwise)."""
    if not cursor.key_lines:
        return 2
    parent = key_on_line(context.lines[cursor.key_lines[-1]])
    step = cursor.span.start.character - parent.column if parent is not None else 0
    return step if 0 < step <= 8 else 2


def _key_choice(field: Field, cursor: Cursor, indent: int, order: str) -> Choice:
    key = field.key
    documentation = _documentation(field)
    detail = field.doc.type
    if cursor.closed:  # `key:` is there already: only the key is replaced
        return Choice(key, ChoiceKind.FIELD, key, None, detail, documentation, order)
    pad = " " * indent
    choices = ["true", "false"] if field.shape == "boolean" else list(field.doc.choices)
    if field.shape == "mapping":
        text = f"{key}:"
        body = [f"{pad}{child}: ${number}" for number, child in enumerate(field.required, 1)]
        snippet = f"{key}:\n" + ("\n".join(body) if body else f"{pad}$0")
    elif field.shape == "list":
        text, snippet = f"{key}:", f"{key}:\n{pad}- $0"
    elif field.shape == "names":
        text, snippet = f"{key}:", f"{key}:\n{pad}$0"
    elif choices and len(choices) <= 8:
        text, snippet = f"{key}: ", f"{key}: {snippet_choice(choices)}"
    else:
        text, snippet = f"{key}: ", f"{key}: $0"
    return Choice(key, ChoiceKind.FIELD, text, snippet, detail, documentation, order)


def _documentation(field: Field) -> str | None:
    doc = field.doc
    parts: list[str] = []
    if doc.description:
        parts.append(doc.description)
    facts: list[str] = []
    if doc.required:
        facts.append("required")
    if doc.default is not None:
        facts.append(f"default `{doc.default}`")
    if doc.choices:
        facts.append("values " + ", ".join(f"`{choice}`" for choice in doc.choices))
    if facts:
        sentence = "; ".join(facts)
        parts.append(sentence[0].upper() + sentence[1:] + ".")
    return "\n\n".join(parts) or None
