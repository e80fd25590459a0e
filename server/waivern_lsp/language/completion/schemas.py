"""Message schemas for `output_schema` and a runbook input's `input_schema`: the known
ones as `name/version`, with what each holds."""

from __future__ import annotations

from waivern_lsp.language.completion.choice import Choice, ChoiceKind
from waivern_orchestration.message_schemas import known_schemas


def schema_choices() -> list[Choice]:
    return [
        Choice(
            str(ref),
            ChoiceKind.SCHEMA,
            str(ref),
            detail="message schema",
            documentation=schema.description or None,
        )
        for ref, schema in known_schemas().items()
    ]
