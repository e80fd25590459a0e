"""Completion, editor-agnostic: what to offer where the cursor stands in a runbook.

`complete(cursor, context)` picks the offer by the key path being typed: field keys and
values from the runbook JSON Schema (`fields`), connector and processor types
(`components`), artifact ids that may feed an artifact (`artifacts`), child runbook files
and the names a child declares (`child_runbooks`), runs and their artifacts for `reuse`
(`runs`), message schemas (`schemas`) and environment variables (`variables`);
`triggers` says where a typed character pops a list up. The language server's
`features/completion.py` only turns the choices into LSP items.
"""

from waivern_lsp.language.completion.choice import Choice, ChoiceKind
from waivern_lsp.language.completion.complete import complete, reads_run_store
from waivern_lsp.language.completion.context import CompletionContext, StoredRuns
from waivern_lsp.language.completion.triggers import matching, pops_up

__all__ = [
    "Choice",
    "ChoiceKind",
    "CompletionContext",
    "StoredRuns",
    "complete",
    "matching",
    "pops_up",
    "reads_run_store",
]
