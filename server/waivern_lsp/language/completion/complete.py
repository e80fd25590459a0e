"""`complete`: the choices for a cursor, picked by the key path being typed.

- a key: the fields the mapping may still take; under `input_mapping` the inputs the
  child declares, under `output_mapping` its outputs; nothing for a new artifact id;
- `inputs`, an `input_mapping` value, `outputs.*.artifact`: artifact ids (cycle-free);
- `source.type` / `process.type`: connectors / processors;
- `child_runbook.path`, `config.template_paths`: files and folders;
- `child_runbook.output`: the child's outputs;
- `reuse.from_run` / `reuse.artifact`: runs / that run's artifacts;
- `output_schema`, `input_schema`: message schemas;
- any other field: its enum values, `true`/`false`, its default;
- `${`: environment variable names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from waivern_lsp.language.completion.artifacts import artifact_choices
from waivern_lsp.language.completion.child_runbooks import (
    child_analysis,
    child_input_choices,
    child_output_choices,
    path_choices,
)
from waivern_lsp.language.completion.choice import Choice
from waivern_lsp.language.completion.components import component_choices
from waivern_lsp.language.completion.context import CompletionContext
from waivern_lsp.language.completion.fields import key_choices, value_choices, written_keys
from waivern_lsp.language.completion.runs import run_artifact_choices, run_choices
from waivern_lsp.language.completion.schemas import schema_choices
from waivern_lsp.language.completion.variables import variable_choices
from waivern_lsp.language.cursor import Cursor
from waivern_lsp.language.yaml_path import keys_under, value_on_line


def complete(cursor: Cursor, context: CompletionContext) -> list[Choice]:
    if cursor.kind == "variable":
        return variable_choices(cursor, context.analysis, context.env)
    if cursor.kind == "key":
        return _keys(cursor, context)
    found = _values(cursor, context)
    if not cursor.spaced:  # right after `key:` or `,`
        found = [_after_space(choice) for choice in found]
    return found


def reads_run_store(cursor: Cursor, lines: Sequence[str]) -> str | None:
    """When the cursor is in a `reuse`: what the server must read from the run store
    first — "" for the list of runs, a run id for that run's artifacts too; else None."""
    path = cursor.path
    if cursor.kind != "value" or len(path) != 4 or path[0] != "artifacts" or path[2] != "reuse":
        return None
    if path[3] == "from_run":
        return ""
    if path[3] == "artifact":
        return _from_run(cursor, lines) or ""
    return None


def _keys(cursor: Cursor, context: CompletionContext) -> list[Choice]:
    path = cursor.path
    if _is(path, "artifacts", None, "child_runbook", "input_mapping"):
        child = child_analysis(cursor, context)
        written = written_keys(cursor, context)
        return child_input_choices(child, written, cursor.closed) if child else []
    if _is(path, "artifacts", None, "child_runbook", "output_mapping"):
        child = child_analysis(cursor, context)
        written = written_keys(cursor, context)
        return (
            child_output_choices(child, written, as_key=True, closed=cursor.closed) if child else []
        )
    return key_choices(cursor, context)


def _values(cursor: Cursor, context: CompletionContext) -> list[Choice]:
    path = cursor.path
    analysis = context.analysis
    if _is(path, "artifacts", None, "inputs"):
        written = cursor.written if cursor.item else ()
        return artifact_choices(analysis, path[1], written)
    if _is(path, "artifacts", None, "source", "type") or _is(
        path, "artifacts", None, "process", "type"
    ):
        return component_choices(context.registry, path[2])
    if _is(path, "artifacts", None, "child_runbook", "path"):
        return path_choices(cursor, context)
    if _is(path, "config", "template_paths") and cursor.item:
        return path_choices(cursor, context, folders_only=True)
    if _is(path, "artifacts", None, "child_runbook", "input_mapping", None):
        return _mapped_artifacts(cursor, context)
    if _is(path, "artifacts", None, "child_runbook", "output"):
        child = child_analysis(cursor, context)
        return child_output_choices(child, (), as_key=False) if child else []
    if _is(path, "artifacts", None, "child_runbook", "output_mapping", None):
        return []  # a new name, the user's to choose
    if _is(path, "artifacts", None, "reuse", "from_run"):
        return run_choices(context.store)
    if _is(path, "artifacts", None, "reuse", "artifact"):
        return run_artifact_choices(context.store)
    if _is(path, "outputs", None, "artifact"):
        return artifact_choices(analysis, None)
    if _is(path, "artifacts", None, "output_schema") or _is(path, "inputs", None, "input_schema"):
        return schema_choices()
    return value_choices(cursor, context)


def _mapped_artifacts(cursor: Cursor, context: CompletionContext) -> list[Choice]:
    """Parent artifacts for a child input: those already in the artifact's `inputs`, and
    those whose output schema is the input's, first."""
    analysis = context.analysis
    artifact = cursor.path[1]
    preferred: set[str] = set()
    info = analysis.artifacts.get(artifact)
    if info is not None:
        preferred.update(reference.name for reference in info.inputs)
    child = child_analysis(cursor, context)
    declared = child.header.inputs.get(cursor.path[-1]) if child and child.header else None
    if declared is not None and declared.schema:
        wanted = declared.schema
        preferred.update(
            name
            for name, schema in analysis.schemas.items()
            if schema is not None and (str(schema) == wanted or schema.name == wanted)
        )
    return artifact_choices(analysis, artifact, (), preferred)


def _from_run(cursor: Cursor, lines: Sequence[str]) -> str | None:
    reuse_line = cursor.key_lines[2]
    run_line = keys_under(lines, reuse_line).get("from_run")
    return value_on_line(lines[run_line]) if run_line is not None else None


def _is(path: tuple[str, ...], *pattern: str | None) -> bool:
    """Does the key path match (None matches any one key)?"""
    return len(path) == len(pattern) and all(
        wanted is None or key == wanted for key, wanted in zip(path, pattern, strict=True)
    )


def _after_space(choice: Choice) -> Choice:
    return replace(
        choice,
        text=" " + choice.text,
        snippet=" " + choice.snippet if choice.snippet is not None else None,
        filter=choice.filter or choice.label,
    )
