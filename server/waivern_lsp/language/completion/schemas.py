"""Message schemas for `output_schema` and a runbook input's `input_schema`: the installed
ones (built in or from a plug-in's `waivern.schemas` entry point) as `name/version`, with
what each holds and, for a plug-in's, which package provides it."""

from __future__ import annotations

from waivern_lsp.language.completion.choice import Choice, ChoiceKind
from waivern_orchestration.message_schemas import known_schemas


def schema_choices() -> list[Choice]:
    return [
        Choice(
            str(ref),
            ChoiceKind.SCHEMA,
            str(ref),
            detail="message schema" if schema.built_in else f"message schema ({schema.provider})",
            documentation=schema.description or None,
        )
        for ref, schema in known_schemas().items()
    ]
