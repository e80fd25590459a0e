"""The run store (DESIGN.md §4.3): WAL, a versioned schema that older stores migrate from
and newer ones are refused by, one transaction per artifact change, and ownership that
exactly one process wins and a dead owner does not keep."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from waivern_orchestration.message_schemas import SchemaRef
from waivern_orchestration.messages import ExecutionMetadata, Message
from waivern_orchestration.store.reports import run_summaries
from waivern_orchestration.store.run_store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    STORE_FILE,
    FinishedArtifact,
    OwnershipLost,
    RunLocked,
    RunNotFound,
    RunStore,
    StoreError,
)
from waivern_orchestration.store.statuses import ArtifactStatus, RunStatus

PLAN = {"format": 1, "artifacts": []}


def _new_run(store: RunStore, run_id: str = "run-1", artifacts: int = 2) -> str:
    return store.create_run(
        run_id,
        "/work/runbook.yaml",
        "0" * 64,
        PLAN,
        [(f"a{number}", "parent", None) for number in range(artifacts)],
    )


def _message(artifact: str, content: dict[str, object]) -> Message:
    return Message(
        id=artifact,
        schema=SchemaRef("standard_input", "1.0.0"),
        content=content,
        execution=ExecutionMetadata("completed", 0.5, None, "parent", None),
    )


def _raw(directory: Path) -> sqlite3.Connection:
    return sqlite3.connect(directory / STORE_FILE)


def test_the_store_uses_wal_and_records_its_schema_version(tmp_path: Path) -> None:
    RunStore(tmp_path).close()

    with _raw(tmp_path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_an_empty_database_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    with _raw(tmp_path) as db:  # an SQLite database with nothing in it yet: version 0
        db.execute("PRAGMA user_version = 0")
        db.execute("VACUUM")

    with RunStore(tmp_path) as store:
        _new_run(store)
        assert store.run("run-1").status == "running"

    with _raw(tmp_path) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_a_store_without_a_recorded_version_is_migrated(tmp_path: Path) -> None:
    with _raw(tmp_path) as db:
        db.execute("CREATE TABLE schema_version (version INTEGER)")

    with RunStore(tmp_path) as store:
        _new_run(store)
        assert [run.run_id for run in store.runs()] == ["run-1"]


def test_a_store_at_the_current_version_opens_with_its_runs_kept(tmp_path: Path) -> None:
    with RunStore(tmp_path) as store:
        _new_run(store)

    with RunStore(tmp_path) as store:
        assert [run.run_id for run in store.runs()] == ["run-1"]
    with RunStore(tmp_path, read_only=True) as store:
        assert store.counts("run-1")["not_started"] == 2


def test_a_store_written_by_a_newer_version_is_a_clear_store_error(tmp_path: Path) -> None:
    RunStore(tmp_path).close()
    with _raw(tmp_path) as db:
        db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))

    for read_only in (False, True):
        with pytest.raises(StoreError, match="written by a newer wct") as raised:
            RunStore(tmp_path, read_only=read_only)
        assert f"schema {SCHEMA_VERSION + 1}" in str(raised.value)
        assert "\n" not in str(raised.value)


def test_wct_refuses_a_newer_store_in_one_line(tmp_path: Path) -> None:
    RunStore(tmp_path).close()
    with _raw(tmp_path) as db:
        db.execute("UPDATE schema_version SET version = 99")

    for command in (["runs"], ["inspect", "run-1"], ["poll", "run-1"]):
        result = subprocess.run(
            [sys.executable, "-m", "waivern_orchestration.cli.app", *command, "--store", tmp_path],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 2, (command, result.stderr)
        assert result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith("wct: the run store at ")
        assert "newer wct" in result.stderr


def test_reading_a_store_that_needs_an_upgrade_says_so(tmp_path: Path) -> None:
    with _raw(tmp_path) as db:
        db.execute("CREATE TABLE schema_version (version INTEGER)")

    with pytest.raises(StoreError, match="needs an upgrade"):
        RunStore(tmp_path, read_only=True)


def test_a_store_an_earlier_wct_wrote_is_read_as_it_is_and_upgraded_by_a_writer(
    tmp_path: Path,
) -> None:
    # A schema 1 store (wct 0.1.0), with a completed run in it.
    with _raw(tmp_path) as db:
        for statement in MIGRATIONS[0][1].split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("CREATE TABLE schema_version (version INTEGER)")
        db.execute("INSERT INTO schema_version VALUES (1)")
    with _raw(tmp_path) as db:  # (the same rows a 0.1.0 run writes)
        db.execute(
            "INSERT INTO runs (run_id, runbook_path, runbook_sha256, status, started_at) "
            "VALUES ('old-run', '/r.yaml', 'x', 'completed', '2026-11-01T10:00:00+00:00')"
        )
        message = _message("a0", {"items": [{"content": "hi"}]})
        db.execute(
            "INSERT INTO messages (run_id, artifact_id, message_json) VALUES (?, ?, ?)",
            ("old-run", "a0", json.dumps(message.to_json())),
        )

    with RunStore(tmp_path, read_only=True) as store:  # an editor's hover, `wct runs`
        assert [run.run_id for run in store.runs()] == ["old-run"]
        stored = store.message("old-run", "a0")
        assert stored is not None and stored.content == {"items": [{"content": "hi"}]}
    with _raw(tmp_path) as db:  # reading changed nothing
        assert db.execute("SELECT MAX(version) FROM schema_version").fetchone() == (1,)

    with RunStore(tmp_path) as store:  # the first writer upgrades it
        assert store.stored_stream("old-run", "a0").items == 0
    with _raw(tmp_path) as db:
        assert db.execute("SELECT MAX(version) FROM schema_version").fetchone() == (SCHEMA_VERSION,)


def test_a_store_truncated_to_nothing_is_reported_never_made_again(tmp_path: Path) -> None:
    (tmp_path / STORE_FILE).write_bytes(b"")

    for read_only in (False, True):
        with pytest.raises(StoreError, match=r"is an empty file \(0 bytes\)"):
            RunStore(tmp_path, read_only=read_only)
    assert (tmp_path / STORE_FILE).stat().st_size == 0


def test_a_missing_store_is_a_store_error_when_read(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no run store"):
        RunStore(tmp_path / "nowhere", read_only=True)


def test_an_artifacts_state_and_message_are_written_together(tmp_path: Path) -> None:
    with RunStore(tmp_path) as store:
        token = _new_run(store)
        store.artifact_started("run-1", token, "a0")
        store.artifact_finished(
            "run-1", token, "a0", "completed", 0.5, None, [], _message("a0", {"items": []})
        )
        store.artifact_started("run-1", token, "a1")
    # Writing a1's message fails inside the transaction, after its state was updated
    # (as a full disk would fail it).
    with _raw(tmp_path) as db:
        db.execute(
            "CREATE TRIGGER message_fails BEFORE INSERT ON messages "
            "WHEN NEW.artifact_id = 'a1' BEGIN SELECT RAISE(ABORT, 'disk is full'); END"
        )

    with RunStore(tmp_path) as store:
        with pytest.raises(StoreError, match="cannot be written: the disk is full"):
            store.artifact_finished(
                "run-1", token, "a1", "completed", 0.5, None, [], _message("a1", {"items": []})
            )

        # ... so neither is the state: no half-recorded artifact
        statuses = {record.artifact_id: record.status for record in store.artifacts("run-1")}
        assert statuses == {"a0": "completed", "a1": "running"}
        assert store.message("run-1", "a0") is not None
        assert store.message("run-1", "a1") is None


def test_a_scheduling_step_is_recorded_whole_or_not_at_all(tmp_path: Path) -> None:
    with RunStore(tmp_path, wait_seconds=1) as store:
        token = _new_run(store, artifacts=3)
        store.record_step("run-1", token, [], started=["a0", "a1"])
    with _raw(tmp_path) as db:
        db.execute(
            "CREATE TRIGGER message_fails BEFORE INSERT ON messages "
            "WHEN NEW.artifact_id = 'a1' BEGIN SELECT RAISE(ABORT, 'disk is full'); END"
        )

    with RunStore(tmp_path) as store:
        finished = [
            FinishedArtifact(name, ArtifactStatus.COMPLETED, 0.1, None, (), "{}")
            for name in ("a0", "a1")
        ]
        with pytest.raises(StoreError, match="the disk is full"):
            store.record_step("run-1", token, finished, started=["a2"])

        statuses = {record.artifact_id: record.status for record in store.artifacts("run-1")}
        assert statuses == {"a0": "running", "a1": "running", "a2": "not_started"}
        assert store.stored_artifacts("run-1") == set()


def test_a_sensitive_message_is_recorded_as_produced_without_its_content(tmp_path: Path) -> None:
    with RunStore(tmp_path) as store:
        token = _new_run(store)
        store.artifact_finished(
            "run-1",
            token,
            "a0",
            "completed",
            0.1,
            None,
            [],
            _message("a0", {"items": [{"content": "s3cr3t-value", "metadata": {"source": "x"}}]}),
            sensitive=True,
        )

        assert store.message("run-1", "a0") is None
        assert store.stored_artifacts("run-1") == {"a0"}
    assert not any(
        b"s3cr3t-value" in path.read_bytes() for path in tmp_path.iterdir() if path.is_file()
    )


def test_runs_are_listed_newest_first_and_filtered_by_status(tmp_path: Path) -> None:
    with RunStore(tmp_path) as store:
        first = _new_run(store, "run-1")
        store.finish_run("run-1", first, "failed", "1 artifact(s) failed")
        _new_run(store, "run-2")

        assert [run.run_id for run in store.runs()] == ["run-2", "run-1"]
        assert [run.run_id for run in store.runs("failed")] == ["run-1"]
        assert store.run("run-1").reason == "1 artifact(s) failed"
        with pytest.raises(RunNotFound, match="unknown run id 'run-3'"):
            store.run("run-3")


# -- ownership ----------------------------------------------------------------------------

OWNER_THAT_EXITS = """
import sys
from pathlib import Path
from waivern_orchestration.store.run_store import RunStore
with RunStore(Path(sys.argv[1])) as store:
    print(store.create_run("run-1", "/work/runbook.yaml", "0" * 64, {}, [("a0", "parent", None)]))
"""


def _run_left_by_a_dead_owner(directory: Path) -> str:
    """A `running` run created by a process that has exited since; its owner token."""
    created = subprocess.run(
        [sys.executable, "-c", OWNER_THAT_EXITS, str(directory)],
        capture_output=True,
        text=True,
        check=True,
    )
    return created.stdout.strip()


def test_a_run_whose_owner_is_gone_can_be_claimed(tmp_path: Path) -> None:
    _run_left_by_a_dead_owner(tmp_path)

    with RunStore(tmp_path) as store:
        assert store.run("run-1").status == "running"
        token = store.claim("run-1")
        store.finish_run("run-1", token, "completed", None)

        assert store.run("run-1").status == "completed"


def test_the_old_owner_can_write_nothing_to_a_run_it_no_longer_owns(tmp_path: Path) -> None:
    old_token = _run_left_by_a_dead_owner(tmp_path)

    with RunStore(tmp_path) as store:
        store.claim("run-1")
        with pytest.raises(OwnershipLost, match="run run-1 was taken over by process "):
            store.finish_run("run-1", old_token, "failed", "late news from the old owner")
        with pytest.raises(OwnershipLost):
            store.record_step("run-1", old_token, [], started=["a0"])
        with pytest.raises(OwnershipLost):
            store.mark_artifacts("run-1", old_token, ["a0"], ArtifactStatus.NOT_STARTED)

        assert store.run("run-1").status == "running"
        assert store.run("run-1").reason is None
        assert {record.status for record in store.artifacts("run-1")} == {"not_started"}


def test_a_run_with_a_live_owner_cannot_be_claimed(tmp_path: Path) -> None:
    with RunStore(tmp_path) as store:
        _new_run(store)  # owned by this (living) process

        with pytest.raises(RunLocked, match="is being executed by process"):
            store.claim("run-1")


def test_of_several_claims_at_once_exactly_one_wins(tmp_path: Path) -> None:
    _run_left_by_a_dead_owner(tmp_path)
    RunStore(tmp_path).close()
    barrier = threading.Barrier(4)
    won: list[str] = []
    refused: list[str] = []

    def claim() -> None:
        with RunStore(tmp_path) as store:
            barrier.wait()
            try:
                won.append(store.claim("run-1"))
            except RunLocked as error:
                refused.append(str(error))

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(won) == 1
    assert len(refused) == 3


def test_completed_and_unknown_runs_cannot_be_claimed(tmp_path: Path) -> None:
    with RunStore(tmp_path) as store:
        token = _new_run(store)
        store.finish_run("run-1", token, "completed", None)

        with pytest.raises(StoreError, match="already completed"):
            store.claim("run-1")
        with pytest.raises(RunNotFound):
            store.claim("run-2")


def test_the_plan_is_stored_with_its_run(tmp_path: Path) -> None:
    plan = {"format": 1, "artifacts": [{"id": "a0"}], "aliases": {"x": "a0"}}
    with RunStore(tmp_path) as store:
        store.create_run("run-1", "/work/runbook.yaml", "0" * 64, plan, [("a0", "parent", "x")])

        assert store.plan_json("run-1") == json.loads(json.dumps(plan))
        assert store.artifacts("run-1")[0].alias == "x"


def test_a_resumed_run_does_not_count_the_time_it_stood_still(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupted at 10:01, resumed at 12:00 and done at 12:02: it took 3 minutes, not
    2 hours (`idle_seconds` is what lies between the end and the resume)."""
    with RunStore(tmp_path) as store:
        token = _new_run(store)
        store.finish_run("run-1", token, RunStatus.INTERRUPTED, "cancelled")
        with _raw(tmp_path) as db:  # the end, two hours before the resume below
            db.execute("UPDATE runs SET completed_at = '2026-12-06T10:01:00+00:00'")
        resumed_at = datetime.fromisoformat("2026-12-06T12:00:00+00:00").timestamp()
        monkeypatch.setattr(time, "time", lambda: resumed_at)
        store.claim("run-1")
        [summary] = run_summaries(store)
    assert summary["idle_seconds"] == pytest.approx(119 * 60)


def test_a_run_never_resumed_has_no_idle_time(tmp_path: Path) -> None:
    with RunStore(tmp_path) as store:
        token = _new_run(store)
        store.finish_run("run-1", token, RunStatus.COMPLETED, None)
        [summary] = run_summaries(store)
    assert summary["idle_seconds"] == 0
