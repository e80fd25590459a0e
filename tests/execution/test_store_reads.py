"""Reading the run store creates no file beside it: `wct runs`, `wct inspect`, `wct export`
and the language server's reads (hover and code lens run states, run-id completion, the
Runs view and inspect commands, `reuse` checks) leave a store whose writer has closed as
it is; beside a writer that holds the store they still read what it committed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from waivern_lsp.language.completion.runs import read_runs
from waivern_orchestration.store.batches import read_batches
from waivern_orchestration.store.lookup import StoreLookup
from waivern_orchestration.store.reports import artifact_message, run_report, run_summaries
from waivern_orchestration.store.run_states import latest_run_state, run_state
from waivern_orchestration.store.run_store import STORE_FILE, RunStore

RUNBOOK = """\
name: Scan
description: Finds personal data
artifacts:
  files:
    source:
      type: filesystem
      properties: {path: data}
  findings:
    inputs: [files]
    process:
      type: personal_data
    output: true
"""


def wct(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "waivern_orchestration.cli.app", *args, "--store", ".waivern"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def ran(tmp_path: Path) -> tuple[Path, str]:
    """A folder after a completed `wct run` (its writer closed): the folder, the run id."""
    (tmp_path / "data").mkdir()
    for number in range(1100):  # more than one batch of items
        (tmp_path / "data" / f"{number}.txt").write_text(f"u{number}@example.com\n")
    (tmp_path / "runbook.yaml").write_text(RUNBOOK, encoding="utf-8")
    result = wct(tmp_path, "run", "runbook.yaml")
    assert result.returncode == 0, result.stderr
    [run] = json.loads(wct(tmp_path, "runs", "--json").stdout)
    return tmp_path, str(run["run_id"])


def read_as_the_server_does(store: Path, runbook: Path, run_id: str) -> None:
    assert latest_run_state(store, runbook) is not None  # hover, code lens
    assert run_state(store, run_id) is not None
    assert run_id in [run.run_id for run in read_runs(store, run_id).runs]  # completion
    with RunStore(store, read_only=True, wait_seconds=1) as opened:  # waivern.runs, .inspect
        assert run_id in [summary["run_id"] for summary in run_summaries(opened)]
        assert run_report(opened, run_id)["artifacts"]
        assert artifact_message(opened, run_id, "findings") is not None
    lookup = StoreLookup(store)  # `reuse` (WCT060)
    assert lookup.run_artifacts(run_id) == {"files", "findings"}
    lookup.close()
    assert list(read_batches(store / STORE_FILE, run_id, "files"))  # a streamed output


def test_reading_a_closed_store_leaves_its_folder_as_it_is(ran: tuple[Path, str]) -> None:
    folder, run_id = ran
    store = folder / ".waivern"
    before = sorted(os.listdir(store))
    assert f"{STORE_FILE}-wal" not in before  # (the writer checkpointed and removed it)

    read_as_the_server_does(store, folder / "runbook.yaml", run_id)
    for command in (
        ["runs"],
        ["runs", "--json"],
        ["inspect", run_id],
        ["inspect", run_id, "findings", "--json"],
        ["inspect", run_id, "files"],
        ["export", run_id],
    ):
        result = wct(folder, *command)
        assert result.returncode == 0, (command, result.stderr)

    assert sorted(os.listdir(store)) == before


def test_reading_beside_a_writer_sees_what_it_committed(ran: tuple[Path, str]) -> None:
    folder, run_id = ran
    store = folder / ".waivern"
    with RunStore(store) as writer:  # holds the store: its WAL is there
        writer.create_run("run-2", str(folder / "other.yaml"), "0" * 64, {}, [])
        assert (store / f"{STORE_FILE}-wal").exists()
        before = sorted(os.listdir(store))

        read_as_the_server_does(store, folder / "runbook.yaml", run_id)
        assert [run.run_id for run in read_runs(store, None).runs] == ["run-2", run_id]
        listed = wct(folder, "runs", "--json")
        assert listed.returncode == 0, listed.stderr
        assert [run["run_id"] for run in json.loads(listed.stdout)] == ["run-2", run_id]
        assert sorted(os.listdir(store)) == before


def test_a_long_read_goes_on_through_the_wal_of_a_writer_that_came(
    ran: tuple[Path, str],
) -> None:
    folder, run_id = ran
    store = folder / ".waivern"
    whole = list(read_batches(store / STORE_FILE, run_id, "files"))
    assert len(whole) > 1, "the test needs an output of several batches"

    batches = read_batches(store / STORE_FILE, run_id, "files")
    first = next(batches)  # from the settled file
    with RunStore(store) as writer:
        writer.create_run("run-2", str(folder / "other.yaml"), "0" * 64, {}, [])
        assert [first, *batches] == whole  # the rest through the writer's WAL
