"""Waivern runbooks: models, analysis, planning (and, later, execution) of runbooks."""

from waivern_orchestration.models import (
    ArtifactDefinition,
    ChildRunbookConfig,
    ProcessConfig,
    ReuseConfig,
    Runbook,
    RunbookConfig,
    RunbookInput,
    RunbookOutput,
    SourceConfig,
)

__all__ = [
    "ArtifactDefinition",
    "ChildRunbookConfig",
    "ProcessConfig",
    "ReuseConfig",
    "Runbook",
    "RunbookConfig",
    "RunbookInput",
    "RunbookOutput",
    "SourceConfig",
]
