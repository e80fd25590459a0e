"""Benchmark of runs on Dask (`wct run --executor dask-local:N`): the scan corpus on a
LocalCluster against one process and this machine's process pool, what each artifact
and each task costs, and how Dask's scheduler copes as the workers grow.

On Dask, the batches of item-wise processors (the `personal_data` scan) and connectors'
`extract` are tasks; the `wct run` process plans, stores every batch and runs the
aggregating processors. So:

1. scan: the corpus `scan.py` generates (its generator and scoring, imported) run as
   `scan.py`'s runbook with `--executor local --workers 1` (one process: the floor),
   `--executor local` (this machine's pool, every core) and `--executor dask-local:N`:
   wall time, MB/s, throughput over the floor's, the CPU time of the `wct run` process
   itself, peak memory, recall and precision, and whether the findings are the floor's.
2. per artifact: a runbook of N `personal_data` artifacts over one tiny file, on
   `dask-local:N` and `local`: ms per artifact over the same runbook with the source
   alone (start-up, LocalCluster included); then the round trip of one no-op task on a
   LocalCluster like `dask-local:N`'s, against the same on a process pool like `local`'s.
3. many workers, simulated: 2,000 no-op tasks on a LocalCluster of single-thread workers
   in one process (threads, not processes; TCP between them as on a real cluster; their
   profilers and monitors off) at 2, 10, 20 (and up to `--simulate-workers`) workers:
   tasks/s and the CPU cost per task, and what that and the figures above imply for 100
   workers (in CPU time, so that other work on the machine does not skew it).

Targets are printed for information only (exit code 0 either way; 1 when the benchmark
broke: Dask missing, a run failed). Every LocalCluster is closed and every temporary
folder deleted; a process a run leaves behind is counted, ended and reported.

    .venv/bin/python benchmarks/distributed.py [--mb 200] [--sizes 100,1000] [--repeat 1]
        [--simulate-workers 20] [--tasks 1000] [--dask-workers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import importlib
import json
import logging
import multiprocessing
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import scan  # benchmarks/scan.py: the corpus, the runbook, the timed run and the scoring
import table  # benchmarks/table.py (the scripts run from this folder)
from waivern_orchestration.execution.streaming import WORK_CHARS, WORK_ITEMS, sized_batches


def _import_dask() -> bool:
    """Imports Dask's `distributed` package, which has this file's name: with this folder
    (first on sys.path when the script runs) left out, so that `import distributed` finds
    the package, here and in the worker processes a LocalCluster spawns (they import this
    file first). False when Dask is not installed."""
    folder = Path(__file__).resolve().parent
    saved = sys.path[:]
    sys.path[:] = [entry for entry in saved if Path(entry or ".").resolve() != folder]
    try:
        importlib.import_module("distributed")
    except ImportError:
        return False
    finally:
        sys.path[:] = saved
    return True


DASK = _import_dask()

MB = scan.MB
SEED = 11  # scan.py's: the same corpus as its `--mb` run of this size
TARGET_SPEEDUP = 1.7
TARGET_MS_PER_ARTIFACT = 5.0
TARGET_ARTIFACTS = 1_000
SIMULATED_STEPS = (2, 10, 20, 50, 100, 200)
LEFT_BEHIND_GRACE_SECONDS = 3.0
CONNECT_SECONDS = 120  # a LocalCluster of a hundred workers on two busy cores is slow to answer
QUIET_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.interval": "1h",
    "distributed.worker.memory.monitor-interval": "1h",
}
PR_SET_CHILD_SUBREAPER = 36


def _progress(line: str) -> None:
    print(f"distributed.py: {line}", file=sys.stderr, flush=True)


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


# --- processes a run leaves behind ---------------------------------------------------------


def adopt_orphans() -> bool:
    """Makes this process the subreaper of everything it starts (Linux): a process that
    outlives its `wct run` (a Dask worker, a nanny) becomes our child, to be counted."""
    if not sys.platform.startswith("linux"):
        return False
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) == 0
    return False


def _children() -> dict[int, tuple[str, str]]:
    """This process' children now: state and command line."""
    found: dict[int, tuple[str, str]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(os.path.join(entry.path, "stat"), encoding="ascii", errors="replace") as f:
                fields = f.read().rpartition(")")[2].split()
            with open(os.path.join(entry.path, "cmdline"), "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if len(fields) > 1 and fields[1] == str(os.getpid()):
            found[int(entry.name)] = (fields[0], command)
    return found


def ended_left_behind(
    grace: float, *, ignore: Callable[[str], bool] = lambda _: False
) -> list[str]:
    """Children still running ``grace`` seconds after everything we started was waited
    for: each one left behind by a run (reparented to us). They are killed, by id, and
    reaped; what they were is returned."""
    deadline = time.monotonic() + grace
    while True:
        alive: dict[int, str] = {}
        for pid, (state, command) in _children().items():
            if state == "Z":  # exited: reaped here, nobody else waits for it
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, os.WNOHANG)
            elif not ignore(command):
                alive[pid] = command
        if not alive or time.monotonic() >= deadline:
            break
        time.sleep(0.1)
    for pid in alive:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    return [f"{pid}: {command[:120]}" for pid, command in alive.items()]


def _multiprocessing_helper(command: str) -> bool:
    return "resource_tracker" in command or "forkserver" in command


# --- runs: a runbook on each executor ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Executor:
    label: str
    arguments: tuple[str, ...]


def executors(dask_workers: int) -> list[Executor]:
    cores = os.cpu_count() or 1
    return [
        Executor("local --workers 1 (floor)", ("--executor", "local", "--workers", "1")),
        Executor(f"local ({cores} processes)", ("--executor", "local")),
        Executor(f"dask-local:{dask_workers}", ("--executor", f"dask-local:{dask_workers}")),
    ]


@dataclass
class Runs:
    """`wct run` in a fresh process (`scan.timed_run`), each in a store of its own, with
    the processes each run leaves behind counted (and ended)."""

    wct: Path
    repeat: int
    left_behind: list[str]

    def medians(
        self, name: str, runbook: Path, choices: Sequence[Executor]
    ) -> dict[str, tuple[scan.RunMeasure, Path]]:
        """Per executor: the median of `repeat` runs of ``runbook`` (interleaved, so a slow
        spell of the machine hits every executor) and the store of the last one."""
        runs: dict[str, list[scan.RunMeasure]] = {choice.label: [] for choice in choices}
        stores: dict[str, Path] = {}
        for sample in range(self.repeat):
            for index, choice in enumerate(choices):
                measures = runs[choice.label]
                if measures and measures[-1].failure:
                    continue
                stores[choice.label] = runbook.parent / f"{runbook.stem}-store-{index}"
                _progress(f"{name} ({sample + 1}/{self.repeat}): {choice.label}")
                measures.append(
                    scan.timed_run(self.wct, runbook, stores[choice.label], choice.arguments)
                )
                self.left_behind += ended_left_behind(LEFT_BEHIND_GRACE_SECONDS)
                if measures[-1].failure:
                    _progress(f"{name}: {choice.label} failed: {measures[-1].failure}")
        return {
            label: (scan._median_run(measures), stores[label]) for label, measures in runs.items()
        }


def write_artifacts_runbook(path: Path, data: Path, artifacts: int) -> None:
    """The `files` source over a folder of one tiny file and ``artifacts`` `personal_data`
    artifacts reading it (none: the source alone, what a run costs whatever it does)."""
    lines = [
        "name: Per-artifact overhead benchmark",
        "description: Many personal_data artifacts over one tiny file.",
        "artifacts:",
        "  files:",
        "    source:",
        "      type: filesystem",
        "      properties:",
        f"        path: {json.dumps(str(data))}",
    ]
    for index in range(1, artifacts + 1):
        lines += [
            f"  scan_{index:05d}:",
            "    inputs: files",
            "    process:",
            "      type: personal_data",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def tiny_data(folder: Path) -> Path:
    data = folder / "data"
    data.mkdir()
    (data / "contact.txt").write_text(
        "Notes from the meeting.\nContact: olivia.smith@northwind.io\nNothing else.\n",
        encoding="utf-8",
    )
    return data


# --- 1. the scan corpus on each executor ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScanRow:
    executor: Executor
    start_up: scan.RunMeasure  # the source alone over one tiny file: what any run costs
    run: scan.RunMeasure  # the scan, medians
    findings: list[dict[str, Any]] | None  # None when the run failed
    score: scan.Score | None

    @property
    def scanning(self) -> float:
        """Seconds of the scan beyond the start-up."""
        return max(self.run.seconds - self.start_up.seconds, 1e-3)


def write_corpus(root: Path, megabytes: float) -> scan.Corpus:
    randomness = random.Random(SEED)
    pool = scan.FillerPool(randomness, scan.POOL_BYTES)
    writer = scan.CorpusWriter(randomness, pool, scan.PlantedValues(randomness))
    return writer.megabytes(root, megabytes=megabytes)


def work_batches(corpus: scan.Corpus) -> int:
    """How many batches `personal_data` sends to the workers for this corpus: the engine's
    split (`streaming.sized_batches`) of the files in path order."""
    files = sorted(path for path in corpus.root.rglob("*") if path.is_file())
    items = [{"content": {"$file": str(path), "size": path.stat().st_size}} for path in files]
    return sum(1 for _ in sized_batches(items, WORK_ITEMS, WORK_CHARS))


def largest_file(corpus: scan.Corpus) -> int:
    return max(path.stat().st_size for path in corpus.root.rglob("*") if path.is_file())


def run_scans(
    corpus: scan.Corpus,
    folder: Path,
    runs: Runs,
    choices: Sequence[Executor],
    start_ups: dict[str, tuple[scan.RunMeasure, Path]],
    paged: bool,
) -> list[ScanRow]:
    runbook = folder / "scan.yaml"
    scan.write_runbook(runbook, corpus)  # scan.py's: files -> findings -> summary
    measured = runs.medians("scan", runbook, choices)
    rows: list[ScanRow] = []
    for choice in choices:
        run, store = measured[choice.label]
        start_up = start_ups[choice.label][0]
        if run.failure:
            rows.append(ScanRow(choice, start_up, run, None, None))
            continue
        findings = scan.read_findings(runs.wct, run.run_id, store, paged)
        score = scan.score(corpus.plants, findings)
        rows.append(ScanRow(choice, start_up, run, findings, score))
    return rows


def same_findings(row: ScanRow, floor: ScanRow) -> str:
    if row is floor:
        return "(floor)"
    if row.findings is None or floor.findings is None:
        return "n/a"
    if row.findings == floor.findings:
        return "yes"

    def keys(findings: list[dict[str, Any]]) -> list[str]:
        return sorted(json.dumps(finding, sort_keys=True) for finding in findings)

    if keys(row.findings) == keys(floor.findings):
        return "yes, other order"
    return f"no ({len(set(keys(row.findings)) ^ set(keys(floor.findings))):,} differ)"


def print_scans(corpus: scan.Corpus, batches: int, rows: list[ScanRow]) -> None:
    print(
        f"scan corpus (scan.py's generator): {corpus.bytes / MB:,.1f} MB in {corpus.files:,} "
        f"files, the largest {largest_file(corpus) / MB:,.1f} MB; {len(corpus.plants):,} "
        f"planted values; {batches:,} batches for the workers"
    )
    floor = rows[0]
    header = (
        "executor",
        "start-up s",
        "wct s",
        "MB/s",
        "x 1 process",
        "x 1 process, start-up excluded",
        "wct process CPU s",
        "peak RSS MB",
        "findings",
        "recall",
        "precision",
        "findings as the floor's",
    )
    lines: list[list[str]] = []
    for row in rows:
        seconds = row.run.seconds
        ok = row.score is not None and floor.score is not None
        lines.append(
            [
                row.executor.label,
                f"{row.start_up.seconds:,.2f}",
                f"{seconds:,.2f}",
                f"{corpus.bytes / MB / seconds:,.1f}",
                f"{floor.run.seconds / seconds:.2f}" if ok else "n/a",
                f"{floor.scanning / row.scanning:.2f}" if ok else "n/a",
                f"{row.run.own_cpu:,.2f}",
                f"{max(row.run.tree_peak, row.run.largest_process) / MB:,.0f}",
                f"{row.score.findings:,}" if row.score else "failed",
                scan._fraction(row.score.recall) if row.score else "failed",
                scan._fraction(row.score.precision) if row.score else "failed",
                same_findings(row, floor),
            ]
        )
    table.print_table(header, lines, left_first=True)
    for row in rows:
        for what, run in (("start-up", row.start_up), ("scan", row.run)):
            if run.failure:
                print(f"{row.executor.label}: {what} run failed ({run.failure})")


# --- 2. what an artifact and a task cost ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArtifactRow:
    artifacts: int
    runs: dict[str, scan.RunMeasure]  # per executor label, medians


def run_artifacts(
    folder: Path, data: Path, runs: Runs, sizes: Sequence[int], choices: Sequence[Executor]
) -> list[ArtifactRow]:
    rows: list[ArtifactRow] = []
    for artifacts in sizes:
        runbook = folder / f"artifacts-{artifacts}.yaml"
        write_artifacts_runbook(runbook, data, artifacts)
        measured = runs.medians(f"{artifacts:,} artifacts", runbook, choices)
        rows.append(ArtifactRow(artifacts, {label: run for label, (run, _) in measured.items()}))
    return rows


def ms_per_artifact(
    row: ArtifactRow, start_ups: dict[str, tuple[scan.RunMeasure, Path]], label: str
) -> float:
    """Wall time over the start-up's (the source alone), per artifact."""
    return (row.runs[label].seconds - start_ups[label][0].seconds) / row.artifacts * 1000


def print_artifacts(
    rows: list[ArtifactRow],
    start_ups: dict[str, tuple[scan.RunMeasure, Path]],
    local: str,
    dask: str,
) -> None:
    print()
    print("per artifact: personal_data artifacts over one tiny file (0: the source alone)")
    header = (
        "artifacts",
        f"{local} s",
        f"{dask} s",
        f"{local} ms/artifact",
        f"{dask} ms/artifact",
        "Dask extra ms/artifact",
    )
    lines = [
        ["0", f"{start_ups[local][0].seconds:,.2f}", f"{start_ups[dask][0].seconds:,.2f}"]
        + ["(start-up)"] * 3
    ]
    for row in rows:
        on_local = ms_per_artifact(row, start_ups, local)
        on_dask = ms_per_artifact(row, start_ups, dask)
        lines.append(
            [
                f"{row.artifacts:,}",
                f"{row.runs[local].seconds:,.2f}",
                f"{row.runs[dask].seconds:,.2f}",
                f"{on_local:,.1f}",
                f"{on_dask:,.1f}",
                f"{on_dask - on_local:,.1f}",
            ]
        )
    table.print_table(header, lines, left_first=False)
    for row in rows:
        for label, run in row.runs.items():
            if run.failure:
                print(f"{row.artifacts:,} artifacts, {label}: wct run failed ({run.failure})")


def no_op(value: int) -> int:
    return value


@contextlib.contextmanager
def dask_cluster(workers: int, *, processes: bool, quiet: bool = False) -> Iterator[Any]:
    """A client of a LocalCluster of ``workers`` single-thread workers, closed with it.
    ``quiet``: the workers' profilers and system monitors off (in a simulation of many
    workers in one process they would share its cores; on a real cluster each worker has
    its own)."""
    import dask

    from distributed import Client, LocalCluster

    settings = QUIET_WORKERS if quiet else {}
    # (The settings are read as the workers start.)
    with dask.config.set(settings), warnings.catch_warnings():
        # The scheduler's HTTP server moves off 8787 when something holds it: not news.
        warnings.filterwarnings("ignore", message=r"Port \d+ is already in use")
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            protocol="tcp://",  # as a real cluster talks (in one process it would be inproc)
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
        )
    with (
        cluster,
        Client(  # type: ignore[no-untyped-call]
            cluster, set_as_default=False, timeout=CONNECT_SECONDS
        ) as client,
    ):
        yield client


@dataclass(frozen=True, slots=True)
class RoundTrips:
    median_ms: float
    p95_ms: float
    together_ms: float  # per task, all submitted at once


def _round_trips(
    submit: Callable[[int], Any], gather: Callable[[list[Any]], Any], tasks: int
) -> RoundTrips:
    for index in range(20):  # warm: the function is shipped and imported once
        submit(index).result()
    times: list[float] = []
    for index in range(tasks):
        started = time.perf_counter()
        submit(index).result()
        times.append(time.perf_counter() - started)
    started = time.perf_counter()
    gather([submit(index) for index in range(tasks)])
    together = (time.perf_counter() - started) / tasks
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return RoundTrips(statistics.median(times) * 1000, p95 * 1000, together * 1000)


def measure_round_trips(workers: int, tasks: int) -> tuple[RoundTrips, RoundTrips]:
    """A no-op task's round trip on a process pool like `local`'s (spawned workers), then
    on a LocalCluster like `dask-local`'s (worker processes, one thread each)."""
    _progress(f"round trips: process pool of {workers}")
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        local = _round_trips(
            lambda index: pool.submit(no_op, index),
            lambda futures: [future.result() for future in futures],
            tasks,
        )
    _progress(f"round trips: LocalCluster of {workers} worker processes")
    with dask_cluster(workers, processes=True) as client:
        dask = _round_trips(
            lambda index: client.submit(no_op, index, pure=False),
            client.gather,
            tasks,
        )
    return local, dask


def print_round_trips(
    tasks: int, local: RoundTrips, dask: RoundTrips, local_label: str, dask_label: str
) -> None:
    print()
    print(f"one no-op task, submit to result ({tasks:,} tasks):")
    header = ("pool", "one at a time: median ms", "p95 ms", "all at once: ms per task")
    lines = [
        [f"process pool, as {local_label} (the floor)", *_trip_cells(local)],
        [f"LocalCluster, as {dask_label}", *_trip_cells(dask)],
    ]
    table.print_table(header, lines, left_first=True)


def _trip_cells(trips: RoundTrips) -> list[str]:
    return [f"{trips.median_ms:.2f}", f"{trips.p95_ms:.2f}", f"{trips.together_ms:.2f}"]


# --- 3. many workers, simulated ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SimulatedRow:
    workers: int
    tasks: int
    seconds: float | None  # median; None when the cluster failed
    cpu_seconds: float = 0.0  # median CPU time of this process: scheduler, workers, client
    error: str = ""

    @property
    def ms_per_task(self) -> float:
        return (self.seconds or 0.0) / self.tasks * 1000

    @property
    def cpu_ms_per_task(self) -> float:
        return self.cpu_seconds / self.tasks * 1000


def simulate(most: int, tasks: int, repeat: int) -> list[SimulatedRow]:
    steps = sorted({step for step in SIMULATED_STEPS if step < most} | {most})
    rows: list[SimulatedRow] = []
    for workers in steps:
        _progress(f"simulation: {tasks:,} tasks on {workers} workers")
        try:
            with dask_cluster(workers, processes=False, quiet=True) as client:
                warm = client.map(no_op, range(workers * 5), pure=False)  # every worker up
                client.gather(warm)
                samples: list[tuple[float, float]] = []
                for _ in range(repeat):
                    started, cpu = time.perf_counter(), time.process_time()
                    client.gather(client.map(no_op, range(tasks), pure=False))
                    samples.append((time.perf_counter() - started, time.process_time() - cpu))
        except Exception as error:  # a cluster this machine cannot hold: said on its row
            failure = f"{type(error).__name__}: {error}"
            rows.append(SimulatedRow(workers, tasks, None, error=failure))
            continue
        seconds = statistics.median(sample[0] for sample in samples)
        cpu = statistics.median(sample[1] for sample in samples)
        rows.append(SimulatedRow(workers, tasks, seconds, cpu))
    return rows


def print_simulation(rows: list[SimulatedRow]) -> None:
    print()
    print(
        f"many workers, simulated: {rows[0].tasks:,} no-op tasks submitted at once to a "
        "LocalCluster of single-thread workers in one process (threads; TCP between them; "
        "the workers' profilers and monitors off)"
    )
    header = ("workers", "s", "tasks/s", "ms per task", "CPU ms per task", "x 2 workers")
    first = rows[0]
    lines: list[list[str]] = []
    for row in rows:
        if row.seconds is None:
            lines.append([f"{row.workers:,}", "failed", *["n/a"] * 4])
            continue
        growth = row.cpu_ms_per_task / first.cpu_ms_per_task if first.cpu_seconds else None
        lines.append(
            [
                f"{row.workers:,}",
                f"{row.seconds:.2f}",
                f"{row.tasks / row.seconds:,.0f}",
                f"{row.ms_per_task:.2f}",
                f"{row.cpu_ms_per_task:.2f}",
                f"{growth:.2f}" if growth is not None else "n/a",
            ]
        )
    table.print_table(header, lines, left_first=False)
    for row in rows:
        if row.error:
            print(f"{row.workers} workers: the cluster failed ({row.error[:200]})")


def print_implications(
    corpus: scan.Corpus, batches: int, scans: list[ScanRow], simulated: list[SimulatedRow]
) -> None:
    """What the figures above imply for 100 workers: how many workers busy on batches like
    these the scheduler and the coordinating `wct run` process keep up with. CPU times
    throughout, so that the figures hold on a machine busy with other work."""
    floor, on_dask = scans[0], scans[-1]
    megabytes = corpus.bytes / MB
    scanning_cpu = floor.run.own_cpu - floor.start_up.own_cpu
    if floor.run.failure or floor.start_up.failure or scanning_cpu <= 0:
        return
    rate = megabytes / scanning_cpu  # MB per CPU second: one core
    per_batch = megabytes / batches
    batch_seconds = per_batch / rate
    largest = largest_file(corpus)
    print()
    print("what this implies for 100 workers (CPU times):")
    print(
        f"  a batch holds {per_batch:.1f} MB on average ({batches:,} for {megabytes:,.0f} MB) "
        f"and takes {batch_seconds:.2f} s on one core ({rate:.1f} MB per CPU second: the "
        "floor's process, start-up excluded)"
    )
    measured = [row for row in simulated if row.seconds is not None and row.cpu_seconds > 0]
    if measured:
        worst = max(measured, key=lambda row: row.cpu_ms_per_task)
        print(
            f"  scheduler: {worst.cpu_ms_per_task:.2f} ms of CPU per task (the most measured, "
            f"at {worst.workers} simulated workers; the workers' and client's share in it): it "
            f"keeps up with ~{batch_seconds / (worst.cpu_ms_per_task / 1000):,.0f} workers busy "
            "on such batches"
        )
    if not on_dask.run.failure and not on_dask.start_up.failure:
        cpu = on_dask.run.own_cpu - on_dask.start_up.own_cpu
        if cpu > 0:
            workers = 1 / (rate * cpu / megabytes)
            findings = on_dask.score.findings if on_dask.score else 0
            print(
                f"  coordinator: the {on_dask.executor.label} `wct run` process used {cpu:.2f} s "
                f"of CPU beyond its start-up's ({cpu / megabytes * 1000:.1f} ms per MB, "
                f"{cpu / max(findings, 1) * 1e6:,.0f} µs per finding stored; the LocalCluster's "
                f"scheduler included): it keeps up with ~{workers:,.0f} workers"
            )
        else:
            print("  coordinator: its CPU beyond the start-up's is lost in the noise at this size")
    print(
        f"  a file is one task: the largest ({largest / MB:,.1f} MB, "
        f"{largest / corpus.bytes:.0%} of the corpus) caps the speedup on this corpus at "
        f"{corpus.bytes / largest:.1f}x, whatever the workers"
    )


def print_targets(
    scans: list[ScanRow],
    artifacts: list[ArtifactRow],
    start_ups: dict[str, tuple[scan.RunMeasure, Path]],
) -> None:
    print()
    print("targets (information only):")
    floor, on_dask = scans[0], scans[-1]
    dask = on_dask.executor.label
    target = f"{dask} ≥ {TARGET_SPEEDUP:g}x the single-process throughput"
    if floor.score is None or on_dask.score is None:
        print(f"  {target}: MISS (a run failed)")
    else:
        speedup = floor.run.seconds / on_dask.run.seconds
        print(
            f"  {target}: {_verdict(speedup >= TARGET_SPEEDUP)} ({speedup:.2f}x; "
            f"{floor.scanning / on_dask.scanning:.2f}x start-up excluded)"
        )
    scores = [row.score for row in scans if row.score is not None]
    if len(scores) == len(scans):
        pairs = sorted({(score.recall, score.precision) for score in scores})
        shown = ", ".join(f"{scan._fraction(r)} / {scan._fraction(p)}" for r, p in pairs)
        print(
            f"  recall and precision equal across executors: {_verdict(len(pairs) == 1)} ({shown})"
        )
        same = all(same_findings(row, floor).startswith(("yes", "(floor)")) for row in scans)
        print(f"  findings identical across executors: {_verdict(same)}")
    else:
        print("  recall and precision equal across executors: MISS (a run failed)")
    measured = [row for row in artifacts if not any(run.failure for run in row.runs.values())]
    if measured and not start_ups[dask][0].failure:
        at = next((row for row in measured if row.artifacts == TARGET_ARTIFACTS), measured[-1])
        per = ms_per_artifact(at, start_ups, dask)
        print(
            f"  {dask} ≤ {TARGET_MS_PER_ARTIFACT:g} ms per artifact at {at.artifacts:,} "
            f"artifacts: {_verdict(per <= TARGET_MS_PER_ARTIFACT)} ({per:.1f} ms)"
        )


def _section(show: Callable[..., None], *arguments: Any) -> None:
    """A section printed as soon as it is measured (a later failure does not lose it)."""
    show(*arguments)
    sys.stdout.flush()


def _sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mb", type=float, default=200.0, help="size of the scan corpus, MB")
    parser.add_argument(
        "--sizes", default="100,1000", help="personal_data artifacts per runbook (per artifact)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="samples per measure (medians)")
    parser.add_argument(
        "--simulate-workers", type=int, default=20, help="the most workers simulated (2 or more)"
    )
    parser.add_argument(
        "--tasks",
        type=int,
        default=1_000,
        help="no-op tasks per round-trip measure (the simulation submits twice as many)",
    )
    parser.add_argument(
        "--dask-workers", type=int, default=2, help="N of `--executor dask-local:N`"
    )
    arguments = parser.parse_args()
    if arguments.simulate_workers < 2:
        parser.error("--simulate-workers: 2 or more")
    if min(arguments.dask_workers, arguments.repeat, arguments.tasks) < 1:
        parser.error("--dask-workers, --repeat and --tasks: 1 or more")
    sizes = [size for size in _sizes(arguments.sizes) if size > 0]

    if not DASK:
        raise SystemExit(
            "distributed.py: Dask is not installed: .venv/bin/pip install -e '.[dask]' "
            "(make setup installs it)"
        )
    wct = Path(sys.executable).with_name("wct")
    if not wct.exists():
        raise SystemExit(f"no wct beside {sys.executable}: run with the venv's python")
    inspect_help = subprocess.run(
        [str(wct), "inspect", "--help"], capture_output=True, text=True, check=False
    ).stdout
    paged = "--limit" in inspect_help and "--offset" in inspect_help
    counting = adopt_orphans()
    runs = Runs(wct, arguments.repeat, [])
    choices = executors(arguments.dask_workers)
    _, local, dask = choices

    # Other work on the machine slows the parallel runs most: say how busy it was.
    print(f"{os.cpu_count()} cores; load average (1 min) {os.getloadavg()[0]:.2f} at the start")
    with tempfile.TemporaryDirectory(prefix="wct-distributed-") as temporary:
        folder = Path(temporary)
        data = tiny_data(folder)
        start_up = folder / "start-up.yaml"
        write_artifacts_runbook(start_up, data, 0)
        start_ups = runs.medians("start-up (the source alone)", start_up, choices)
        (folder / "corpus").mkdir()
        started = time.perf_counter()
        corpus = write_corpus(folder / "corpus", arguments.mb)
        batches = work_batches(corpus)
        _progress(f"{corpus.label}: written in {time.perf_counter() - started:.1f} s")
        scans = run_scans(corpus, folder, runs, choices, start_ups, paged)
        _section(print_scans, corpus, batches, scans)
        artifacts = run_artifacts(folder, data, runs, sizes, (local, dask))
        _section(print_artifacts, artifacts, start_ups, local.label, dask.label)
        trips = measure_round_trips(arguments.dask_workers, arguments.tasks)
        _section(print_round_trips, arguments.tasks, *trips, local.label, dask.label)
        simulated = simulate(arguments.simulate_workers, arguments.tasks * 2, arguments.repeat)
        _section(print_simulation, simulated)
        mine = ended_left_behind(LEFT_BEHIND_GRACE_SECONDS, ignore=_multiprocessing_helper)
        print_implications(corpus, batches, scans, simulated)
        print_targets(scans, artifacts, start_ups)

    print()
    if counting:
        print(f"processes left behind by the wct runs: {len(runs.left_behind)}")
        for line in [*runs.left_behind, *(f"(this script's clusters) {line}" for line in mine)]:
            print(f"  ended {line}")
    else:
        print("processes left behind by the wct runs: not counted (Linux only)")
    print(f"load average (1 min) {os.getloadavg()[0]:.2f} at the end")
    failed = sorted(
        {
            label
            for measured in (
                {label: run for label, (run, _) in start_ups.items()},
                *({row.executor.label: row.run} for row in scans),
                *(row.runs for row in artifacts),
            )
            for label, run in measured.items()
            if run.failure
        }
    )
    if failed:
        raise SystemExit(f"distributed.py: a wct run failed on {', '.join(failed)}")


if __name__ == "__main__":
    main()
