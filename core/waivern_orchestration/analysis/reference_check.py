"""References between artifacts: every name in `inputs`, an `input_mapping` value or
the runbook's `outputs` must be an artifact, a runbook input or a child output's name
(WCT010, with the closest id offered); an `input_mapping` value must also be among the
artifact's `inputs` (WCT049). Also the DAG the references make."""

from __future__ import annotations

from waivern_orchestration.analysis.facts import ArtifactInfo, ChildRequest, Production, Reference
from waivern_orchestration.analysis.scope import RunbookScope
from waivern_orchestration.analysis.suggestions import ArtifactNames
from waivern_orchestration.diagnostics import MAX_PER_CODE


def check_references(scope: RunbookScope) -> tuple[Reference, ...]:
    """Every reference site, in document order of the artifacts, then `outputs`."""
    return _ReferenceCheck(scope).run()


def dependencies_of(scope: RunbookScope) -> dict[str, tuple[str, ...]]:
    """Each artifact's inputs, as the artifacts of this runbook that produce them."""
    dependencies: dict[str, tuple[str, ...]] = {}
    for info in scope.artifacts.values():
        producers = (scope.producer(reference.name) for reference in info.references())
        dependencies[info.id] = tuple(dict.fromkeys(p for p in producers if p is not None))
    return dependencies


class _ReferenceCheck:
    def __init__(self, scope: RunbookScope) -> None:
        self.scope = scope
        self.known = scope.known_names()
        self.names = ArtifactNames(self.known)
        self._suggestions: dict[str, str] = {}
        # Artifacts that offer their child's outputs under new names only.
        self.grouped = {
            info.id
            for info in scope.artifacts.values()
            if info.child is not None
            and info.child.output is None
            and info.child.output_mapping is not None
        }

    def run(self) -> tuple[Reference, ...]:
        references: list[Reference] = []
        for info in self.scope.artifacts.values():
            for reference in info.references():
                references.append(reference)
                self._check(reference)
            if info.child is not None and info.production is Production.CHILD:
                self._check_mapped_inputs(info, info.child)
        for output in self.scope.header.outputs.values():
            if output.artifact is not None:
                references.append(output.artifact)
                self._check(output.artifact)
        return tuple(references)

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
        where = "in `outputs`" if reference.field == "outputs" else f"in `{reference.field}`"
        suggestion = self._suggestions.get(name)
        if suggestion is None and len(self._suggestions) >= MAX_PER_CODE:
            suggestion = ""  # past what is listed (`capped`): not worth a search each
        elif suggestion is None:  # a renamed artifact leaves many references to one name
            suggestion = self._suggestions[name] = self.names.did_you_mean(name)
        self.scope.report(
            "WCT010", reference.range, f"unknown artifact `{name}` {where}{suggestion}"
        )
