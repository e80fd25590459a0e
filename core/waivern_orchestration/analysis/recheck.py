"""The runbook-wide checks again after an edit that changed a few artifacts in place:
only those artifacts are checked again, and the ones downstream whose schema they change.
Everything else is kept from the analysis before, the same objects.

Taken when the edit moved no lines, kept every artifact's id, touched no child runbook
(`child_runbook` artifacts give names and schemas to others) and left the DAG's cycles
and order as they were: an edited artifact off the cycles may take other inputs, as long
as each comes before it in the order (then no cycle can close). The artifacts whose last
use it added or removed are checked for WCT090 again. Otherwise `check_runbook` runs on
the whole runbook. Its result is the one
`check_runbook` would give (`tests/core/test_recheck.py` compares them).
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

from waivern_orchestration.analysis.check_state import CheckState
from waivern_orchestration.analysis.child_check import check_source_of_child
from waivern_orchestration.analysis.cycle_check import report_edge
from waivern_orchestration.analysis.diagnostic_splice import Region, spliced
from waivern_orchestration.analysis.environment_check import check_sites
from waivern_orchestration.analysis.facts import (
    Analysis,
    ArtifactInfo,
    HeaderInfo,
    Production,
    Reference,
    RunbookFacts,
)
from waivern_orchestration.analysis.reference_check import ReferenceCheck, producers_of
from waivern_orchestration.analysis.schema_check import SchemaResolver
from waivern_orchestration.analysis.scope import RunbookContext, RunbookScope
from waivern_orchestration.analysis.unused_check import check_used
from waivern_orchestration.diagnostics import Diagnostic, Reporter, one_file, sort_diagnostics
from waivern_orchestration.message_schemas import SchemaRef
from waivern_orchestration.parse.positions import Position


def recheck_runbook(
    previous: Analysis,
    header: HeaderInfo,
    changed: Sequence[tuple[ArtifactInfo, ArtifactInfo]],
    end: Position,
    context: RunbookContext,
) -> Rechecked | None:
    """The runbook-wide results after ``changed`` (each artifact as it was in
    ``previous`` and as it is now, in document order, adjacent, their blocks' lines ending
    at ``end``) replaced artifacts of ``previous`` without moving any line; None when the
    whole runbook must be checked."""
    state = previous.engine.checks
    if state is None or previous.header is None or not changed:
        return None
    if not _same_header(previous.header, header):
        return None
    if state.any_reuse and context.runs is not None:
        return None  # the run store may have changed since (WCT060)
    for old, new in changed:
        if (
            old.id != new.id
            or previous.artifacts.get(old.id) is not old
            or old.id in state.duplicated
            or old.id in header.inputs
            or old.id in previous.aliases
            or old.broken
            or new.broken
            or old.child is not None
            or new.child is not None
            or (old.reuse is None) != (new.reuse is None)
        ):
            return None
    report = Reporter(context.file)
    artifacts = dict(previous.artifacts)
    for _old, new in changed:
        artifacts[new.id] = new
    scope = RunbookScope(header, context, report, artifacts)
    scope.aliases, scope.children = previous.aliases, previous.children
    dependencies = previous.dependencies
    inputs = {new.id: producers_of(scope, new) for _old, new in changed}
    moved = {name: found for name, found in inputs.items() if found != dependencies[name]}
    if moved:
        if not _in_order(state, moved, dependencies):
            return None  # a cycle may close or open: the DAG is ordered again
        dependencies = {**dependencies, **moved}
        state = state.with_other_inputs()
    rechecked = _Recheck(previous, state, scope, changed, end, dependencies)
    schemas = rechecked.schemas()
    if schemas is None:
        return None
    references = rechecked.references()
    state = rechecked.check_used()
    facts = RunbookFacts(
        artifacts=artifacts,
        references=references,
        dependencies=dependencies,
        schemas=schemas,
        aliases=previous.aliases,
        children=previous.children,
        chain_problems=previous.chain_problems,
        diagnostics=rechecked.diagnostics(report.diagnostics),
        state=state,
    )
    return Rechecked(facts, rechecked.found_edited, rechecked.regions)


@dataclass(frozen=True)
class Rechecked:
    facts: RunbookFacts
    # The runbook-wide diagnostics in the edited artifacts (all of those before went).
    found_edited: list[Diagnostic]
    # Artifacts checked again besides the edited ones (the schema of those downstream,
    # WCT090 of those whose last use came or went): their diagnostics of those checks.
    regions: list[Region]


class _Recheck:
    def __init__(
        self,
        previous: Analysis,
        state: CheckState,
        scope: RunbookScope,
        changed: Sequence[tuple[ArtifactInfo, ArtifactInfo]],
        end: Position,
        dependencies: dict[str, tuple[str, ...]],
    ) -> None:
        self.previous = previous
        self.dependencies = dependencies
        self.state = state
        self.scope = scope
        self.changed = changed
        self.fresh = [new for _old, new in changed]
        self.edited = {info.id for info in self.fresh}
        # The edited blocks: every diagnostic of the checks before that starts here goes.
        self.start: Position = changed[0][0].key_range.start
        self.end = end
        # What each check found, by where it goes: the edited artifacts, the others.
        self.found_edited: list[Diagnostic] = []
        self.outside: dict[str, _Outside] = {}
        self.regions: list[Region] = []

    def schemas(self) -> dict[str, SchemaRef | None] | None:
        """The schemas, those of the edited artifacts and of what they feed resolved again
        (WCT030 reported for each); None when that reaches a child runbook's artifact."""
        previous_schemas = self.previous.schemas
        state, artifacts = self.state, self.scope.artifacts
        resolver = SchemaResolver(self.scope, dict(previous_schemas))
        edited = self.edited
        waiting = [(state.position(name), name) for name in edited if name not in state.cyclic]
        heapq.heapify(waiting)
        queued = {name for _position, name in waiting}
        while waiting:
            _position, name = heapq.heappop(waiting)
            info = artifacts[name]
            if info.production is Production.CHILD:
                return None
            reported = self.scope.report.diagnostics
            before = len(reported)
            schema = resolver.schema_of(info)
            resolver.schemas[name] = schema
            self._found(info, "WCT030", reported[before:])
            if schema == previous_schemas.get(name):
                continue
            for dependent in state.dependents(self.dependencies).get(name, ()):
                if dependent not in queued and dependent not in state.cyclic:
                    queued.add(dependent)
                    heapq.heappush(waiting, (state.position(dependent), dependent))
        return resolver.schemas

    def references(self) -> tuple[Reference, ...]:
        """Every reference site as `check_references` lists them, those of the edited
        artifacts checked again (WCT010, WCT011, WCT047, WCT050 with them)."""
        scope, state = self.scope, self.state
        check = ReferenceCheck(scope, state.known, state.grouped)
        fresh: list[Reference] = []
        reported = scope.report.diagnostics
        before = len(reported)
        for info in self.fresh:
            fresh.extend(check.check(info))
            for source, message in state.edges_into.get(info.id, ()):
                report_edge(scope, info, source, message)
            check_source_of_child(scope, info)
            check_sites(scope, info.env_sites)
        self.found_edited.extend(reported[before:])
        old = self.previous.references
        # The artifacts' references come first, in document order; then `outputs`'.
        outputs = sum(1 for output in scope.header.outputs.values() if output.artifact)
        first = bisect_left(old, self.start, 0, len(old) - outputs, key=_start)
        last = bisect_left(old, self.end, first, len(old) - outputs, key=_start)
        return (*old[:first], *fresh, *old[last:])

    def check_used(self) -> CheckState:
        """WCT090 again for the edited artifacts (whether they are outputs) and for those
        whose last use they added or removed; the state with the uses counted again."""
        uses = was = self.state.uses
        if uses is None or was is None:
            return self.state  # an artifact cannot be read: WCT090 is not checked
        scope = self.scope
        before = Counter(chain.from_iterable(self.previous.dependencies[n] for n in self.edited))
        after = Counter(chain.from_iterable(self.dependencies[n] for n in self.edited))
        checked = list(self.fresh)
        if before != after:
            uses = was.copy()
            uses.subtract(before)
            uses.update(after)
            for name in before.keys() | after.keys():
                if name not in self.edited and (uses[name] > 0) != (was[name] > 0):
                    checked.append(scope.artifacts[name])
        reported = scope.report.diagnostics
        for info in checked:
            start = len(reported)
            check_used(scope, info, uses)
            self._found(info, "WCT090", reported[start:])
        return self.state if uses is was else self.state.with_uses(uses)

    def _found(self, info: ArtifactInfo, code: str, found: list[Diagnostic]) -> None:
        """What a check of ``code`` found for ``info`` (edited or not) when run again."""
        if info.id in self.edited:
            self.found_edited.extend(found)
            return
        outside = self.outside.setdefault(info.id, _Outside(info, set(), []))
        outside.codes.add(code)
        outside.found.extend(found)

    def diagnostics(self, found: list[Diagnostic]) -> list[Diagnostic]:
        """The runbook-wide diagnostics before, without the ones checked again, and the
        ones found now, sorted (those before are: they are spliced, not sorted again)."""
        before = self.previous.engine.runbook_diagnostics
        in_order = one_file(before)  # then sorted by position (`sort_diagnostics`)
        for outside in self.outside.values():
            first, last = outside.info.key_range.start, outside.info.range.end
            if in_order:
                low = bisect_left(before, first, key=_diagnostic_start)
                inside: Sequence[Diagnostic] = before[
                    low : bisect_left(before, last, low, key=_diagnostic_start)
                ]
            else:
                inside = [d for d in before if first <= d.range.start < last]
            dropped = frozenset(id(d) for d in inside if d.code in outside.codes)
            self.regions.append(Region(first, last, dropped, outside.found))
        edited = Region(self.start, self.end, None, self.found_edited)
        made = spliced(before, [edited, *self.regions]) if in_order else None
        if made is not None:
            return made
        gone = frozenset().union(*(region.dropped or () for region in self.regions))
        kept = [
            d for d in before if not self.start <= d.range.start < self.end and id(d) not in gone
        ]
        kept.extend(found)
        sort_diagnostics(kept)
        return kept


def _same_header(old: HeaderInfo, new: HeaderInfo) -> bool:
    """The header reads the same to the runbook-wide checks."""
    return (
        old.inputs == new.inputs
        and old.outputs == new.outputs
        and old.config == new.config
        and old.env_sites == new.env_sites
        and old.artifacts_key == new.artifacts_key
    )


def _start(reference: Reference) -> Position:
    return reference.range.start


def _diagnostic_start(diagnostic: Diagnostic) -> Position:
    return diagnostic.range.start


def _in_order(
    state: CheckState,
    inputs: dict[str, tuple[str, ...]],
    dependencies: dict[str, tuple[str, ...]],
) -> bool:
    """Whether artifacts taking these inputs instead of those in ``dependencies`` (the
    DAG before) keep the order and the cycles as they are.

    - An input removed must not be an edge of a cycle (that could open it).
    - An input added to an artifact off the cycles must come before it in the order (an
      artifact never reaches one before it, so no cycle closes).
    - An input on a cycle, or any input added to an artifact on one (the order does not
      reach those), must not be reachable from the artifact. That is searched when one
      artifact changed, within a budget."""
    cyclic = state.cyclic
    for name, found in inputs.items():
        before = set(dependencies[name])
        added = [producer for producer in found if producer not in before]
        on_cycles = {source for source, _message in state.edges_into.get(name, ())}
        if name in added or on_cycles.difference(found):
            return False  # a new loop on itself, or an edge of a cycle gone
        if name in cyclic:
            searched = set(added)
        else:
            position = state.position(name)
            if any(state.position(p) >= position for p in added if p not in cyclic):
                return False
            searched = {producer for producer in added if producer in cyclic}
        if searched and (len(inputs) > 1 or _reaches(state, dependencies, name, searched)):
            return False
    return True


_SEARCHED = 5_000  # artifacts visited looking for a cycle an edit might close


def _reaches(
    state: CheckState, dependencies: dict[str, tuple[str, ...]], start: str, targets: set[str]
) -> bool:
    """Whether ``start`` reaches one of ``targets`` along the DAG (True past the budget:
    the whole runbook is checked then)."""
    dependents = state.dependents(dependencies)
    seen = {start}
    waiting = [start]
    while waiting:
        for user in dependents.get(waiting.pop(), ()):
            if user in targets:
                return True
            if user not in seen:
                if len(seen) >= _SEARCHED:
                    return True
                seen.add(user)
                waiting.append(user)
    return False


@dataclass
class _Outside:
    """An artifact outside the edit checked again: by which checks, what they found."""

    info: ArtifactInfo
    codes: set[str]
    found: list[Diagnostic]
