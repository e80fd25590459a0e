"""The artifacts of one runbook as a graph to navigate: what an artifact takes its input
from and what takes its output, each with the reference sites that say so.

Read from the analysis' dependency index (and its reverse), so asking about one
artifact of a runbook of thousands costs only its neighbours. A name made by a child's
`output_mapping` stands for the artifact that has the `child_runbook`; a child runbook's
declared input is a node of its own, with no inputs.
"""

from __future__ import annotations

from waivern_orchestration.analysis import Analysis
from waivern_orchestration.analysis.facts import Reference


def node_of(analysis: Analysis, name: str) -> str | None:
    """The node a name stands for: an artifact, the artifact behind an alias, or a
    declared runbook input; None for an unknown name."""
    if name in analysis.artifacts:
        return name
    alias = analysis.aliases.get(name)
    if alias is not None:
        return alias.artifact
    header = analysis.header
    if header is not None and name in header.inputs:
        return name
    return None


def _sites(analysis: Analysis, artifact: str) -> list[Reference]:
    info = analysis.artifacts.get(artifact)
    if info is None:
        return []
    sites = list(info.inputs)
    if info.child is not None:
        sites += [value for _key, value in info.child.input_mapping]
    return sites


def inputs_of(analysis: Analysis, artifact: str) -> dict[str, list[Reference]]:
    """The nodes the artifact takes input from, each with the sites that name it."""
    found: dict[str, list[Reference]] = {}
    for reference in _sites(analysis, artifact):
        node = node_of(analysis, reference.name)
        if node is not None:
            found.setdefault(node, []).append(reference)
    return found


def users_of(analysis: Analysis, node: str) -> dict[str, list[Reference]]:
    """The artifacts that take the node's output, each with the sites that name it."""
    if node in analysis.artifacts:
        candidates: tuple[str, ...] = analysis.dependents.get(node, ())
    else:  # a runbook input: not a producer in the dependency index
        candidates = tuple(
            dict.fromkeys(
                reference.artifact
                for reference in analysis.references
                if reference.name == node and reference.artifact is not None
            )
        )
    found: dict[str, list[Reference]] = {}
    for artifact in candidates:
        sites = [r for r in _sites(analysis, artifact) if node_of(analysis, r.name) == node]
        if sites:
            found[artifact] = sites
    return found
