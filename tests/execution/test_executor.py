"""The executor as a user sees it: what runs when, what a failure takes down, what each
artifact receives and what is stored. Ordering comes from the store's timestamps and the
event stream, never from how long anything took."""

from __future__ import annotations

from pathlib import Path

from execution_support import (
    Workspace,
    child_runbook_project,
    derived,
    first_event,
    runbook_text,
    source,
)
from waivern_orchestration.components import ComponentRegistry


def test_each_artifact_starts_as_soon_as_its_inputs_complete(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    # A 10-step chain beside one long artifact that waits for the chain's end: were steps
    # held back until the long one (a "level") finished, it would wait in vain and fail.
    artifacts = {"long": source(seconds=60, wait_for="chain.done"), "step1": source()}
    for number in range(2, 11):
        artifacts[f"step{number}"] = derived(f"step{number - 1}")
    artifacts["step10"] = derived("step9", touch="chain.done")
    runbook = workspace.write(
        "runbook.yaml", runbook_text(artifacts, config={"max_concurrency": 2})
    )

    outcome, events = workspace.run(runbook, registry)

    assert outcome.status == "completed", workspace.artifacts(outcome.run_id)["long"].error
    stored = workspace.artifacts(outcome.run_id)
    chain_end, long_end = stored["step10"].finished_at, stored["long"].finished_at
    assert chain_end is not None and long_end is not None
    assert chain_end <= long_end  # ISO 8601 in UTC: text order is time order (to the ms)
    assert first_event(events, "artifact_finished", "step10") < first_event(
        events, "artifact_finished", "long"
    )
    for number in range(2, 11):  # and no step starts before its input has finished
        assert first_event(events, "artifact_finished", f"step{number - 1}") < first_event(
            events, "artifact_started", f"step{number}"
        )


def test_never_more_than_max_concurrency_artifacts_at_once(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    artifacts = {f"a{number}": source(seconds=0.1) for number in range(12)}
    artifacts["all"] = derived(sorted(artifacts))
    runbook = workspace.write(
        "runbook.yaml", runbook_text(artifacts, config={"max_concurrency": 3})
    )

    outcome, events = workspace.run(runbook, registry)

    assert outcome.status == "completed"
    in_progress = most = 0
    for event in events:
        in_progress += {"artifact_started": 1, "artifact_finished": -1}.get(event["event"], 0)
        most = max(most, in_progress)
    assert most == 3
    assert workspace.most_at_once() == 3  # inside the components, too


def test_a_failed_artifact_skips_its_dependents_and_an_independent_branch_completes(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook = workspace.write(
        "runbook.yaml",
        runbook_text(
            {
                "broken": source(fail="the database is down"),
                "cleaned": derived("broken"),
                "report": derived("cleaned"),
                "other": source(seconds=0.1),
                "other_report": derived("other"),
            }
        ),
    )

    outcome, events = workspace.run(runbook, registry)

    assert outcome.status == "failed"
    assert outcome.reason == "1 artifact(s) failed"
    assert workspace.statuses(outcome.run_id) == {
        "broken": "failed",
        "cleaned": "skipped",
        "report": "skipped",
        "other": "completed",
        "other_report": "completed",
    }
    assert workspace.artifacts(outcome.run_id)["broken"].error == "the database is down"
    assert outcome.counts == {
        "completed": 2,
        "failed": 1,
        "skipped": 2,
        "pending": 0,
        "not_started": 0,
    }
    assert workspace.executions() == {"broken": 1, "other": 1, "other_report": 1}
    skipped = [e for e in events if e["event"] == "artifact_finished" and e["status"] == "skipped"]
    assert {e["artifact"] for e in skipped} == {"cleaned", "report"}
    assert all(e["error"] == "input `broken` failed" for e in skipped)


def test_an_optional_failure_ends_the_run_partial_and_still_skips_its_dependents(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    broken = {**source(fail="no such share"), "optional": True}
    runbook = workspace.write(
        "runbook.yaml",
        runbook_text({"extra": broken, "extra_report": derived("extra"), "main": source()}),
    )

    outcome, events = workspace.run(runbook, registry)

    assert outcome.status == "partial"
    assert (
        outcome.reason == "1 optional artifact failed (1 dependent skipped); --resume retries them"
    )
    assert workspace.statuses(outcome.run_id) == {
        "extra": "failed",
        "extra_report": "skipped",
        "main": "completed",
    }
    assert workspace.run_record(outcome.run_id).status == "partial"
    assert (events[-1]["event"], events[-1]["status"]) == ("run_finished", "partial")


def test_an_optional_failure_nothing_depends_on_ends_the_run_partial_too(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    broken = {**source(fail="no such share"), "optional": True}
    runbook = workspace.write("runbook.yaml", runbook_text({"extra": broken, "main": source()}))

    outcome, _ = workspace.run(runbook, registry)

    assert (outcome.status, outcome.reason) == (
        "partial",
        "1 optional artifact failed; --resume retries it",
    )


def test_a_required_failure_fails_the_run_whatever_the_optional_ones_did(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    broken = {**source(fail="no such share"), "optional": True}
    runbook = workspace.write(
        "runbook.yaml", runbook_text({"extra": broken, "main": source(fail="disk gone")})
    )

    outcome, _ = workspace.run(runbook, registry)

    assert (outcome.status, outcome.reason) == ("failed", "2 artifact(s) failed")


def test_fan_in_passes_every_input_message(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    runbook = workspace.write(
        "runbook.yaml",
        runbook_text(
            {
                "a": source(text="alpha"),
                "b": source(text="beta"),
                "c": source(text="gamma"),
                "merged": {"inputs": ["a", "b", "c"], "merge": "concatenate"},
                "processed": derived(["a", "b", "c"], text="own"),
            }
        ),
    )

    outcome, _ = workspace.run(runbook, registry)

    assert outcome.status == "completed"
    messages = workspace.messages(outcome.run_id)
    assert [item["content"] for item in messages["merged"]["content"]["items"]] == [
        "alpha",
        "beta",
        "gamma",
    ]
    assert [item["content"] for item in messages["processed"]["content"]["items"]] == [
        "alpha",
        "beta",
        "gamma",
        "own",
    ]


CHILD = """\
name: Analysis
description: tags the documents it is given
inputs:
  documents:
    input_schema: standard_input/1.0.0
outputs:
  findings:
    artifact: tagged
artifacts:
  tagged:
    inputs: documents
    process:
      type: test_pass
      properties: {text: tag, record: runs.log}
"""


def _child_runbook(workspace: Workspace) -> Path:
    return child_runbook_project(workspace, CHILD)


def test_an_artifact_downstream_of_a_child_output_gets_the_child_artifacts_message(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    outcome, _ = workspace.run(_child_runbook(workspace), registry)

    assert outcome.status == "completed"
    assert workspace.statuses(outcome.run_id) == {
        "files": "completed",
        "scan.analysis.tagged": "completed",
        "report": "completed",
    }
    report = workspace.messages(outcome.run_id)["report"]
    assert [item["content"] for item in report["content"]["items"]] == ["hello", "tag"]


def test_every_stored_message_carries_its_execution_metadata(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    outcome, _ = workspace.run(_child_runbook(workspace), registry)

    messages = workspace.messages(outcome.run_id)
    assert set(messages) == {"files", "scan.analysis.tagged", "report"}
    expected = {
        "files": ("parent", None),
        "scan.analysis.tagged": ("child:Analysis", "scan"),
        "report": ("parent", None),
    }
    for artifact, message in messages.items():
        assert message["id"] == artifact
        assert message["schema"] == {"name": "standard_input", "version": "1.0.0"}
        execution = message["extensions"]["execution"]
        assert set(execution) >= {"status", "duration_seconds", "error", "origin", "alias"}
        assert execution["status"] == "completed"
        assert execution["error"] is None
        assert isinstance(execution["duration_seconds"], float)
        assert execution["duration_seconds"] >= 0
        assert (execution["origin"], execution["alias"]) == expected[artifact]
    stored = workspace.artifacts(outcome.run_id)
    assert (stored["scan.analysis.tagged"].origin, stored["scan.analysis.tagged"].alias) == (
        "child:Analysis",
        "scan",
    )


SECRET = "TOPSECRET-4242-never-stored"

SENSITIVE_CHILD = """\
name: Counter
description: counts the items of a sensitive input
inputs:
  documents:
    input_schema: standard_input/1.0.0
    sensitive: true
outputs:
  total:
    artifact: counted
artifacts:
  counted:
    inputs: documents
    process:
      type: test_pass
      properties: {mode: count, fail_unless: fixed.marker, record: runs.log}
"""


def _store_bytes(store: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(store.rglob("*")) if path.is_file())


def test_a_sensitive_child_inputs_producer_is_never_stored_and_is_produced_again_on_resume(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    workspace.write("secret.txt", SECRET)
    workspace.write("counter.yaml", SENSITIVE_CHILD)
    runbook = workspace.write(
        "runbook.yaml",
        runbook_text(
            {
                "secret": source(text_file="secret.txt"),
                "count": {
                    "inputs": "secret",
                    "child_runbook": {
                        "path": "counter.yaml",
                        "input_mapping": {"documents": "secret"},
                        "output": "total",
                    },
                },
                "report": {**derived("count"), "output": True},
            }
        ),
    )

    failed, _ = workspace.run(runbook, registry)  # the child fails: fixed.marker is missing

    assert failed.status == "failed"
    assert workspace.statuses(failed.run_id)["secret"] == "completed"
    assert SECRET.encode() not in _store_bytes(workspace.store)

    workspace.write("fixed.marker", "")
    resumed, _ = workspace.run(runbook, registry, resume=failed.run_id)

    assert resumed.status == "completed"
    assert workspace.executions()["secret"] == 2  # its message was needed again
    report = workspace.messages(resumed.run_id)["report"]
    assert [item["content"] for item in report["content"]["items"]] == ["1 item(s)"]
    assert "secret" not in workspace.messages(resumed.run_id)
    assert SECRET.encode() not in _store_bytes(workspace.store)


def test_content_json_cannot_hold_fails_that_artifact_not_the_run(
    workspace: Workspace, registry: ComponentRegistry
) -> None:
    """A component returning e.g. a set must fail its artifact like any other component
    error; the run must still end with a recorded status (no traceback, no run stuck in
    `running`)."""
    runbook = workspace.write(
        "runbook.yaml",
        runbook_text({"odd": source(unserialisable=True), "fine": source(seconds=0.1)}),
    )

    outcome, _ = workspace.run(runbook, registry)

    assert outcome.status == "failed"
    assert workspace.statuses(outcome.run_id) == {"odd": "failed", "fine": "completed"}
    assert workspace.run_record(outcome.run_id).status == "failed"
