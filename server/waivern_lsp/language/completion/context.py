"""What completion reads besides the cursor: the runbook's analysis and lines, the
installed components, the environment, and what the run store holds (read by the server
beforehand, off the request's thread, only when the cursor is in a `reuse`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from waivern_orchestration.analysis import Analysis
from waivern_orchestration.components import ComponentRegistry
from waivern_orchestration.store.run_store import ArtifactRecord, RunRecord


@dataclass(frozen=True)
class StoredRuns:
    runs: Sequence[RunRecord] = ()  # newest first
    artifacts: Sequence[ArtifactRecord] = ()  # of the run `reuse.from_run` names
    readable: bool = True  # False: no store, or it could not be read in time


@dataclass(frozen=True)
class CompletionContext:
    analysis: Analysis
    lines: Sequence[str]
    registry: ComponentRegistry
    env: Mapping[str, str]
    store: StoredRuns = field(default_factory=StoredRuns)

    @property
    def runbook(self) -> Path:
        return self.analysis.path
