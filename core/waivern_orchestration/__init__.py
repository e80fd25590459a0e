"""Waivern runbooks: models, analysis, planning and execution of runbooks.

The names below are imported on first use, not with the package: `wct` starts by
importing only what its command needs (and Ctrl-C while it starts is one line)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The release's one version number: the wheel's (pyproject.toml reads it from here),
# `wct --version`, the language server's serverInfo; the VS Code extension's package.json
# and CHANGELOG.md are checked against it (tests/release/test_release_files.py).
__version__ = "0.1.0"

if TYPE_CHECKING:
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
    from waivern_orchestration.python_api import (
        analyse_runbook,
        artifact_output,
        plan_runbook,
        run_runbook,
        runbook_yaml,
    )

_HOMES = {
    "Analysis": "analysis",
    "analyse": "analysis",
    "Diagnostic": "diagnostics",
    "Severity": "diagnostics",
    "ArtifactDefinition": "models",
    "ChildRunbookConfig": "models",
    "ProcessConfig": "models",
    "ReuseConfig": "models",
    "Runbook": "models",
    "RunbookConfig": "models",
    "RunbookInput": "models",
    "RunbookOutput": "models",
    "SourceConfig": "models",
    "ExecutionPlan": "planner",
    "Planner": "planner",
    "PlanningError": "planner",
    "analyse_runbook": "python_api",
    "artifact_output": "python_api",
    "plan_runbook": "python_api",
    "run_runbook": "python_api",
    "runbook_yaml": "python_api",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is not None:
        value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    else:
        # `waivern_orchestration.models` and the like, as when the package imported them
        try:
            value = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value
    return value


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
    "__version__",
    "analyse",
    "analyse_runbook",
    "artifact_output",
    "plan_runbook",
    "run_runbook",
    "runbook_yaml",
]
