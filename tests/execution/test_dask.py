"""Runs on a real Dask LocalCluster of worker processes (`--executor dask-local:N`): the
findings of a scan are those of the local executor; a worker killed in the middle of a
batch costs nothing (Dask runs the batch again elsewhere); the cluster never outlives its
run, not even a coordinator killed with SIGKILL; a mistaken or unreachable executor is one
line and exit 2."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from execution_support import Workspace, plugin_env
from runbook_samples import FULL_SCAN
from waivern_orchestration.store.run_store import RunStore

pytest.importorskip("distributed")


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
    return workspace.write("runbook.yaml", FULL_SCAN)


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
    runbook = workspace.write("runbook.yaml", FULL_SCAN)
    result = workspace.wct("run", runbook, "--executor", executor, "--store", workspace.store)
    assert result.returncode == 2
    assert result.stderr.startswith("wct: ") and said in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    # Refused before anything is recorded: no run is left behind.
    listed = workspace.wct("runs", "--json", "--store", workspace.store)
    assert listed.returncode != 0 or json.loads(listed.stdout) == []


def _scheduler_address(scheduler_file: Path) -> str:
    """The address in the scheduler's file, once it is there and whole (the scheduler
    writes it in place: it can be read empty, or half written)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            address = json.loads(scheduler_file.read_text())["address"]
        except (OSError, ValueError, KeyError):
            time.sleep(0.05)  # (polling a file: nothing to wait on)
            continue
        return str(address)
    pytest.fail(f"the scheduler wrote no address to {scheduler_file} in 60 s")


class Cluster:
    """`dask scheduler` and `dask worker` processes, as a team runs them (stopped at the
    end of the test, whatever happened)."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.processes: list[subprocess.Popen[bytes]] = []
        self.address = ""

    def start(
        self,
        workers: int = 2,
        tls: list[str] | None = None,
        worker_env: dict[str, str] | None = None,
    ) -> str:
        dask = str(Path(os.environ.get("VIRTUAL_ENV", "")) / "bin" / "dask")
        if not Path(dask).exists():
            dask = str(Path(sys.executable).parent / "dask")
        scheduler_file = self.folder / "scheduler.json"
        scheduler = [dask, "scheduler", "--port", "0", "--dashboard-address", ":0", *(tls or [])]
        if tls:
            scheduler += ["--protocol", "tls"]
        self.processes.append(self._start(*scheduler, "--scheduler-file", str(scheduler_file)))
        self.address = _scheduler_address(scheduler_file)
        worker = [dask, "worker", "--scheduler-file", str(scheduler_file), "--no-dashboard"]
        worker += tls or []
        worker += ["--nworkers", str(workers), "--nthreads", "1"]
        self.processes.append(self._start(*worker, env=worker_env))
        from distributed import Client

        security = None
        if tls:
            from distributed.security import Security

            ca, cert, key = tls[1], tls[3], tls[5]
            security = Security(  # type: ignore[no-untyped-call]
                tls_ca_file=ca, tls_client_cert=cert, tls_client_key=key, require_encryption=True
            )
        with Client(self.address, timeout=60, security=security) as client:  # type: ignore[no-untyped-call]
            client.wait_for_workers(workers, timeout=60)
        return self.address.replace("tcp://", "dask://")

    def _start(self, *command: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        with (self.folder / "cluster.log").open("ab") as log:  # what an operator would read
            return subprocess.Popen(
                command,
                cwd=self.folder,
                env=env or self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )

    def log(self) -> str:
        return (self.folder / "cluster.log").read_text(encoding="utf-8", errors="replace")

    def kill_scheduler(self) -> None:
        self.processes[0].send_signal(signal.SIGKILL)
        self.processes[0].wait()

    def stop(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def cluster(workspace: Workspace) -> Iterator[Cluster]:
    # The workers see none of the test's plug-in (as workers without it installed).
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    started = Cluster(workspace.folder, env)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def plugin_cluster(workspace: Workspace) -> Iterator[Cluster]:
    """A cluster whose workers have the test's plug-in installed."""
    started = Cluster(workspace.folder, plugin_env(workspace.plugin))
    try:
        yield started
    finally:
        started.stop()


def test_a_scheduler_gone_mid_run_ends_it_interrupted_and_a_local_resume_completes_it(
    workspace: Workspace, scan: Path, cluster: Cluster
) -> None:
    address = cluster.start()
    command = ("run", scan, "--events", "--store", workspace.store)
    process = workspace.start_wct(*command, "--executor", address)
    assert process.stdout is not None
    for line in process.stdout:  # the scan's batches go to the cluster: kill its scheduler
        event = json.loads(line)
        if event["event"] == "artifact_started" and event["artifact"] == "findings":
            cluster.kill_scheduler()
            break
    # The run notices within a bounded time (no hang), and says why.
    assert process.wait(timeout=60) == 1
    finished = [json.loads(line) for line in process.stdout][-1]
    assert finished["event"] == "run_finished" and finished["status"] == "interrupted"
    assert "the cluster running the batches is gone" in finished["reason"]
    run_id = finished["run_id"]
    assert workspace.run_record(run_id).status == "interrupted"

    resumed = workspace.wct(*command, "--resume", run_id, "--executor", "local", timeout=180)
    assert resumed.returncode == 0, resumed.stderr
    clean = workspace.wct(*command, timeout=180)
    assert _findings(workspace, run_id) == _findings(workspace, _run_id(clean))
    listed = json.loads(workspace.wct("runs", "--json", "--store", workspace.store).stdout)
    assert {run["run_id"]: run["executor"] for run in listed}[run_id] == "local"


def test_a_component_the_workers_cannot_import_is_one_clear_error(
    workspace: Workspace, cluster: Cluster
) -> None:
    address = cluster.start(workers=1)
    (workspace.folder / "data").mkdir()
    (workspace.folder / "data" / "a.txt").write_text("some text\n", encoding="utf-8")
    runbook = workspace.write(
        "runbook.yaml",
        """\
        name: plug-in on workers
        description: the workers lack the plug-in
        artifacts:
          numbers:
            source: {type: test_stream, properties: {count: 50}}
            optional: true
          files:
            source: {type: filesystem, properties: {path: data}}
          upper:
            inputs: files
            process: {type: test_items, properties: {count: 0}}
            output: true
        """,
    )
    result = workspace.wct(
        "run", runbook, "--executor", address, "--store", workspace.store, timeout=120
    )
    assert result.returncode == 1
    artifacts = workspace.artifacts(_last_run(workspace))
    for artifact, kind, name in (
        ("numbers", "connector", "test_stream"),
        ("upper", "processor", "test_items"),
    ):
        error = artifacts[artifact].error or ""
        assert error == (
            f"{kind} {name!r} (waivern_test_components) cannot be loaded where it runs: "
            "No module named 'waivern_test_components'; install the package that provides "
            "it on every worker"
        ), error


def _last_run(workspace: Workspace) -> str:
    listed = json.loads(workspace.wct("runs", "--json", "--store", workspace.store).stdout)
    return str(listed[0]["run_id"])


def test_sigterm_stops_the_run_resumable_and_closes_its_cluster(
    workspace: Workspace, scan: Path
) -> None:
    mark = uuid.uuid4().hex
    command = ("run", scan, "--events", "--store", workspace.store)
    process = workspace.start_wct(
        *command, "--executor", "dask-local:2", env={"WCT_TEST_MARK": mark}
    )
    assert process.stdout is not None
    for line in process.stdout:
        event = json.loads(line)
        if event["event"] == "artifact_started" and event["artifact"] == "findings":
            process.send_signal(signal.SIGTERM)
            break
    assert process.wait(timeout=60) == 1
    finished = [json.loads(line) for line in process.stdout][-1]
    assert (finished["status"], finished["reason"]) == ("interrupted", "interrupted by SIGTERM")
    assert _gone(mark) == [], "the LocalCluster outlived its run"

    resumed = workspace.wct(*command, "--resume", finished["run_id"], timeout=180)
    assert resumed.returncode == 0, resumed.stderr


def test_connectors_run_on_the_workers_and_stream_their_items_to_the_store(
    workspace: Workspace,
) -> None:
    mark = uuid.uuid4().hex
    (workspace.folder / "data").mkdir()
    runbook = workspace.write(
        "runbook.yaml",
        """\
        name: sources on the cluster
        description: a streamed source, a source that fails on the worker
        artifacts:
          numbers:
            source: {type: test_stream, properties: {count: 2500}}
            output: true
          missing:
            source: {type: filesystem, properties: {path: nowhere}}
            optional: true
        """,
    )
    result = workspace.wct(
        "run", runbook, "--events", "--executor", "dask-local:2", "--store", workspace.store,
        timeout=180, env={"WCT_TEST_MARK": mark},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    run_id = _run_id(result)
    with RunStore(workspace.store, read_only=True) as store:
        message = store.message(run_id, "numbers")
        assert message is not None
        items = [item["content"] for item in message.content["items"]]
        assert store.stored_stream(run_id, "numbers").positions == {0, 1, 2}
    assert items == [f"item {n}" for n in range(2500)]
    error = workspace.artifacts(run_id)["missing"].error or ""
    assert error.startswith("path 'nowhere' does not exist"), error
    # The connectors ran in the cluster's worker processes, not in the run's.
    assert _gone(mark) == []


def test_a_tls_cluster_is_used_with_dasks_tls_settings_and_refused_without(
    workspace: Workspace, scan: Path, cluster: Cluster
) -> None:
    key, cert = workspace.folder / "key.pem", workspace.folder / "cert.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    files = ["--tls-ca-file", str(cert), "--tls-cert", str(cert), "--tls-key", str(key)]
    address = cluster.start(workers=1, tls=files)
    assert address.startswith("tls://")
    command = ("run", scan, "--events", "--executor", address, "--store", workspace.store)

    refused = workspace.wct(*command, timeout=120)
    assert refused.returncode == 2, refused.stderr[-3000:]
    assert refused.stderr == (
        f"wct: cannot reach the Dask scheduler at {address}: Dask's TLS settings are missing "
        "(DASK_DISTRIBUTED__COMM__TLS__CA_FILE, DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT, "
        "or distributed.comm.tls in Dask's configuration; see docs/distributed.md)\n"
    )

    settings = {
        "DASK_DISTRIBUTED__COMM__TLS__CA_FILE": str(cert),
        "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": str(cert),
        "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": str(key),
    }
    result = workspace.wct(*command, timeout=180, env=settings)
    assert result.returncode == 0, result.stderr
    listed = json.loads(workspace.wct("runs", "--json", "--store", workspace.store).stdout)
    assert listed[0]["executor"] == address


def test_a_secret_reaches_the_workers_only_inside_its_task(
    workspace: Workspace, plugin_cluster: Cluster
) -> None:
    cluster = plugin_cluster
    secret = "s3cr3t-" + uuid.uuid4().hex
    address = cluster.start(workers=1)
    runbook = workspace.write(
        "runbook.yaml",
        """\
        name: a secret on the cluster
        description: a property holds a secret; the batch fails, so the worker logs it
        artifacts:
          numbers:
            source: {type: test_stream, properties: {count: 20, token: "${WCT_TOKEN}"}}
          upper:
            inputs: numbers
            process: {type: test_items, properties: {count: 0, token: "${WCT_TOKEN}", fail: true}}
            output: true
        """,
    )
    env = {"WCT_TOKEN": secret}
    result = workspace.wct(
        "run", runbook, "--events", "--executor", address, "--store", workspace.store,
        timeout=120, env=env,
    )  # fmt: skip
    assert result.returncode == 1
    assert "this batch fails" in (workspace.artifacts(_run_id(result))["upper"].error or "")

    from distributed import Client

    with Client(cluster.address, timeout=30) as client:  # type: ignore[no-untyped-call]
        names = client.run_on_scheduler(
            lambda dask_scheduler: [str(key) for key in dask_scheduler.task_prefixes]
        )
        events = repr(client.get_events())
    assert names == ["wct"], names  # every task's name: `wct-<run>-<attempt>-<n>`
    assert secret not in events
    assert "Compute Failed" in cluster.log()  # the worker logged the failed task ...
    assert secret not in cluster.log()  # ... without the properties it was given
    assert secret not in result.stdout + result.stderr


def test_workers_that_cannot_read_the_tasks_stop_the_run_instead_of_hanging_it(
    workspace: Workspace,
) -> None:
    # The scheduler has the plug-in, its workers do not: they fail on the first task and
    # stop. With no workers left, the run ends interrupted (resumable), in bounded time.
    without = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    cluster = Cluster(workspace.folder, plugin_env(workspace.plugin))
    try:
        address = cluster.start(workers=1, worker_env=without)
        runbook = workspace.write(
            "runbook.yaml",
            """\
            name: plug-in on the scheduler only
            description: the workers lack it
            artifacts:
              numbers:
                source: {type: test_stream, properties: {count: 50}}
                output: true
            """,
        )
        started = time.monotonic()
        result = workspace.wct(
            "run", runbook, "--events", "--executor", address, "--store", workspace.store,
            timeout=180,
        )  # fmt: skip
        took = time.monotonic() - started
    finally:
        cluster.stop()
    assert result.returncode == 1, result.stderr
    finished = json.loads(result.stdout.splitlines()[-1])
    assert finished["status"] == "interrupted"
    assert "the cluster running the batches has had no workers for 30 s" in finished["reason"]
    assert took < 120
