"""The analysis: a runbook's text → every problem as a positioned diagnostic, plus what
was learned (`facts`). One analysis serves the CLI, the planner and the language server.

- `analyser`: `analyse()`, fresh or incremental (never raises);
- `facts`: every result type (`Analysis`, `ArtifactInfo`, references, sites, child links,
  header facts);
- the checks, by what they check: `artifact_check` (one artifact on its own),
  `header_check` (everything but the artifacts), then the runbook-wide ones that
  `runbook_check` runs in order: `id_check`, `child_check`, `reference_check`,
  `cycle_check`, `schema_check`, `environment_check`, `reuse_check`, `unused_check`;
- what the checks use: `scope` (what they share), `child_paths`, `env_vars`, `cycles`
  (graph algorithms), `model_errors`, `tree_checks`, `suggestions`;
- `collector`: the garbage-collector pause that programs may wrap analyses in.
"""

from waivern_orchestration.analysis.analyser import (
    ReadText,
    analyse,
    failed_analysis,
    read_from_disk,
)
from waivern_orchestration.analysis.collector import paused_collector
from waivern_orchestration.analysis.facts import Analysis

__all__ = [
    "Analysis",
    "ReadText",
    "analyse",
    "failed_analysis",
    "paused_collector",
    "read_from_disk",
]
