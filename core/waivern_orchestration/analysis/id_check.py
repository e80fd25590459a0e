"""Artifact ids across the runbook: an empty `artifacts` (WCT002), an id given twice or
also declared as a runbook input (WCT003)."""

from __future__ import annotations

from collections.abc import Sequence

from waivern_orchestration.analysis.facts import ArtifactInfo, HeaderInfo
from waivern_orchestration.diagnostics import RelatedInformation, Reporter


def index_artifacts(
    header: HeaderInfo, infos: Sequence[ArtifactInfo], report: Reporter
) -> dict[str, ArtifactInfo]:
    """The artifacts by id (the first of each id)."""
    artifacts: dict[str, ArtifactInfo] = {}
    key = header.artifacts_key
    if not infos and key is not None and header.artifacts_is_mapping:
        report("WCT002", key, "`artifacts` is empty: declare at least one artifact")
    for info in infos:
        first = artifacts.get(info.id)
        if first is None:
            artifacts[info.id] = info
            continue
        report(
            "WCT003",
            info.key_range,
            f"duplicate artifact id `{info.id}`: YAML would silently keep only the last "
            "one; rename one of them",
            (RelatedInformation(report.file, first.key_range, "first definition"),),
        )
    for name, declared in header.inputs.items():
        if name in artifacts:
            report(
                "WCT003",
                artifacts[name].key_range,
                f"artifact id `{name}` is also a declared runbook input: rename one",
                (RelatedInformation(report.file, declared.name.range, "declared input"),),
            )
    return artifacts
