"""Environment variable names in `${...}`: those set in the server's environment first,
then those the runbook already uses that are not set.

Only names are shown, never a value: a variable may hold a secret, and a completion list
is easily seen over a shoulder or in a screen share.
"""

from __future__ import annotations

from collections.abc import Mapping

from waivern_lsp.language.completion.choice import Choice, ChoiceKind
from waivern_lsp.language.cursor import Cursor
from waivern_orchestration.analysis import Analysis


def variable_choices(cursor: Cursor, analysis: Analysis, env: Mapping[str, str]) -> list[Choice]:
    # The variable being typed is not a use yet: `${HO|}` must not offer `HO` itself.
    typing = cursor.span.start
    used = {
        site.name
        for site in analysis.env_sites
        if not (
            site.range.start.line == typing.line and site.range.start <= typing <= site.range.end
        )
    }
    found: list[Choice] = []
    for name in sorted(set(env) | used):
        is_set = name in env
        detail = "set" if is_set else "not set"
        if name in used:
            detail += " · used in this runbook"
        documentation = (
            f"`{name}` is set in the language server's environment (its value is not shown)."
            if is_set
            else f"`{name}` is not set: give a default with `${{{name}:-default}}`."
        )
        found.append(
            Choice(
                name,
                ChoiceKind.VARIABLE,
                _inserted(name, cursor),
                detail=detail,
                documentation=documentation,
                order=("0" if is_set else "1") + ("0" if name in used else "1"),
                filter="${" + name if cursor.dollar else None,
            )
        )
    return found


def _inserted(name: str, cursor: Cursor) -> str:
    if cursor.dollar:  # only `$` typed: it is replaced
        return "${" + name + "}"
    return name if cursor.closed else name + "}"
