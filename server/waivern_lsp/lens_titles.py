"""The one-line texts code lenses show: how an artifact went in the latest run of its
runbook ("✓ completed 1.2 s · run …", "✗ failed: <error>", "not run yet"), and the
runbook's Run / Resume actions. Editor-agnostic: statuses in, text out."""

from __future__ import annotations

from waivern_lsp.run_status import ArtifactStatus, RunStatus

ERROR_CHARS = 60  # a lens is one line: longer errors are cut (hover shows them whole)
RESUMABLE = frozenset({"failed", "interrupted"})

_MARKS = {
    "completed": "✓",
    "failed": "✗",
    "skipped": "⊘",
    "running": "…",
}


def artifact_title(status: ArtifactStatus | None, run: RunStatus | None) -> str:
    """How the artifact went in the latest run (None: not in it, or no run at all)."""
    if run is None or status is None:
        return "not run yet"
    if status.status == "completed":
        return f"✓ completed {duration(status.duration_seconds)} · run {run.run_id}"
    if status.status == "failed":
        return f"✗ failed: {short_error(status.error)} · run {run.run_id}"
    if status.status == "running" and run.status == "interrupted":
        return f"✗ interrupted · run {run.run_id}"
    if status.status in ("not_started", "pending"):
        return f"not run in run {run.run_id} ({run.status})"
    mark = _MARKS.get(status.status, "·")
    return f"{mark} {status.status} · run {run.run_id}"


def resume_title(run: RunStatus) -> str:
    return f"↻ Resume run {run.run_id} ({run.status})"


RUN_TITLE = "▶ Run"


def resumable(run: RunStatus | None) -> bool:
    return run is not None and run.status in RESUMABLE


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def short_error(error: str | None) -> str:
    lines = (error or "").strip().splitlines()
    first = lines[0].strip() if lines else "no error recorded"
    return first if len(first) <= ERROR_CHARS else first[: ERROR_CHARS - 1] + "…"
