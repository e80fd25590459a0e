"""Dependency cycles (WCT011), reported on every edge of every cycle with the path
`a → b → c → a` (or a shorter account of a long cycle)."""

from __future__ import annotations

from waivern_orchestration.analysis.cycles import find_cycle_edges, topological_order
from waivern_orchestration.analysis.scope import RunbookScope


def check_cycles(
    scope: RunbookScope, dependencies: dict[str, tuple[str, ...]]
) -> tuple[list[str], set[str]]:
    """(an order that puts every artifact off the cycles after its inputs, the artifacts
    on cycles)."""
    order, unordered = topological_order(dependencies)
    if not unordered:
        return order, set()
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
        for reference in scope.artifacts[edge.target].references():
            if scope.producer(reference.name) == edge.source:
                scope.report("WCT011", reference.range, message)
    # Order again without the cycles, for the artifacts behind them.
    return topological_order(dependencies, skip=cyclic)[0], cyclic
