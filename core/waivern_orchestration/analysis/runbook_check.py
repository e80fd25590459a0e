"""Runbook-wide checks over the artifacts analysed one by one, in the order each needs
the one before: ids, child runbooks, references, cycles, schemas, environment variables,
reuse and unused artifacts. What they build over the whole runbook is kept
(`CheckState`), so that an edit to a few artifacts re-checks only those (`recheck`)."""

from __future__ import annotations

from collections.abc import Sequence

from waivern_orchestration.analysis.check_state import CheckState
from waivern_orchestration.analysis.child_check import (
    check_sources_of_child,
    link_children,
    register_aliases,
    with_child_artifacts,
)
from waivern_orchestration.analysis.cycle_check import check_cycles
from waivern_orchestration.analysis.environment_check import check_environment
from waivern_orchestration.analysis.facts import ArtifactInfo, HeaderInfo, RunbookFacts
from waivern_orchestration.analysis.id_check import index_artifacts
from waivern_orchestration.analysis.reference_check import (
    ReferenceCheck,
    dependencies_of,
    grouped_artifacts,
)
from waivern_orchestration.analysis.reuse_check import check_reuse
from waivern_orchestration.analysis.schema_check import resolve_schemas
from waivern_orchestration.analysis.scope import RunbookContext, RunbookScope
from waivern_orchestration.analysis.suggestions import ArtifactNames
from waivern_orchestration.analysis.unused_check import check_unused
from waivern_orchestration.diagnostics import Reporter


def check_runbook(
    header: HeaderInfo, infos: Sequence[ArtifactInfo], context: RunbookContext
) -> RunbookFacts:
    report = Reporter(context.file)
    scope = RunbookScope(header, context, report, index_artifacts(header, infos, report))
    check_sources_of_child(scope)
    scope.aliases = register_aliases(scope)
    scope.children, chain_problems = link_children(scope)
    scope.aliases = with_child_artifacts(scope.aliases, scope.children)
    known = frozenset(scope.known_names())
    grouped = grouped_artifacts(scope)
    references = ReferenceCheck(scope, known, grouped).run()
    dependencies = dependencies_of(scope)
    cycles = check_cycles(scope, dependencies)
    schemas = resolve_schemas(scope, cycles.order, cycles.cyclic)
    check_environment(scope)
    check_reuse(scope)
    uses = check_unused(scope, dependencies)
    artifacts = scope.artifacts
    duplicated = (
        frozenset(info.id for info in infos if artifacts[info.id] is not info)
        if len(artifacts) != len(infos)
        else frozenset()
    )
    state = CheckState(
        known=known,
        names=ArtifactNames(known),
        grouped=grouped,
        duplicated=duplicated,
        any_reuse=any(info.reuse is not None for info in artifacts.values()),
        order=cycles.order,
        ahead=cycles.ahead,
        cyclic=frozenset(cycles.cyclic),
        edges_into=cycles.edges_into,
        uses=uses,
    )
    return RunbookFacts(
        artifacts=artifacts,
        references=references,
        dependencies=dependencies,
        schemas=schemas,
        aliases=scope.aliases,
        children=scope.children,
        chain_problems=chain_problems,
        diagnostics=report.diagnostics,
        state=state,
    )
