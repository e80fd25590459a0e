"""The flattened plan of a runbook as a graph for graph views (`waivern.graph`): one node
per planned artifact (a child runbook's artifacts included) with the latest run's status
for it, and an edge from each input to the artifact that takes it.

A node's range is its artifact's key in the runbook; a child runbook's artifact points at
the parent's `child_runbook` artifact it comes from.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types as lsp

from waivern_lsp.conversions import LineCodec
from waivern_lsp.runs.failures import artifact_in_runbook
from waivern_orchestration.analysis import Analysis
from waivern_orchestration.planner import ExecutionPlan, PlannedArtifact
from waivern_orchestration.store.run_states import RunState


def graph_of(
    analysis: Analysis, plan: ExecutionPlan, run: RunState | None, codec: LineCodec
) -> dict[str, Any]:
    nodes = []
    for planned in plan.artifacts:
        status = run.artifacts.get(planned.id) if run is not None else None
        here = artifact_in_runbook(analysis, planned.id)
        info = analysis.artifacts.get(here) if here is not None else None
        range_ = codec.range(info.key_range) if info is not None else None
        nodes.append(
            {
                "id": planned.id,
                "label": plan.alias_of(planned.id) or planned.local_id,
                "kind": _kind(planned),
                "status": status.status if status is not None else None,
                "origin": planned.origin,
                "range": _json_range(range_),
                "error": status.error if status is not None else None,
            }
        )
    edges = [[source, planned.id] for planned in plan.artifacts for source in planned.inputs]
    return {
        "nodes": nodes,
        "edges": edges,
        "run_id": run.run_id if run is not None else None,
        "run_status": run.status if run is not None else None,
    }


def _kind(planned: PlannedArtifact) -> str:
    definition = planned.definition
    if definition.source is not None:
        return "source"
    if definition.reuse is not None:
        return "reuse"
    return "derived"


def _json_range(range_: lsp.Range | None) -> dict[str, Any] | None:
    if range_ is None:
        return None
    return {
        "start": {"line": range_.start.line, "character": range_.start.character},
        "end": {"line": range_.end.line, "character": range_.end.character},
    }
