"""`find_cycle_edges`: every edge of every dependency cycle, each with a shortest cycle
through it, in bounded time on any graph.

``dependencies[a]`` lists the inputs of artifact ``a``: an edge runs from each input to
``a``, and a cycle reads `input → artifact → ... → input`.
"""

from __future__ import annotations

import random
import subprocess
import sys
from itertools import pairwise

import pytest

from waivern_orchestration.analysis import analyse, cycles
from waivern_orchestration.analysis.cycles import SHOWN, CycleEdge, find_cycle_edges


def edges(dependencies: dict[str, list[str]]) -> dict[tuple[str, str], tuple[str, ...] | None]:
    return {(edge.source, edge.target): edge.cycle for edge in find_cycle_edges(dependencies)}


def is_cycle_through(
    cycle: tuple[str, ...], source: str, target: str, graph: set[tuple[str, str]]
) -> bool:
    return (
        cycle[0] == source == cycle[-1]
        and cycle[1] == target
        and all(step in graph for step in pairwise(cycle))
    )


def test_a_graph_without_cycles_has_no_cycle_edges() -> None:
    assert find_cycle_edges({"files": [], "db": [], "findings": ["files", "db"]}) == []


def test_a_two_artifact_cycle_is_reported_on_both_edges() -> None:
    found = find_cycle_edges({"a": ["b"], "b": ["a"]})

    assert found == [
        CycleEdge("a", "b", ("a", "b", "a"), 2, ("a", "b")),
        CycleEdge("b", "a", ("b", "a", "b"), 2, ("a", "b")),
    ]


def test_an_artifact_that_is_its_own_input_is_a_cycle() -> None:
    assert find_cycle_edges({"a": ["a"], "b": ["a"]}) == [
        CycleEdge("a", "a", ("a", "a"), 1, ("a",))
    ]


def test_artifacts_behind_a_cycle_are_not_part_of_it() -> None:
    """`report` depends on the cycle (and cannot be ordered) but closes no cycle itself."""
    dependencies = {"a": ["c"], "b": ["a"], "c": ["b"], "report": ["a", "c"], "files": []}

    assert edges(dependencies) == {
        ("c", "a"): ("c", "a", "b", "c"),
        ("a", "b"): ("a", "b", "c", "a"),
        ("b", "c"): ("b", "c", "a", "b"),
    }


def test_each_edge_gets_a_shortest_cycle_through_it() -> None:
    #  a ⇄ b, and a longer loop b → c → d → a
    dependencies = {"a": ["b", "d"], "b": ["a"], "c": ["b"], "d": ["c"]}

    assert edges(dependencies) == {
        ("a", "b"): ("a", "b", "a"),
        ("b", "a"): ("b", "a", "b"),
        ("b", "c"): ("b", "c", "d", "a", "b"),
        ("c", "d"): ("c", "d", "a", "b", "c"),
        ("d", "a"): ("d", "a", "b", "c", "d"),
    }


def test_separate_cycles_are_reported_with_their_own_components() -> None:
    found = find_cycle_edges({"a": ["b"], "b": ["a"], "x": ["y"], "y": ["x"], "z": []})

    assert {(edge.source, edge.component) for edge in found} == {
        ("a", ("a", "b")),
        ("b", ("a", "b")),
        ("x", ("x", "y")),
        ("y", ("x", "y")),
    }


def test_unknown_inputs_are_ignored() -> None:
    """A reference to an artifact that does not exist is WCT010's business, not a cycle."""
    assert edges({"a": ["nowhere", "b"], "b": ["a"]}) == {
        ("a", "b"): ("a", "b", "a"),
        ("b", "a"): ("b", "a", "b"),
    }


def test_a_complete_graph_of_300_artifacts_reports_every_edge() -> None:
    """89,700 edges, and more elementary cycles than atoms in the universe: the work is
    bounded, every edge is still reported, and every path given is a shortest one."""
    names = [f"artifact_{index}" for index in range(300)]
    dependencies = {name: [other for other in names if other != name] for name in names}
    graph = {(source, target) for target, inputs in dependencies.items() for source in inputs}
    found = find_cycle_edges(dependencies)

    assert len(found) == len(graph) == 300 * 299
    assert {(edge.source, edge.target) for edge in found} == graph
    assert all(len(edge.component) == 300 for edge in found)
    with_paths = [edge for edge in found if edge.cycle is not None]
    assert with_paths  # the budget gives paths before it runs out
    for edge in with_paths:
        assert edge.cycle is not None
        assert len(edge.cycle) == 3
        assert is_cycle_through(edge.cycle, edge.source, edge.target, graph)


def test_a_long_cycle_is_reported_with_its_length_and_a_shortened_path() -> None:
    names = [f"step_{index}" for index in range(5_000)]
    dependencies = {name: [names[index - 1]] for index, name in enumerate(names)}

    found = find_cycle_edges(dependencies)

    assert len(found) == 5_000
    first = next(edge for edge in found if edge.cycle is not None)
    assert first.cycle_length == 5_000
    assert first.cycle is not None
    # the first SHOWN artifacts of the walk around the cycle, then the one it closes on
    assert first.cycle[:SHOWN] == tuple(
        names[(names.index(first.source) + offset) % 5_000] for offset in range(SHOWN)
    )
    assert first.cycle[-1] == first.source


def test_past_the_work_budget_edges_are_reported_without_a_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cycles, "WORK_BUDGET", 10)
    names = [f"step_{index}" for index in range(100)]
    dependencies = {name: [names[index - 1]] for index, name in enumerate(names)}
    dependencies["step_0"].append("step_50")  # a chord: not a plain ring, so searched

    found = find_cycle_edges(dependencies)

    assert len(found) == 101
    assert any(edge.cycle is None and edge.cycle_length == 0 for edge in found)
    assert all(len(edge.component) == 100 for edge in found)


# Run apart, with its address space capped at 1 GiB: a report that grows with edges times
# component size would take gigabytes here (and could take a CI machine down with it).
LONG_CYCLE_PROGRAM = """
import resource
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from waivern_orchestration.analysis.cycles import find_cycle_edges
names = [f"step_{index}" for index in range(20_000)]
found = find_cycle_edges({name: [names[index - 1]] for index, name in enumerate(names)})
print(len(found))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="caps memory with RLIMIT_AS")
def test_a_cycle_of_20000_artifacts_is_reported_in_bounded_memory() -> None:
    finished = subprocess.run(
        [sys.executable, "-c", LONG_CYCLE_PROGRAM], capture_output=True, text=True, timeout=120
    )

    assert finished.returncode == 0, finished.stderr[-1000:]
    assert finished.stdout.split() == ["20000"]


def _ring(size: int, chord: bool = False) -> str:
    """Every artifact feeds the next; with ``chord``, `step_0` also takes the middle one
    (no longer a plain ring: the cycles through its edges are searched for)."""
    lines = ["name: Ring", "description: every artifact feeds the next", "artifacts:"]
    for index in range(size):
        inputs = f"step_{(index - 1) % size}"
        if chord and index == 0:
            inputs = f"[{inputs}, step_{size // 2}]"
        lines += [f"  step_{index}:", f"    inputs: {inputs}"]
    return "\n".join(lines) + "\n"


def test_a_long_cycle_is_named_by_its_length_and_a_shortened_path_on_every_edge() -> None:
    diagnostics = analyse(_ring(40), "ring.yaml", env={}).diagnostics
    cycles_found = [d for d in diagnostics if d.code == "WCT011"]

    assert len(cycles_found) == 40
    first = cycles_found[0].message
    assert first == (
        "dependency cycle of 40 artifacts: "
        + " → ".join(f"step_{(39 + n) % 40}" for n in range(SHOWN))
        + " → … → step_39"
    )


def test_past_the_work_budget_a_cycle_names_its_artifacts_and_the_edge(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cycles, "WORK_BUDGET", 10)
    diagnostics = analyse(_ring(30, chord=True), "ring.yaml", env={}).diagnostics
    without_path = [d for d in diagnostics if "dependency cycle among 30 artifacts" in d.message]

    assert without_path
    assert "…): `step_" in without_path[0].message
    assert without_path[0].message.endswith("as input")


def test_a_huge_cycle_leaves_a_small_one_its_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cycles, "WORK_BUDGET", 50)
    big = [f"a{index:03}" for index in range(100)]  # sorts first: searched first
    dependencies = {name: [big[index - 1]] for index, name in enumerate(big)}
    dependencies["a000"].append("a050")  # a chord: searched, not read as a plain ring
    dependencies |= {"z1": ["z2"], "z2": ["z1"]}

    found = find_cycle_edges(dependencies)

    assert any(edge.cycle is None for edge in found if edge.source in big)
    small = [edge for edge in found if edge.source.startswith("z")]
    assert [edge.cycle for edge in small] == [("z1", "z2", "z1"), ("z2", "z1", "z2")]


def test_the_components_are_networkx_s_on_random_graphs() -> None:
    import random

    import networkx as nx

    rng = random.Random(16)
    for _ in range(300):
        size = rng.randint(1, 30)
        names = [f"n{index}" for index in range(size)]
        graph: dict[str, dict[str, None]] = {name: {} for name in names}
        for _edge in range(rng.randint(0, size * 3)):
            graph[rng.choice(names)][rng.choice(names)] = None
        reference: nx.DiGraph[str] = nx.DiGraph()
        reference.add_nodes_from(names)
        reference.add_edges_from((a, b) for a, targets in graph.items() for b in targets)

        ours = sorted(sorted(component) for component in cycles._components(graph))
        theirs = sorted(sorted(c) for c in nx.strongly_connected_components(reference))
        assert ours == theirs


def test_a_chain_of_ten_thousand_has_no_recursion_limit() -> None:
    names = [f"n{index}" for index in range(10_000)]
    graph = {
        name: {names[index + 1]: None} if index + 1 < len(names) else {names[0]: None}
        for index, name in enumerate(names)
    }

    assert [len(component) for component in cycles._components(graph)] == [10_000]


@pytest.mark.parametrize("size", [2, 3, 12, 13, 40])
def test_a_plain_ring_gives_every_edge_the_path_a_search_gives(size: int) -> None:
    names = [f"step_{index:02}" for index in range(size)]
    ring = {name: [names[index - 1]] for index, name in enumerate(names)}
    # The same ring plus an isolated self-loop elsewhere: the shortcut must agree with
    # the breadth-first search, which the chorded graph below still goes through.
    found = find_cycle_edges(ring)
    searched = {
        edge.source: edge
        for edge in find_cycle_edges({**ring, "zz": ["zz", names[0]], names[0]: [names[-1], "zz"]})
        if edge.source in names and edge.target in names
    }

    assert [edge.source for edge in found] == sorted(names)
    for edge in found:
        assert edge.cycle_length == size
        assert edge.cycle is not None and edge.cycle[0] == edge.source == edge.cycle[-1]
        assert edge.cycle[1] == edge.target
        assert len(edge.cycle) == min(size, cycles.SHOWN) + 1
        if edge.source != names[-1]:  # the edge into the chorded artifact has a new path
            assert searched[edge.source].cycle == edge.cycle


@pytest.mark.parametrize("seed", range(30))
def test_the_order_behind_the_cycles_is_a_topological_order_of_all_off_them(seed: int) -> None:
    """`order_behind` continues the first pass instead of ordering everything again: the
    same artifacts as `topological_order(..., skip=cycles)`, each after its inputs."""
    rng = random.Random(seed)
    names = [f"a{n}" for n in range(rng.randrange(1, 60))]
    dependencies = {
        name: tuple(rng.choice(names) for _ in range(rng.randrange(0, 4))) for name in names
    }
    order, unordered = cycles.topological_order(dependencies)
    cyclic = {node for edge in find_cycle_edges(dependencies, unordered) for node in edge.component}

    made = cycles.order_behind(dependencies, order, unordered, cyclic)

    assert sorted(made) == sorted(cycles.topological_order(dependencies, skip=cyclic)[0])
    position = {name: index for index, name in enumerate(made)}
    for name in made:
        assert all(position[d] < position[name] for d in dependencies[name] if d not in cyclic)
