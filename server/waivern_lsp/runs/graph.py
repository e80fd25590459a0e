"""The flattened plan of a runbook as a graph for graph views (`waivern.graph`): one node
per planned artifact (a child runbook's artifacts included) with the latest run's status
for it, and an edge from each input to the artifact that takes it.

A node's range is its artifact's key in the runbook; a child runbook's artifact points at
the parent's `child_runbook` artifact it comes from. A node also names its component (the
connector or processor type) and the child runbook use it belongs to (`group`: the plan-id
namespace of that use, one per `child_runbook` artifact, so two uses of one child runbook
are two groups), for views that search by component and draw each use as its own box.

`Graph` is the answer's shape, and its JSON Schema (`waivern_lsp.api_schema`).
"""

from __future__ import annotations

from typing import Literal

from lsprotocol import types as lsp
from typing_extensions import TypedDict  # for pydantic (the JSON Schema) before 3.12

from waivern_lsp.conversions import LineCodec
from waivern_lsp.runs.failures import artifact_in_runbook
from waivern_orchestration.analysis import Analysis
from waivern_orchestration.planner import ExecutionPlan, PlannedArtifact
from waivern_orchestration.store.run_states import RunState
from waivern_orchestration.store.statuses import ArtifactStatus, RunStatus

ArtifactKind = Literal["source", "derived", "reuse"]


class Position(TypedDict):
    """As in LSP: 0-based line and character, in the position encoding chosen with the
    client (UTF-16 code units unless it chose UTF-8 or UTF-32)."""

    line: int
    character: int


class Range(TypedDict):
    """As in LSP: `end` is exclusive."""

    start: Position
    end: Position


class GraphNode(TypedDict):
    """A planned artifact."""

    id: str
    """The planned id (a child runbook's artifacts carry their namespace)."""
    label: str
    """The name to show: the parent-side alias, else the id in its own runbook."""
    kind: ArtifactKind
    status: ArtifactStatus | None
    """In the latest run; null when the runbook has not run, or the artifact is new."""
    origin: str
    """`parent`, or `child:<child runbook name>` for a child runbook's artifacts."""
    range: Range | None
    """The artifact's key in the runbook (a child's artifacts: the parent's
    `child_runbook` artifact)."""
    error: str | None
    """Why it failed in the latest run."""
    component: str | None
    """The connector (`source.type`) or processor (`process.type`) type; null for `reuse`."""
    group: str | None
    """The child runbook use the artifact comes from: the namespace its plan id starts with
    (`scan.analysis` for `scan.analysis.count`), one per `child_runbook` artifact (nested
    uses: the innermost); null for the runbook's own artifacts."""


class Graph(TypedDict):
    """The flattened plan with the latest run's statuses (`waivern.graph`)."""

    nodes: list[GraphNode]
    edges: list[tuple[str, str]]
    """From an input to the artifact that takes it."""
    run_id: str | None
    """The latest run of the runbook, if any."""
    run_status: RunStatus | None


def graph_of(
    analysis: Analysis, plan: ExecutionPlan, run: RunState | None, codec: LineCodec
) -> Graph:
    nodes = []
    for planned in plan.artifacts:
        status = run.artifacts.get(planned.id) if run is not None else None
        here = artifact_in_runbook(analysis, planned.id)
        info = analysis.artifacts.get(here) if here is not None else None
        range_ = codec.range(info.key_range) if info is not None else None
        nodes.append(
            GraphNode(
                id=planned.id,
                label=plan.alias_of(planned.id) or planned.local_id,
                kind=_kind(planned),
                status=status.status if status is not None else None,
                origin=planned.origin,
                range=_json_range(range_),
                error=status.error if status is not None else None,
                component=_component(planned),
                group=_group(planned),
            )
        )
    edges = [(source, planned.id) for planned in plan.artifacts for source in planned.inputs]
    return Graph(
        nodes=nodes,
        edges=edges,
        run_id=run.run_id if run is not None else None,
        run_status=run.status if run is not None else None,
    )


def _kind(planned: PlannedArtifact) -> ArtifactKind:
    definition = planned.definition
    if definition.source is not None:
        return "source"
    if definition.reuse is not None:
        return "reuse"
    return "derived"


def _component(planned: PlannedArtifact) -> str | None:
    definition = planned.definition
    if definition.source is not None:
        return definition.source.type
    if definition.process is not None:
        return definition.process.type
    return None


def _group(planned: PlannedArtifact) -> str | None:
    """The namespace of the child runbook use: the plan id without the local id."""
    if planned.origin == "parent" or not planned.id.endswith(f".{planned.local_id}"):
        return None
    return planned.id[: -len(planned.local_id) - 1]


def _json_range(range_: lsp.Range | None) -> Range | None:
    if range_ is None:
        return None
    return Range(
        start=Position(line=range_.start.line, character=range_.start.character),
        end=Position(line=range_.end.line, character=range_.end.character),
    )
