"""Dependency cycles: every edge of every strongly connected component, each with a
shortest cycle through it.

Enumerating elementary cycles can explode on pathological graphs; this does one
breadth-first search per distinct edge target inside a component, under a work budget.
Edges past the budget are still reported, with the component's members instead of a path.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

# Successors visited by the searches in one cycle (strongly connected component): enough
# for a shortest cycle through each of the first hundred or so edges of a 2,000-artifact
# cycle (past that, diagnostics are counted, not listed).
WORK_BUDGET = 200_000


SHOWN = 12  # artifacts of a long cycle kept for its message (then "…" and the last one)


@dataclass(frozen=True, slots=True)
class CycleEdge:
    source: str  # the artifact that is an input ...
    target: str  # ... of this one
    # source → target → ... → source (long ones cut to SHOWN names and the closing one),
    # or None past the work budget
    cycle: tuple[str, ...] | None
    cycle_length: int  # artifacts on the cycle (0 when not known)
    component: tuple[str, ...]  # shared by every edge of the component


def find_cycle_edges(
    dependencies: Mapping[str, Sequence[str]], remaining: set[str] | None = None
) -> list[CycleEdge]:
    """``dependencies[a]`` lists the artifacts ``a`` takes as inputs (edges input → a);
    ``remaining`` is what `topological_order` could not order, when already known."""
    if remaining is None:
        remaining = topological_order(dependencies)[1]
    if not remaining:
        return []
    # input → the artifacts taking it, among the remaining ones (in name order: the same
    # paths whatever the order of the set)
    graph: dict[str, dict[str, None]] = {node: {} for node in sorted(remaining)}
    for node in graph:
        for dependency in dependencies.get(node, ()):
            if dependency in graph:
                graph[dependency][node] = None
    found: list[CycleEdge] = []
    for component in sorted((sorted(scc) for scc in _components(graph)), key=lambda c: c[0]):
        members = set(component)
        if len(members) == 1 and component[0] not in graph[component[0]]:
            continue
        shared = tuple(component)
        ring = _ring(graph, component, members)
        if ring is not None:
            found.extend(_ring_edges(ring, shared))
            continue
        budget = WORK_BUDGET  # per component: a huge cycle leaves small ones their paths
        paths: dict[str, dict[str, str | None]] = {}
        for source in component:
            for target in sorted(graph[source]):
                if target not in members:
                    continue
                cycle: tuple[str, ...] | None = None
                length = 0
                if target == source:
                    cycle, length = (source, source), 1
                elif budget > 0:
                    parents = paths.get(target)
                    if parents is None:
                        parents, work = _bfs(graph, target, members)
                        budget -= work
                        paths[target] = parents
                    path = [source, *_path(parents, target, source)]
                    length = len(path) - 1
                    cycle = tuple(path if len(path) <= SHOWN + 1 else [*path[:SHOWN], path[-1]])
                found.append(CycleEdge(source, target, cycle, length, shared))
    return found


def _ring(
    graph: Mapping[str, Mapping[str, None]], component: list[str], members: set[str]
) -> list[str] | None:
    """The component's artifacts in cycle order when it is one plain cycle (each member
    has exactly one successor in it), else None. A plain cycle's shortest cycle through
    any edge is the whole ring: no search needed, however long it is."""
    successor: dict[str, str] = {}
    for node in component:
        inside = [target for target in graph[node] if target in members]
        if len(inside) != 1:
            return None
        successor[node] = inside[0]
    if len(component) < 2:
        return None
    ring = [component[0]]
    while len(ring) < len(component):
        ring.append(successor[ring[-1]])
    return ring if successor[ring[-1]] == ring[0] else None


def _ring_edges(ring: list[str], shared: tuple[str, ...]) -> list[CycleEdge]:
    """Every edge of a plain cycle, in the order the search would give them (by source
    name), each with the ring read from its source (cut like any long cycle)."""
    length = len(ring)
    position = {node: index for index, node in enumerate(ring)}
    edges: list[CycleEdge] = []
    for source in shared:  # name order
        start = position[source]
        shown = min(length, SHOWN)
        path = [ring[(start + offset) % length] for offset in range(shown)]
        path.append(source)
        target = ring[(start + 1) % length]
        edges.append(CycleEdge(source, target, tuple(path), length, shared))
    return edges


def topological_order(
    dependencies: Mapping[str, Sequence[str]], skip: Collection[str] = ()
) -> tuple[list[str], set[str]]:
    """Kahn's algorithm: the artifacts in an order where inputs come first (ties in the
    order of ``dependencies``), and the ones it cannot order (on a cycle or behind one).
    ``skip`` (e.g. the artifacts on cycles) is left out, and so are edges from it."""
    excluded = set(skip)
    waiting = {node: 0 for node in dependencies if node not in excluded}
    return _ordered(dependencies, waiting, list(waiting))


def order_behind(
    dependencies: Mapping[str, Sequence[str]],
    order: list[str],
    unordered: set[str],
    cyclic: Collection[str],
) -> list[str]:
    """`topological_order(dependencies, skip=cyclic)` made from the first pass' result
    (``order``, ``unordered``): the artifacts behind the cycles put after it, ordered
    among themselves (edges from the ones on cycles left out). Only those are read again:
    a valid order, if not the same ties."""
    waiting = {node: 0 for node in dependencies if node in unordered and node not in cyclic}
    return [*order, *_ordered(dependencies, waiting, list(waiting))[0]]


def _ordered(
    dependencies: Mapping[str, Sequence[str]], waiting: dict[str, int], nodes: list[str]
) -> tuple[list[str], set[str]]:
    """Kahn's algorithm over ``nodes`` (``waiting``: each at 0), counting only the inputs
    among them."""
    dependents: dict[str, list[str]] = {}
    for node in nodes:
        inputs = dependencies[node]
        if len(inputs) > 1:
            inputs = list(dict.fromkeys(inputs))
        for dependency in inputs:
            if dependency in waiting:
                waiting[node] += 1
                if dependency in dependents:
                    dependents[dependency].append(node)
                else:
                    dependents[dependency] = [node]
    ready = deque(node for node, count in waiting.items() if count == 0)
    order: list[str] = []
    while ready:
        node = ready.popleft()
        del waiting[node]
        order.append(node)
        for dependent in dependents.get(node, ()):
            count = waiting[dependent] - 1
            waiting[dependent] = count
            if count == 0:
                ready.append(dependent)
    return order, set(waiting)


def _bfs(
    graph: Mapping[str, Mapping[str, None]], start: str, members: set[str]
) -> tuple[dict[str, str | None], int]:
    parents: dict[str, str | None] = {start: None}
    queue = deque([start])
    work = 0
    while queue:
        node = queue.popleft()
        for successor in graph[node]:
            work += 1
            if successor in members and successor not in parents:
                parents[successor] = node
                queue.append(successor)
    return parents, work


def _components(graph: Mapping[str, Mapping[str, None]]) -> list[list[str]]:
    """The strongly connected components (Tarjan's algorithm, without recursion: a
    10,000-artifact chain must not reach Python's recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(graph[root]))]
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(graph[successor])))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def _path(parents: dict[str, str | None], start: str, end: str) -> list[str]:
    path = [end]
    node: str | None = parents[end]
    while node is not None:
        path.append(node)
        node = parents[node]
    path.reverse()
    assert path[0] == start
    return path
