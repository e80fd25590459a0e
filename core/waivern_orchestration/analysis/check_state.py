"""What the runbook-wide checks of one analysis leave for re-checking the next one
(`recheck`): the sets and counts they built over the whole runbook, kept so that an edit
to a few artifacts re-checks those few, not the thousands around them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from waivern_orchestration.analysis.suggestions import ArtifactNames

# target → (source, message) of each edge of a dependency cycle into it (WCT011)
EdgesInto = dict[str, list[tuple[str, str]]]


@dataclass(eq=False)
class CheckState:
    known: frozenset[str]  # every name an input may take (`RunbookScope.known_names`)
    names: ArtifactNames  # the same, answering "did you mean"
    grouped: frozenset[str]  # artifacts that offer their child's outputs under new names
    duplicated: frozenset[str]  # ids declared more than once
    any_reuse: bool  # an artifact has `reuse` (WCT060 reads the run store)
    order: list[str]  # the artifacts off the cycles, each after its inputs
    # The first this many of `order` take nothing from a cycle, even indirectly (edges
    # removed since leave that true; edges added that keep `order` too).
    ahead: int
    cyclic: frozenset[str]
    edges_into: EdgesInto  # the cycles' edges, by the artifact they enter
    uses: Counter[str] | None  # references to each artifact; None: WCT090 is not checked
    _positions: dict[str, int] | None = field(default=None, repr=False)
    _dependents: dict[str, list[str]] | None = field(default=None, repr=False)

    def position(self, artifact: str) -> int:
        """Where ``artifact`` stands in `order` (made when first asked: most edits never
        change a schema)."""
        if self._positions is None:
            self._positions = {name: index for index, name in enumerate(self.order)}
        return self._positions[artifact]

    def dependents(self, dependencies: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
        """The artifacts taking each one as input (``dependencies`` must be the ones this
        state was made with)."""
        if self._dependents is None:
            dependents: dict[str, list[str]] = {}
            for artifact, inputs in dependencies.items():
                for producer in inputs:
                    dependents.setdefault(producer, []).append(artifact)
            self._dependents = dependents
        return self._dependents

    def with_other_inputs(self, inputs: dict[str, tuple[str, ...]]) -> CheckState:
        """This state for a DAG with the same order and cycles, some artifacts taking
        other ``inputs``: those that now take one on a cycle are behind it."""
        ahead = min(
            (
                self.position(name)
                for name, found in inputs.items()
                if name not in self.cyclic and not self.cyclic.isdisjoint(found)
            ),
            default=self.ahead,
        )
        return replace(self, ahead=min(ahead, self.ahead), _dependents=None)

    def with_uses(self, uses: Counter[str]) -> CheckState:
        return replace(self, uses=uses)

    def renamed(self, old: str, new: str) -> CheckState:
        """This state after artifact ``old``, off the cycles, took the unused name ``new``
        (in its place in the order; the edges of the DAG are the caller's to change)."""
        self.position(old)  # (the positions made)
        assert self._positions is not None
        positions = self._positions.copy()
        at = positions.pop(old)
        positions[new] = at
        order = self.order.copy()
        order[at] = new
        known = self.known.difference((old,)).union((new,))
        return replace(
            self,
            known=known,
            names=ArtifactNames(known),
            order=order,
            _positions=positions,
            _dependents=None,
        )
