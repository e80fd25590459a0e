"""Code lens titles (`lens_titles`): "▶ Run" on the runbook, each artifact's status in the
latest run ("✓ completed …", "✗ failed: …", "not run yet"), and "↻ Resume" only when
that run failed, was interrupted or is partial; which status each artifact's lens shows
(`artifact_titles`, `artifact_status`)."""

from __future__ import annotations

import re
from dataclasses import replace

from language_support import Runbook, RunbookFolder
from runbook_samples import CHILD, MAPPED_PARENT, SCAN
from waivern_lsp.language.lens_titles import (
    RUN_TITLE,
    artifact_status,
    artifact_title,
    artifact_titles,
    resumable,
    resume_title,
    short_error,
)
from waivern_lsp.language.run_words import duration
from waivern_orchestration.store.run_states import RunState
from waivern_orchestration.store.statuses import ArtifactStatus, RunStatus


def titles(runbook: Runbook, run: RunState | None) -> dict[str, str]:
    """Each artifact's lens title, by artifact id."""
    return {
        info.id: artifact_title(artifact_status(info, run), run)
        for info in runbook.analysis.artifact_list
    }


def with_status(run: RunState, status: RunStatus) -> RunState:
    return replace(run, record=replace(run.record, status=status))


def test_before_any_run_the_runbook_can_be_run_and_nothing_has_run(folder: RunbookFolder) -> None:
    runbook = folder.open(SCAN)
    assert runbook.latest_run() is None
    assert RUN_TITLE == "▶ Run"
    assert not resumable(None)
    assert titles(runbook, None) == {"files": "not run yet", "findings": "not run yet"}


def test_a_completed_run_shows_each_artifact_done_and_no_resume(folder: RunbookFolder) -> None:
    folder.write("data/notes.txt", "write to ada@example.com\n")
    folder.write("runbook.yaml", SCAN)
    outcome = folder.run()
    run = folder.open(SCAN).latest_run()
    assert run is not None and run.run_id == outcome.run_id
    assert not resumable(run)
    for title in titles(folder.open(SCAN), run).values():
        assert re.fullmatch(
            rf"✓ completed (< 1 ms|\d+ ms|[\d.]+ s) · run {outcome.run_id}", title
        ), title


def test_a_failed_run_shows_the_error_and_offers_resume(folder: RunbookFolder) -> None:
    folder.write("runbook.yaml", SCAN)  # ./data does not exist
    outcome = folder.run()
    runbook = folder.open(SCAN)
    run = runbook.latest_run()
    assert run is not None and resumable(run)
    assert resume_title(run) == f"↻ Resume run {outcome.run_id} (failed)"
    error = f"path 'data' does not exist ({folder.root / 'data'})"
    shown = error if len(error) <= 60 else error[:59] + "…"  # a lens is one line
    assert titles(runbook, run) == {
        "files": f"✗ failed: {shown} · run {outcome.run_id}",
        "findings": f"⊘ skipped · run {outcome.run_id}",
    }


def test_the_artifact_running_a_child_shows_how_its_outputs_went(folder: RunbookFolder) -> None:
    folder.write("child.yaml", CHILD)
    folder.write("data/notes.txt", "write to ada@example.com\n")
    folder.write("runbook.yaml", MAPPED_PARENT)
    outcome = folder.run()
    runbook = folder.open(MAPPED_PARENT)
    run = runbook.latest_run()
    assert run is not None and run.artifact("analysed") is None  # recorded by its outputs
    by_line = {range_.start.line: title for range_, title in artifact_titles(runbook.analysis, run)}
    assert sorted(by_line) == [3, 8, 16]  # files, analysed, summary
    assert re.fullmatch(rf"✓ completed (< 1 ms|\d+ ms|[\d.]+ s) · run {outcome.run_id}", by_line[8])


def test_an_artifact_added_since_the_run_has_not_run(folder: RunbookFolder) -> None:
    folder.write("runbook.yaml", SCAN)
    folder.run()
    added = SCAN + "  more_files:\n    source:\n      type: filesystem\n"
    added += "      properties:\n        path: data\n    output: true\n"
    runbook = folder.open(added)
    assert titles(runbook, runbook.latest_run())["more_files"] == "not run yet"


def test_an_interrupted_run_can_be_resumed_and_shows_what_stopped(folder: RunbookFolder) -> None:
    folder.write("runbook.yaml", SCAN)
    folder.run()
    run = folder.open(SCAN).latest_run()
    assert run is not None
    files = run.artifact("files")
    assert files is not None
    interrupted = with_status(run, RunStatus.INTERRUPTED)
    assert resumable(interrupted)
    assert resume_title(interrupted) == f"↻ Resume run {run.run_id} (interrupted)"
    stopped = replace(files, status=ArtifactStatus.RUNNING)
    assert artifact_title(stopped, interrupted) == f"✗ interrupted · run {run.run_id}"
    waiting = replace(files, status=ArtifactStatus.PENDING)
    assert artifact_title(waiting, interrupted) == (f"not run in run {run.run_id} (interrupted)")
    done = {
        name: replace(state, status=ArtifactStatus.COMPLETED)
        for name, state in run.artifacts.items()
    }
    assert not resumable(replace(with_status(run, RunStatus.COMPLETED), artifacts=done))


def test_a_partial_run_offers_resume_as_does_a_completed_one_with_failures(
    folder: RunbookFolder,
) -> None:
    text = SCAN.replace("    source:", "    optional: true\n    source:")
    folder.write("runbook.yaml", text)
    outcome = folder.run()  # ./data does not exist: the optional `files` fails
    assert outcome.status is RunStatus.PARTIAL
    run = folder.open(text).latest_run()
    assert run is not None and resumable(run)
    assert resume_title(run) == f"↻ Resume run {outcome.run_id} (partial)"
    # as a wct from before `partial` recorded such a run: resumable all the same
    assert resumable(with_status(run, RunStatus.COMPLETED))


def test_an_artifact_still_running_says_so(folder: RunbookFolder) -> None:
    folder.write("runbook.yaml", SCAN)
    folder.run()
    run = folder.open(SCAN).latest_run()
    assert run is not None
    files = run.artifact("files")
    assert files is not None
    running = replace(files, status=ArtifactStatus.RUNNING)
    # (a `running` run whose process is gone reads `interrupted`: see above)
    assert artifact_title(running, run) == f"… running · run {run.run_id}"


def test_durations_and_errors_fit_on_one_line() -> None:
    # the same words as hover's (language/run_words.py)
    # (and the VS Code extension's, run_text.formatSeconds: the same table is its test)
    assert duration(150.5) == "2 min 31 s"  # halves up, as JavaScript's Math.round
    assert duration(0.0025) == "3 ms"
    assert [duration(s) for s in (None, 0.0004, 0.04, 4.5, 12.34, 59.96, 61, 3600)] == [
        "",
        "< 1 ms",
        "40 ms",
        "4.50 s",
        "12.3 s",
        "60.0 s",
        "1 min 1 s",
        "1 h 0 min",
    ]
    assert short_error(None) == "no error recorded"
    assert short_error("  \n") == "no error recorded"
    assert short_error("first line\nsecond line") == "first line"
    assert short_error("x" * 61) == "x" * 59 + "…"
    assert short_error("x" * 60) == "x" * 60


def test_a_limit_the_runbook_set_shows_beside_the_completed_status(
    folder: RunbookFolder,
) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        folder.write(f"data/{name}", "write to ada@example.com\n")
    limited = SCAN.replace("        path: data\n", "        path: data\n        max_files: 2\n")
    folder.write("runbook.yaml", limited)
    outcome = folder.run()
    run = folder.open(limited).latest_run()
    assert run is not None
    files = run.artifact("files")
    assert files is not None
    assert files.limits == ("max_files is 2: skipped 1 more matching file (from 'c.txt' on)",)
    shown = titles(folder.open(limited), run)
    assert shown["files"].startswith("✓ completed ")
    assert shown["files"].endswith(f" · ⚠ limit reached · run {outcome.run_id}")
    assert "limit reached" not in shown["findings"]
