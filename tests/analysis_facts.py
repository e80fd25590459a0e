"""What an analysis made in steps (incrementally, or re-checked in place) must get exactly
as a fresh analysis of the same text does: the tests compare these."""

from __future__ import annotations

from typing import Any

from waivern_orchestration.analysis import Analysis


def public_facts(analysis: Analysis) -> tuple[Any, ...]:
    """Everything the analysis tells its users (the CLI, the language server)."""
    return (
        analysis.diagnostics,
        analysis.artifact_list,
        analysis.references,
        analysis.dependencies,
        analysis.schemas,
        analysis.aliases,
        analysis.env_sites,
    )
