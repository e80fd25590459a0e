"""Artifact ids that may go where the cursor is: an artifact's `inputs`, an
`input_mapping` value, a runbook output's `artifact`.

An artifact is never offered to itself nor to anything it feeds, directly or not: that
would close a cycle (WCT011). In a child runbook its declared inputs count as artifacts;
the names a child runbook's `output_mapping` gives count too. With 5,000 artifacts this
is one walk over the dependents of one artifact and one pass over the ids.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from weakref import WeakKeyDictionary

from waivern_lsp.language.completion.choice import Choice, ChoiceKind
from waivern_orchestration.analysis import Analysis
from waivern_orchestration.analysis.facts import ArtifactInfo, Production


def artifact_choices(
    analysis: Analysis,
    feeding: str | None,
    written: Collection[str] = (),
    preferred: Collection[str] = (),
) -> list[Choice]:
    """Ids for an input of the artifact `feeding` (None: no artifact is fed, e.g. a
    runbook output), leaving out those already `written`; `preferred` ones sort first."""
    excluded = _downstream(analysis, feeding) if feeding is not None else set()
    excluded.update(written)
    return [
        replace(choice, order="0" + choice.order) if name in preferred else choice
        for name, producer, choice in _candidates(analysis)
        if name not in excluded and producer not in excluded
    ]


# The candidates of an analysis, made once: each completion in the same text only filters.
_made: WeakKeyDictionary[Analysis, list[tuple[str, str | None, Choice]]] = WeakKeyDictionary()


def _candidates(analysis: Analysis) -> list[tuple[str, str | None, Choice]]:
    """(name, the artifact that produces it, choice), in the order written (runbooks are
    mostly written producers first)."""
    known = _made.get(analysis)
    if known is not None:
        return known
    found: list[tuple[str, str | None, Choice]] = []
    header = analysis.header
    if header is not None:
        for name, declared in header.inputs.items():
            detail = f"runbook input · {declared.schema}" if declared.schema else "runbook input"
            found.append((name, None, _choice(name, detail, declared.description)))
    for info in analysis.artifact_list:
        found.append((info.id, info.id, _artifact(analysis, info)))
    for name, alias in analysis.aliases.items():
        if name in analysis.artifacts:
            continue  # `output:` makes the artifact an alias of itself: offered once
        detail = f"output `{alias.child_output}` of the child runbook of `{alias.artifact}`"
        found.append((name, alias.artifact, _choice(name, detail, None)))
    found = [
        (name, producer, replace(choice, order=f"1{index:06}"))
        for index, (name, producer, choice) in enumerate(found)
    ]
    _made[analysis] = found
    return found


def _downstream(analysis: Analysis, artifact: str) -> set[str]:
    """The artifact and every artifact that depends on it, directly or not."""
    dependents = analysis.dependents
    seen = {artifact}
    pending = [artifact]
    while pending:
        for user in dependents.get(pending.pop(), ()):
            if user not in seen:
                seen.add(user)
                pending.append(user)
    return seen


def _artifact(analysis: Analysis, info: ArtifactInfo) -> Choice:
    schema = analysis.schemas.get(info.id)
    production = _production(info)
    if schema is None:
        detail = production
    else:
        detail = f"{production} · {schema}" if production else str(schema)
    return _choice(info.id, detail, info.description)


def _production(info: ArtifactInfo) -> str | None:
    if info.production is Production.SOURCE and info.source_type is not None:
        return f"connector {info.source_type.name}"
    if info.process_type is not None:
        return f"processor {info.process_type.name}"
    if info.production is Production.CHILD:
        return "child runbook"
    if info.production is Production.REUSE:
        return "reused"
    return None


def _choice(name: str, detail: str | None, description: str | None) -> Choice:
    return Choice(name, ChoiceKind.ARTIFACT, name, detail=detail, documentation=description)
