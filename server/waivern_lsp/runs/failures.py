"""What failed in the latest runs started from the editor, shown as diagnostics (WCT070,
a warning: the text is fine and the runbook can still run) on the failing artifact.

Fed by the runs' `artifact_finished` events: a failure is kept per runbook and plan
artifact id until that artifact completes in a later run, or a run of the runbook
completes. An artifact of a child runbook shows on the parent's `child_runbook`
artifact. Ranges come from the document's current analysis when diagnostics are made, so
a failure follows its artifact through edits and disappears with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from waivern_lsp.workspace import RunbookDocument
from waivern_orchestration.analysis import Analysis
from waivern_orchestration.analysis.child_paths import real_path
from waivern_orchestration.diagnostics import Diagnostic

CODE = "WCT070"


@dataclass(frozen=True, slots=True)
class Failure:
    artifact: str  # the plan id (a child runbook's artifacts carry their namespace)
    run_id: str
    error: str | None


class RunFailures:
    """Failures by runbook (real path), then by plan artifact id: the server's one set
    (`WaivernServer.failures`)."""

    def __init__(self) -> None:
        self._by_runbook: dict[Path, dict[str, Failure]] = {}
        self._listeners: list[Callable[[Path], None]] = []
        self.revision = 0  # bumped by every change (part of pull diagnostics' result ids)

    def on_changed(self, listener: Callable[[Path], None]) -> None:
        """Called with the runbook's real path when its failures changed."""
        self._listeners.append(listener)

    def failed(self, runbook: Path, failure: Failure) -> None:
        key = real_path(runbook)
        self._by_runbook.setdefault(key, {})[failure.artifact] = failure
        self._changed(key)

    def completed(self, runbook: Path, artifact: str) -> None:
        key = real_path(runbook)
        if self._by_runbook.get(key, {}).pop(artifact, None) is not None:
            self._changed(key)

    def cleared(self, runbook: Path) -> None:
        key = real_path(runbook)
        if self._by_runbook.pop(key, None):
            self._changed(key)

    def of(self, runbook: Path) -> list[Failure]:
        return list(self._by_runbook.get(real_path(runbook), {}).values())

    def diagnostics(self, document: RunbookDocument) -> list[Diagnostic]:
        """The failures on the artifacts of the document's analysis (converted to the
        LSP form with the analysis' own diagnostics)."""
        analysis = document.analysis
        failures = self._by_runbook.get(real_path(document.path)) if analysis else None
        if not failures or analysis is None:
            return []
        found = []
        for failure in failures.values():
            artifact = artifact_in_runbook(analysis, failure.artifact)
            if artifact is None:
                continue
            which = "" if artifact == failure.artifact else f" ({failure.artifact})"
            message = f"failed in run {failure.run_id}{which}: {failure.error or 'no error given'}"
            diagnostic = Diagnostic.of(
                CODE, analysis.path, analysis.artifacts[artifact].key_range, message
            )
            found.append(diagnostic)
        return found

    def _changed(self, runbook: Path) -> None:
        self.revision += 1
        for listener in self._listeners:
            listener(runbook)


def artifact_in_runbook(analysis: Analysis, planned: str) -> str | None:
    """The artifact of the runbook that a plan id stands for: itself, or the
    `child_runbook` artifact whose child it comes from (its id is the namespace's head)."""
    if planned in analysis.artifacts:
        return planned
    heads = [
        artifact
        for artifact in analysis.artifacts
        if planned.startswith(f"{artifact}.") and analysis.artifacts[artifact].child is not None
    ]
    return max(heads, key=len, default=None)
