"""References between artifacts: every name in `inputs`, an `input_mapping` value or
the runbook's `outputs` must be an artifact, a runbook input or a child output's name
(WCT010); an `input_mapping` value must also be among the artifact's `inputs` (WCT049).
Also the DAG the references make.

The closest id to an unknown name ("did you mean") is searched only for the WCT010s that
are listed (`with_suggestions`, after `capped`): a search costs milliseconds in a large
runbook, and which ones are listed depends on the whole runbook, while the rest of a
reference's diagnostic depends on its own artifact only (so an edit re-checks only the
artifacts it changed, `recheck`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import partial

from waivern_orchestration.analysis.facts import ArtifactInfo, ChildRequest, Production, Reference
from waivern_orchestration.analysis.scope import RunbookScope
from waivern_orchestration.analysis.suggestions import ArtifactNames
from waivern_orchestration.diagnostics import Diagnostic, Remade

_UNKNOWN = "unknown artifact `"
_WHERE = tuple(f"` in `{field}`" for field in ("inputs", "input_mapping", "outputs"))


def dependencies_of(scope: RunbookScope) -> dict[str, tuple[str, ...]]:
    """Each artifact's inputs, as the artifacts of this runbook that produce them."""
    return {info.id: producers_of(scope, info) for info in scope.artifacts.values()}


def producers_of(scope: RunbookScope, info: ArtifactInfo) -> tuple[str, ...]:
    """The artifacts of this runbook that produce the inputs of ``info`` (each once)."""
    producers = (scope.producer(reference.name) for reference in info.references())
    return tuple(dict.fromkeys(p for p in producers if p is not None))


def with_suggestions(
    diagnostics: list[Diagnostic], names: ArtifactNames, remade: Remade
) -> list[Diagnostic]:
    """The diagnostics, each WCT010 of an unknown name with the closest known one (the
    same object as last time for the same diagnostic among the same ``names``: a rename
    keeps the other artifacts' diagnostics but not what is closest to them)."""
    found: list[Diagnostic] | None = None
    for index, diagnostic in enumerate(diagnostics):
        if diagnostic.code != "WCT010" or diagnostic.unlisted:
            continue
        name = _unknown_name(diagnostic.message)
        if name is None:
            continue
        suggested = remade.of(
            diagnostic, "suggestion", names, partial(_suggested, name=name, names=names)
        )
        if suggested is not diagnostic:
            if found is None:
                found = list(diagnostics)
            found[index] = suggested
    return diagnostics if found is None else found


def _suggested(diagnostic: Diagnostic, name: str, names: ArtifactNames) -> Diagnostic:
    suggestion = names.did_you_mean(name)
    if not suggestion:
        return diagnostic
    return replace(diagnostic, message=diagnostic.message + suggestion)


def _unknown_name(message: str) -> str | None:
    if not message.startswith(_UNKNOWN):
        return None
    for where in _WHERE:
        if message.endswith(where):
            return message[len(_UNKNOWN) : -len(where)]
    return None


class ReferenceCheck:
    """WCT010 and WCT049, artifact by artifact (``known`` and ``grouped``: from
    `known_names` and `grouped_artifacts`, or kept from the analysis before)."""

    def __init__(self, scope: RunbookScope, known: frozenset[str], grouped: frozenset[str]):
        self.scope = scope
        self.known = known
        self.grouped = grouped

    def run(self) -> tuple[Reference, ...]:
        """Every reference site, in document order of the artifacts, then `outputs`."""
        references: list[Reference] = []
        for info in self.scope.artifacts.values():
            references.extend(self.check(info))
        references.extend(self.check_outputs())
        return tuple(references)

    def check(self, info: ArtifactInfo) -> Sequence[Reference]:
        """The references of one artifact, checked."""
        found = list(info.references())
        for reference in found:
            self._check(reference)
        if info.child is not None and info.production is Production.CHILD:
            self._check_mapped_inputs(info, info.child)
        return found

    def check_outputs(self) -> Iterable[Reference]:
        for output in self.scope.header.outputs.values():
            if output.artifact is not None:
                self._check(output.artifact)
                yield output.artifact

    def _check_mapped_inputs(self, info: ArtifactInfo, request: ChildRequest) -> None:
        listed = {reference.name for reference in info.inputs}
        for _key, reference in request.input_mapping:
            if reference.name in self.known and reference.name not in listed:
                self.scope.report(
                    "WCT049",
                    reference.range,
                    f"`{reference.name}` feeds the child runbook but is not in the `inputs` "
                    f"of `{info.id}`: add it there",
                )

    def _check(self, reference: Reference) -> None:
        name = reference.name
        aliases = self.scope.aliases
        if name in self.grouped and name not in aliases:
            names = [alias for alias, value in aliases.items() if value.artifact == name]
            self.scope.report(
                "WCT010",
                reference.range,
                f"artifact `{name}` offers its child runbook's outputs under the names "
                f"{', '.join(f'`{n}`' for n in names) or '(none)'}: reference one of those",
            )
            return
        if name in self.known:
            return
        self.scope.report("WCT010", reference.range, f"{_UNKNOWN}{name}` in `{reference.field}`")


def grouped_artifacts(scope: RunbookScope) -> frozenset[str]:
    """Artifacts that offer their child's outputs under new names only."""
    return frozenset(
        info.id
        for info in scope.artifacts.values()
        if info.child is not None
        and info.child.output is None
        and info.child.output_mapping is not None
    )
