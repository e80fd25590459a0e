"""How an artifact is shown in outlines, symbol searches and call hierarchies: a symbol
kind and a one-line detail, both by how the artifact is produced.

The kinds are named after the symbol kinds editors draw them with (`features` maps them
to LSP's): extracted by a connector, an event (data comes in); derived by a processor, a
function; produced by a child runbook, a module; copied from an earlier run, a constant;
an artifact whose text does not parse yet, an object. A child runbook's declared inputs
are variables, its declared outputs properties, and the names an `output_mapping` makes
are fields.
"""

from __future__ import annotations

from enum import StrEnum

from waivern_orchestration.analysis.facts import ArtifactInfo, Production


class SymbolKind(StrEnum):
    EVENT = "event"
    FUNCTION = "function"
    MODULE = "module"
    CONSTANT = "constant"
    OBJECT = "object"
    VARIABLE = "variable"
    PROPERTY = "property"
    FIELD = "field"


KIND = {
    Production.SOURCE: SymbolKind.EVENT,
    Production.DERIVED: SymbolKind.FUNCTION,
    Production.CHILD: SymbolKind.MODULE,
    Production.REUSE: SymbolKind.CONSTANT,
}
UNKNOWN_KIND = SymbolKind.OBJECT
INPUT_KIND = SymbolKind.VARIABLE
OUTPUT_KIND = SymbolKind.PROPERTY
ALIAS_KIND = SymbolKind.FIELD


def artifact_kind(info: ArtifactInfo) -> SymbolKind:
    if info.broken or info.production is None:
        return UNKNOWN_KIND
    return KIND[info.production]


def artifact_detail(info: ArtifactInfo) -> str:
    """`source: filesystem`, `personal_data ← files, db`, `child runbook: x.yaml`,
    `reuse: findings of run 3f2a`; ` · output` for a result of the runbook."""
    if info.broken:
        detail = "does not parse"
    elif info.production is Production.SOURCE and info.source_type is not None:
        detail = f"source: {info.source_type.name}"
    elif info.production is Production.DERIVED:
        inputs = ", ".join(reference.name for reference in info.inputs)
        process = f"{info.process_type.name} " if info.process_type is not None else ""
        detail = f"{process}← {inputs}"
    elif info.production is Production.CHILD and info.child is not None:
        detail = f"child runbook: {info.child.path}"
    elif info.production is Production.REUSE and info.reuse is not None:
        run, artifact = info.reuse
        detail = f"reuse: {artifact.name} of run {run.name}"
    else:
        detail = info.production.value if info.production is not None else ""
    return f"{detail} · output" if info.output else detail
