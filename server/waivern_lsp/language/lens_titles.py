"""The one-line texts code lenses show: how an artifact went in the latest run of its
runbook ("✓ completed 1.2 s · run …", "✗ failed: <error>", "not run yet"), and the
runbook's Run / Resume actions. Editor-agnostic: statuses in, text out."""

from __future__ import annotations

from waivern_lsp.language.run_words import duration, status_words
from waivern_orchestration.analysis import Analysis
from waivern_orchestration.analysis.facts import ArtifactInfo
from waivern_orchestration.parse.positions import Range
from waivern_orchestration.store.run_states import ArtifactState, RunState
from waivern_orchestration.store.statuses import ArtifactStatus, RunStatus

ERROR_CHARS = 60  # a lens is one line: longer errors are cut (hover shows them whole)

_MARKS = {
    ArtifactStatus.COMPLETED: "✓",
    ArtifactStatus.FAILED: "✗",
    ArtifactStatus.SKIPPED: "⊘",
    ArtifactStatus.RUNNING: "…",
}


def artifact_title(status: ArtifactState | None, run: RunState | None) -> str:
    """How the artifact went in the latest run (None: not in it, or no run at all)."""
    if run is None or status is None:
        return "not run yet"
    if status.status is ArtifactStatus.COMPLETED:
        limited = " · ⚠ limit reached" if status.limits else ""
        return f"✓ completed {duration(status.duration_seconds)}{limited} · run {run.run_id}"
    if status.status is ArtifactStatus.FAILED:
        return f"✗ failed: {short_error(status.error)} · run {run.run_id}"
    if status.status is ArtifactStatus.RUNNING and run.status is RunStatus.INTERRUPTED:
        return f"✗ interrupted · run {run.run_id}"
    if status.status in (ArtifactStatus.NOT_STARTED, ArtifactStatus.PENDING):
        return f"not run in run {run.run_id} ({run.status})"
    mark = _MARKS.get(status.status, "·")
    return f"{mark} {status_words(status.status)} · run {run.run_id}"


def artifact_titles(analysis: Analysis, run: RunState | None) -> list[tuple[Range, str]]:
    """(the artifact's key, its title) for every artifact of the runbook."""
    return [
        (info.key_range, artifact_title(artifact_status(info, run), run))
        for info in analysis.artifact_list
    ]


def artifact_status(info: ArtifactInfo, run: RunState | None) -> ArtifactState | None:
    """The artifact in the run: by its id, or, for an artifact whose child runbook's
    outputs the runbook renames, by one of those names."""
    if run is None:
        return None
    found = run.artifact(info.id)
    if found is None and info.child is not None and info.child.output_mapping:
        # a child runbook's outputs are recorded under the names the runbook gives them
        for _output, alias in info.child.output_mapping:
            if (found := run.artifact(alias.name)) is not None:
                break
    return found


def resume_title(run: RunState) -> str:
    return f"↻ Resume run {run.run_id} ({run.status})"


RUN_TITLE = "▶ Run"


def resumable(run: RunState | None) -> bool:
    return run is not None and run.resumable


def short_error(error: str | None) -> str:
    lines = (error or "").strip().splitlines()
    first = lines[0].strip() if lines else "no error recorded"
    return first if len(first) <= ERROR_CHARS else first[: ERROR_CHARS - 1] + "…"
