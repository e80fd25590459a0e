"""Dependency cycles (WCT011), reported on every edge of every cycle with the path
`a → b → c → a` (or a shorter account of a long cycle)."""

from __future__ import annotations

from dataclasses import dataclass, field

from waivern_orchestration.analysis.check_state import EdgesInto
from waivern_orchestration.analysis.cycles import (
    find_cycle_edges,
    order_behind,
    topological_order,
)
from waivern_orchestration.analysis.facts import ArtifactInfo
from waivern_orchestration.analysis.scope import RunbookScope


@dataclass
class Cycles:
    order: list[str]  # every artifact off the cycles, after its inputs
    ahead: int  # the first this many of `order` take nothing from a cycle, even indirectly
    cyclic: set[str] = field(default_factory=set)  # the artifacts on cycles
    edges_into: EdgesInto = field(default_factory=dict)


def check_cycles(scope: RunbookScope, dependencies: dict[str, tuple[str, ...]]) -> Cycles:
    order, unordered = topological_order(dependencies)
    if not unordered:
        return Cycles(order, len(order))
    edges_into: EdgesInto = {}
    cyclic: set[str] = set()
    components: set[int] = set()
    for edge in find_cycle_edges(dependencies, unordered):
        if id(edge.component) not in components:  # the tuple every edge of it shares
            components.add(id(edge.component))
            cyclic.update(edge.component)
        if edge.cycle is not None and len(edge.cycle) - 1 == edge.cycle_length:
            message = "dependency cycle: " + " → ".join(edge.cycle)
        elif edge.cycle is not None:
            shown = " → ".join(edge.cycle[:-1])
            message = (
                f"dependency cycle of {edge.cycle_length} artifacts: {shown} → … → {edge.cycle[-1]}"
            )
        else:
            shown = ", ".join(edge.component[:10])
            more = "…" if len(edge.component) > 10 else ""
            message = (
                f"dependency cycle among {len(edge.component)} artifacts ({shown}{more}): "
                f"`{edge.target}` takes `{edge.source}` as input"
            )
        edges_into.setdefault(edge.target, []).append((edge.source, message))
        report_edge(scope, scope.artifacts[edge.target], edge.source, message)
    # The artifacts behind the cycles ordered too, without the cycles.
    everything = order_behind(dependencies, order, unordered, cyclic)
    return Cycles(everything, len(order), cyclic, edges_into)


def report_edge(scope: RunbookScope, target: ArtifactInfo, source: str, message: str) -> None:
    """WCT011 on each reference of ``target`` to ``source``."""
    for reference in target.references():
        if scope.producer(reference.name) == source:
            scope.report("WCT011", reference.range, message)
