"""The runbook-wide checks again after an edit that changed a few artifacts in place:
only those artifacts are checked again, and the ones downstream whose schema they change.
Everything else is kept from the analysis before, the same objects.

Taken when the edit moved no lines, touched no child runbook (`child_runbook` artifacts
give names and schemas to others) and left the DAG's cycles and order as they were: an
edited artifact off the cycles may take other inputs, as long as each comes before it in
the order (then no cycle can close). The artifacts whose last use it added or removed are
checked for WCT090 again.

An edit may also rename one artifact off the cycles to a name no other has (typing its
id): the artifacts that took the old name, or the new one while it was unknown, are
checked again in place (their references, schemas and uses), as long as those taking the
new name come after it in the order. Otherwise `check_runbook` runs on the whole runbook.
Its result is the one `check_runbook` would give (`tests/core/test_recheck.py` compares
them).
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import TypeVar

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

_T = TypeVar("_T")


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
            previous.artifacts.get(old.id) is not old
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
    rename: _Rename | None = None
    if any(old.id != new.id for old, new in changed):
        rename = _Rename.of(previous, header, state, changed)
        if rename is None:
            return None
        state = rename.state
    report = Reporter(context.file)
    if rename is not None:
        artifacts = rename.artifacts(previous.artifacts)
        dependencies = rename.dependencies(previous.dependencies)
    else:
        artifacts = dict(previous.artifacts)
        for _old, new in changed:
            artifacts[new.id] = new
        dependencies = previous.dependencies
    scope = RunbookScope(header, context, report, artifacts)
    scope.aliases, scope.children = previous.aliases, previous.children
    others = [artifacts[name] for name in rename.others] if rename is not None else []
    inputs = {info.id: producers_of(scope, info) for info in [*(n for _o, n in changed), *others]}
    moved = {name: found for name, found in inputs.items() if found != dependencies[name]}
    if moved:
        if not _in_order(state, moved, dependencies):
            return None  # a cycle may close or open: the DAG is ordered again
        dependencies = {**dependencies, **moved}
        state = state.with_other_inputs(moved)
    rechecked = _Recheck(previous, state, scope, changed, end, dependencies, others)
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
        others: Sequence[ArtifactInfo] = (),
    ) -> None:
        self.previous = previous
        self.dependencies = dependencies
        self.state = state
        self.scope = scope
        self.changed = changed
        self.fresh = [new for _old, new in changed]
        self.edited = {info.id for info in self.fresh}
        self.was = {new.id: old.id for old, new in changed}  # (a renamed one's old id)
        # Artifacts a rename gave other inputs, checked again in place (not edited).
        self.others = others
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
        for new, old in self.was.items():
            if new != old:
                resolver.schemas.pop(old, None)
        edited = self.edited
        waiting = [
            (state.position(name), name)
            for name in chain(edited, (info.id for info in self.others))
            if name not in state.cyclic
        ]
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
            if schema == previous_schemas.get(self.was.get(name, name)):
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
        for info in self.others:  # their references (the same) to other artifacts
            before = len(reported)
            check.check(info)
            self._found(info, "WCT010", reported[before:])
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
        others = [info.id for info in self.others]
        before = Counter(
            chain.from_iterable(
                self.previous.dependencies[n] for n in chain(self.was.values(), others)
            )
        )
        after = Counter(chain.from_iterable(self.dependencies[n] for n in chain(self.was, others)))
        checked = list(self.fresh)
        if before != after:
            uses = was.copy()
            uses.subtract(before)
            uses.update(after)
            for name in before.keys() | after.keys():
                if name not in scope.artifacts:
                    if not uses[name]:
                        del uses[name]  # (a name a rename took away)
                elif name not in self.edited and (uses[name] > 0) != (was[name] > 0):
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


@dataclass(frozen=True)
class _Rename:
    """An edit that gave one artifact, off the cycles, a name nothing else has: the
    artifacts that named it lose that input, those that named the new name (unknown
    until now) gain it, and the order of the DAG stays as it was when each of those comes
    after the renamed one (`_in_order`)."""

    old: str
    new: ArtifactInfo
    state: CheckState  # with the new name in the old one's place
    others: tuple[str, ...]  # the artifacts naming either name, in document order

    @classmethod
    def of(
        cls,
        previous: Analysis,
        header: HeaderInfo,
        state: CheckState,
        changed: Sequence[tuple[ArtifactInfo, ArtifactInfo]],
    ) -> _Rename | None:
        """The rename ``changed`` made; None when it is not one of those (then the whole
        runbook is checked)."""
        if len(changed) != 1:
            return None
        old, new = changed[0]
        names = {old.id, new.id}
        if (
            new.id in state.known
            or old.id in state.cyclic
            or old.id in state.grouped
            or any(
                output.artifact is not None and output.artifact.name in names
                for output in header.outputs.values()
            )
            or any(reference.name in names for reference in new.references())
        ):
            return None
        references = previous.references
        named = list(map(_name, references))  # (searched by `list.index`: at C speed)
        found: list[int] = []
        for name in names:
            at = -1
            for _ in range(named.count(name)):
                at = named.index(name, at + 1)
                found.append(at)
        holders = (references[at].artifact for at in sorted(found))
        # (the renamed one itself is checked again as edited)
        others = tuple(dict.fromkeys(name for name in holders if name not in (None, old.id)))
        for name in others:
            info = previous.artifacts.get(name)
            if (
                info is None
                or name in state.duplicated
                or info.broken
                or info.child is not None
                or name in previous.aliases
            ):
                return None
        return cls(old.id, new, state.renamed(old.id, new.id), others)

    def artifacts(self, before: dict[str, ArtifactInfo]) -> dict[str, ArtifactInfo]:
        """The artifacts by id, in document order, the renamed one in its place."""
        return _replaced(before, self.old, self.new.id, self.new)

    def dependencies(self, before: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        """The inputs before, the renamed artifact's under its new name."""
        return _replaced(before, self.old, self.new.id, before[self.old])


def _replaced(before: dict[str, _T], old: str, new: str, value: _T) -> dict[str, _T]:
    """``before`` with ``old`` replaced by ``new`` in its place, the order kept (the
    planner's ties follow it), at C speed."""
    keys, values = list(before), list(before.values())
    at = keys.index(old)
    keys[at], values[at] = new, value
    return dict(zip(keys, values, strict=True))


_name = attrgetter("name")


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
    - An input added to an artifact on a cycle (the order does not reach those) must take
      nothing from a cycle (`CheckState.ahead`): then nothing on one reaches it.
    - Other inputs on a cycle, or added to an artifact on one, must not be reachable
      from the artifact. That is searched when one artifact changed, within a budget."""
    cyclic = state.cyclic
    for name, found in inputs.items():
        before = set(dependencies[name])
        added = [producer for producer in found if producer not in before]
        on_cycles = {source for source, _message in state.edges_into.get(name, ())}
        if name in added or on_cycles.difference(found):
            return False  # a new loop on itself, or an edge of a cycle gone
        if name in cyclic:
            searched = {p for p in added if p in cyclic or state.position(p) >= state.ahead}
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
