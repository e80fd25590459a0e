"""Waivern runbooks: models, analysis, planning (and, later, execution) of runbooks."""

from waivern_orchestration.analysis import Analysis, analyse
from waivern_orchestration.diagnostics import Diagnostic, Severity
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
from waivern_orchestration.planner import ExecutionPlan, Planner, PlanningError

__all__ = [
    "Analysis",
    "ArtifactDefinition",
    "ChildRunbookConfig",
    "Diagnostic",
    "ExecutionPlan",
    "Planner",
    "PlanningError",
    "ProcessConfig",
    "ReuseConfig",
    "Runbook",
    "RunbookConfig",
    "RunbookInput",
    "RunbookOutput",
    "Severity",
    "SourceConfig",
    "analyse",
]
