"""Runs on a real Dask LocalCluster of worker processes (`--executor dask-local:N`): the
findings of a scan are those of the local executor; a worker killed in the middle of a
batch costs nothing (Dask runs the batch again elsewhere); the cluster never outlives its
run, not even a coordinator killed with SIGKILL; a mistaken or unreachable executor is one
line and exit 2."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from execution_support import Workspace
from waivern_orchestration.store.run_store import RunStore

pytest.importorskip("distributed")

SCAN = """\
name: scan
description: files, findings, summary
artifacts:
  files:
    source: {type: filesystem, properties: {path: data}}
  findings:
    inputs: files
    process: {type: personal_data}
  summary:
    inputs: findings
    process: {type: findings_summary}
    output: true
"""


def _corpus(folder: Path, files: int = 16) -> None:
    chooser = random.Random(11)
    vocabulary = [
        "the",
        "order",
        "was",
        "sent",
        "to",
        "our",
        "customer",
        "with",
        "a",
        "note",
        "about",
        "the",
        "invoice",
    ]
    folder.mkdir()
    for number in range(files):
        lines = []
        for row in range(14_000):
            line = " ".join(chooser.choice(vocabulary) for _ in range(9))
            if row % 50 == 0:
                line += f" mail person{number}.{row}@mail{row % 5}.org"
            lines.append(line)
        (folder / f"part-{number:02}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _marked(mark: str) -> list[int]:
    """Processes whose environment carries ``mark`` (the run's and all it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if f"WCT_TEST_MARK={mark}".encode() in environment.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def _gone(mark: str, seconds: float = 15) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := _marked(mark)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _findings(workspace: Workspace, run_id: str) -> list[Any]:
    with RunStore(workspace.store, read_only=True) as store:
        message = store.message(run_id, "findings")
        assert message is not None
        return list(message.content["findings"])


def _run_id(result: subprocess.CompletedProcess[str]) -> str:
    return str(json.loads(result.stdout.splitlines()[0])["run_id"])


@pytest.fixture
def scan(workspace: Workspace) -> Path:
    _corpus(workspace.folder / "data")
    return workspace.write("runbook.yaml", SCAN)


def test_a_scan_on_a_local_cluster_finds_what_the_local_executor_finds(
    workspace: Workspace, scan: Path
) -> None:
    mark = uuid.uuid4().hex
    command = ("run", scan, "--events", "--store", workspace.store)
    on_dask = workspace.wct(
        *command, "--executor", "dask-local:2", timeout=180, env={"WCT_TEST_MARK": mark}
    )
    assert on_dask.returncode == 0, on_dask.stderr
    assert _gone(mark) == [], "the LocalCluster outlived its run"
    local = workspace.wct(*command, "--executor", "local", timeout=180)
    assert local.returncode == 0, local.stderr

    dask_run, local_run = _run_id(on_dask), _run_id(local)
    expected = _findings(workspace, local_run)
    assert len(expected) > 4000
    assert _findings(workspace, dask_run) == expected
    listed = json.loads(workspace.wct("runs", "--json", "--store", workspace.store).stdout)
    assert {run["run_id"]: run["executor"] for run in listed} == {
        dask_run: "dask-local:2",
        local_run: "local",
    }


def test_a_worker_killed_in_the_middle_of_a_batch_costs_nothing(
    workspace: Workspace, scan: Path
) -> None:
    mark = uuid.uuid4().hex
    command = ("run", scan, "--events", "--store", workspace.store)
    process = workspace.start_wct(
        *command, "--executor", "dask-local:2", env={"WCT_TEST_MARK": mark}
    )
    assert process.stdout is not None
    killed = None
    run_id = ""
    for line in process.stdout:
        event = json.loads(line)
        run_id = event["run_id"]
        if killed is None and event["event"] == "artifact_progress" and event["bytes"] > 0:
            # A worker process of the cluster (started by the run; its nannies live in the
            # run's own process and start another in its place).
            workers = [
                pid
                for pid in _marked(mark)
                if pid != process.pid and "spawn_main" in _command_line(pid)
            ]
            assert workers, "no worker processes found"
            killed = workers[0]
            os.kill(killed, signal.SIGKILL)
    assert process.wait(timeout=180) == 0, process.stderr.read() if process.stderr else ""
    assert killed is not None, "the batches finished before a worker could be killed"
    assert _gone(mark) == []

    local = workspace.wct(*command, timeout=180)
    assert _findings(workspace, run_id) == _findings(workspace, _run_id(local))


def test_the_cluster_dies_with_a_coordinator_killed_by_sigkill(
    workspace: Workspace, scan: Path
) -> None:
    mark = uuid.uuid4().hex
    process = workspace.start_wct(
        "run", scan, "--events", "--executor", "dask-local:2", "--store", workspace.store,
        env={"WCT_TEST_MARK": mark},
    )  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:
        if json.loads(line)["event"] == "artifact_progress":
            break
    assert len(_marked(mark)) >= 3  # the run, and the cluster's processes
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert _gone(mark) == [], "cluster processes outlived the run's process"


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.parametrize(
    ("executor", "said"),
    [
        ("dask-local:0", "the number of workers after `dask-local:` must be a whole number"),
        ("dask://nowhere", "give the scheduler as dask://HOST:PORT"),
        ("spark://x:1", "unknown executor 'spark://x:1'"),
        ("dask://127.0.0.1:9", "cannot reach the Dask scheduler at tcp://127.0.0.1:9"),
    ],
)
def test_an_executor_that_cannot_be_used_is_one_line_and_exit_2(
    workspace: Workspace, executor: str, said: str
) -> None:
    (workspace.folder / "data").mkdir()
    runbook = workspace.write("runbook.yaml", SCAN)
    result = workspace.wct("run", runbook, "--executor", executor, "--store", workspace.store)
    assert result.returncode == 2
    assert result.stderr.startswith("wct: ") and said in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
