"""WCT060: `reuse` is checked against the run store (read-only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from waivern_orchestration.analysis import analyse
from waivern_orchestration.message_schemas import STANDARD_INPUT
from waivern_orchestration.messages import Message
from waivern_orchestration.store.lookup import StoreLookup
from waivern_orchestration.store.run_store import RunStore

RUNBOOK = """\
name: Last month
description: reuses last month's files
artifacts:
  files:
    reuse: {{from_run: {run}, artifact: {artifact}}}
    output_schema: standard_input/1.0.0
    output: true
"""


@pytest.fixture
def store_with_a_run(tmp_path: Path) -> tuple[Path, str]:
    directory = tmp_path / ".waivern"
    with RunStore(directory) as store:
        token = store.create_run(
            "run-1",
            "/x/runbook.yaml",
            "0" * 64,
            {"aliases": {"scan": "scan.child.files"}},
            [("files", "parent", None), ("scan.child.files", "child:c", "scan")],
        )
        for artifact in ("files", "scan.child.files"):
            message = Message(artifact, STANDARD_INPUT, {"items": []})
            store.artifact_finished("run-1", token, artifact, "completed", 0.1, None, [], message)
        store.finish_run("run-1", token, "completed", None)
    return directory, "run-1"


def codes(text: str, directory: Path) -> list[tuple[str, int, str]]:
    analysis = analyse(text, "runbook.yaml", env={}, runs=StoreLookup(directory))
    return [(d.code, d.range.start.line, d.message) for d in analysis.diagnostics]


def test_a_stored_artifact_of_a_known_run_is_fine(store_with_a_run: tuple[Path, str]) -> None:
    directory, run = store_with_a_run
    assert codes(RUNBOOK.format(run=run, artifact="files"), directory) == []


def test_an_alias_of_a_child_artifact_counts_as_stored(
    store_with_a_run: tuple[Path, str],
) -> None:
    directory, run = store_with_a_run
    assert codes(RUNBOOK.format(run=run, artifact="scan"), directory) == []


def test_an_unknown_run_is_a_warning_on_from_run(store_with_a_run: tuple[Path, str]) -> None:
    directory, _ = store_with_a_run
    [(code, line, message)] = codes(RUNBOOK.format(run="run-9", artifact="files"), directory)
    assert (code, line) == ("WCT060", 4)
    assert "run `run-9` is not in the run store" in message


def test_an_artifact_the_run_did_not_store_is_a_warning_with_a_suggestion(
    store_with_a_run: tuple[Path, str],
) -> None:
    directory, run = store_with_a_run
    [(code, _, message)] = codes(RUNBOOK.format(run=run, artifact="filez"), directory)
    assert code == "WCT060"
    assert "did you mean `files`?" in message


def test_without_a_store_every_reuse_is_reported(tmp_path: Path) -> None:
    [(code, _, message)] = codes(RUNBOOK.format(run="run-1", artifact="files"), tmp_path)
    assert code == "WCT060"
    assert "(none yet)" in message


def test_a_run_named_by_a_variable_is_checked_with_its_value(
    store_with_a_run: tuple[Path, str],
) -> None:
    directory, run = store_with_a_run
    text = RUNBOOK.format(run="'${EARLIER_RUN}'", artifact="files")

    def found(env: dict[str, str]) -> list[tuple[str, str]]:
        analysis = analyse(text, "runbook.yaml", env=env, runs=StoreLookup(directory))
        return [(d.code, d.message) for d in analysis.diagnostics]

    assert found({"EARLIER_RUN": run}) == []
    [(code, message)] = found({"EARLIER_RUN": "run-2"})
    assert code == "WCT060" and message.startswith("run `run-2` is not in the run store")
    # not set: WCT050 says so, and there is no run to look for
    assert [code for code, _ in found({})] == ["WCT050"]
    defaulted = RUNBOOK.format(run="'${EARLIER_RUN:-run-1}'", artifact="files")
    analysis = analyse(defaulted, "runbook.yaml", env={}, runs=StoreLookup(directory))
    assert analysis.diagnostics == ()
