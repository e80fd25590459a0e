"""Benchmark of execution: no-op artifacts in "wide" and "chain" DAGs, durable store.

For 1,000 and 10,000 artifacts in two shapes — "wide" (one source, every other artifact
fed by it) and "chain" (each artifact fed by the one before) — the same plan runs twice:

- durable: the `Executor` with a real `RunStore` (SQLite, WAL) in a temporary folder, as
  `wct run` does it: every artifact's start, end and message are persisted;
- floor: the same `Executor` (its asyncio scheduling, its worker threads, the same no-op
  components) with a store that persists nothing, so the difference is what persistence
  costs.

The components do nothing (they return one empty item), so every millisecond is the
executor's and the store's. The table gives the run time (recording the new run's rows
is shown apart), the overhead per artifact, the floor and the ratio to it, and the time
to resume the run when one artifact is left: the last artifact fails on the first run
(until a marker file exists) and the resume, through `runs.execute` as `wct run --resume`
does it, loads the persisted plan and state and runs that one artifact. After the table:
how the per-artifact overhead changes from the smallest to the largest size (flat
expected), and the scheduling case: a 1 s artifact beside a chain of ten 0.1 s steps with
`max_concurrency: 2` — about 1 s when each step starts as soon as its input completes,
about 2 s when steps wait for a DAG level.

Targets are printed for information only (exit code 0 either way):
≤ 1 ms per artifact at 10,000 durable, and durable ≤ 2x the floor.

    .venv/bin/python benchmarks/execute.py [--sizes 1000,10000] [--shapes wide,chain]
        [--repeat 3] [--branch-seconds 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

import table  # benchmarks/table.py (the scripts run from this folder)
from waivern_orchestration.components import ComponentRegistry, Connector, Processor
from waivern_orchestration.execution.batch import StoreBatchAccess
from waivern_orchestration.execution.events import SilentSink
from waivern_orchestration.execution.executor import Executor
from waivern_orchestration.execution.runs import RunRequest, execute, file_sha256
from waivern_orchestration.message_schemas import STANDARD_INPUT
from waivern_orchestration.planner import ExecutionPlan, Planner
from waivern_orchestration.store.run_store import RunStore, new_run_id

SHAPES = ("wide", "chain")
HEADER = (
    "shape",
    "size",
    "plan s",
    "record s",
    "run s",
    "ms/artifact",
    "floor s",
    "floor ms/artifact",
    "ratio",
    "resume s (1 left)",
)
# A durable run of 10,000 artifacts takes seconds: fewer samples keep the run short.
LARGE = 10_000
LARGE_REPEAT = 3
CONCURRENCY = 4
MARKER = "fixed.marker"


# -- no-op components (an in-process registry) ------------------------------------------


class NoopProperties(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seconds: float = 0.0
    fail_unless: str | None = None


def _behave(properties: NoopProperties, context: Any) -> dict[str, Any]:
    if properties.fail_unless and not (Path(context.runbook_dir) / properties.fail_unless).exists():
        raise RuntimeError(f"{properties.fail_unless} is missing")
    if properties.seconds:
        time.sleep(properties.seconds)
    return {"items": [{"content": "", "metadata": {"source": context.artifact_id}}]}


class NoopConnector(Connector):
    name = "noop"
    description = "Returns one empty item."
    Properties = NoopProperties
    output_schemas = (STANDARD_INPUT,)

    def extract(self, properties: Any, context: Any) -> dict[str, Any]:
        return _behave(properties, context)


class NoopProcessor(Processor):
    name = "noop_process"
    description = "Returns one empty item, whatever its inputs."
    Properties = NoopProperties
    output_schemas = (STANDARD_INPUT,)
    input_combinations = (frozenset({STANDARD_INPUT}),)

    def process(self, inputs: Sequence[Any], properties: Any, context: Any) -> dict[str, Any]:
        return _behave(properties, context)


REGISTRY = ComponentRegistry.of([NoopConnector], [NoopProcessor])


# -- runbooks -----------------------------------------------------------------------------


def _artifact(inputs: str | None, **properties: Any) -> dict[str, Any]:
    if inputs is None:
        return {"source": {"type": "noop", "properties": properties}}
    return {"inputs": inputs, "process": {"type": "noop_process", "properties": properties}}


def generate(shape: str, size: int, directory: Path) -> Path:
    """A runbook of ``size`` artifacts; its last artifact fails until MARKER exists."""
    artifacts: dict[str, Any] = {"a0": _artifact(None)}
    for number in range(1, size):
        producer = "a0" if shape == "wide" else f"a{number - 1}"
        last = {"fail_unless": MARKER} if number == size - 1 else {}
        artifacts[f"a{number}"] = _artifact(producer, **last)
    return _write(directory / f"{shape}-{size}.yaml", artifacts, CONCURRENCY)


def _write(path: Path, artifacts: dict[str, Any], concurrency: int) -> Path:
    document = {
        "name": path.stem,
        "description": "generated by benchmarks/execute.py",
        "config": {"max_concurrency": concurrency},
        "artifacts": artifacts,
    }
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")  # JSON is YAML
    return path


# -- the floor: the same executor, nothing persisted -----------------------------------------


class NoStore:
    """The part of `RunStore` the executor uses, keeping statuses in a dict."""

    def __init__(self) -> None:
        self.status: dict[str, str] = {}

    def artifacts(self, run_id: str) -> list[Any]:
        return []

    def streamed_artifacts(self, run_id: str) -> set[str]:
        return set()

    def drop_batches(self, run_id: str, token: str, artifact_ids: Sequence[str]) -> None:
        pass

    def message(self, run_id: str, artifact_id: str) -> None:
        return None

    def mark_artifacts(
        self, run_id: str, token: str, artifact_ids: Sequence[str], status: str
    ) -> None:
        for artifact in artifact_ids:
            self.status[artifact] = status

    def artifact_started(self, run_id: str, token: str, artifact_id: str) -> None:
        self.status[artifact_id] = "running"

    def artifact_finished(
        self, run_id: str, token: str, artifact_id: str, status: str, *_: Any, **__: Any
    ) -> None:
        self.status[artifact_id] = status

    def record_step(
        self,
        run_id: str,
        token: str,
        finished: Sequence[Any],
        started: Sequence[str] = (),
        skipped: Sequence[tuple[str, str]] = (),
    ) -> None:
        for item in finished:
            self.status[item.artifact_id] = item.status
        for artifact in started:
            self.status[artifact] = "running"
        for artifact, _reason in skipped:
            self.status[artifact] = "skipped"

    def heartbeat(self, run_id: str, token: str) -> bool:
        return True

    def counts(self, run_id: str) -> dict[str, int]:
        counts = dict.fromkeys(("completed", "failed", "skipped", "pending", "not_started"), 0)
        for status, count in Counter(self.status.values()).items():
            key = "not_started" if status == "running" else status
            counts[key] += count
        return counts

    def finish_run(self, run_id: str, token: str, status: str, reason: str | None) -> None:
        pass


# -- measuring ----------------------------------------------------------------------------


@dataclass
class Row:
    shape: str
    size: int
    plan: float
    record: float
    run: float
    floor: float
    resume: float

    def cells(self) -> tuple[str, ...]:
        return (
            self.shape,
            f"{self.size:,}",
            f"{self.plan:.3f}",
            f"{self.record:.3f}",
            f"{self.run:.3f}",
            f"{self.run / self.size * 1000:.3f}",
            f"{self.floor:.3f}",
            f"{self.floor / self.size * 1000:.3f}",
            f"{self.run / self.floor:.2f}",
            f"{self.resume:.3f}",
        )


def _batch(store_dir: Path) -> Callable[[str, str], StoreBatchAccess]:
    return lambda run, artifact: StoreBatchAccess(store_dir, run, artifact)


def _floor(plan: ExecutionPlan, store_dir: Path) -> float:
    executor = Executor(plan, NoStore(), "floor", "token", REGISTRY, _batch(store_dir))  # type: ignore[arg-type]
    started = time.perf_counter()
    outcome = asyncio.run(executor.execute())
    elapsed = time.perf_counter() - started
    _expect(outcome.counts, plan, "floor")
    return elapsed


def _durable(plan: ExecutionPlan, runbook: Path, store_dir: Path) -> tuple[float, float, str]:
    """(seconds to record the new run, seconds to execute it, run id)."""
    with RunStore(store_dir) as store:
        run_id = new_run_id()
        started = time.perf_counter()
        token = store.create_run(
            run_id,
            str(runbook),
            file_sha256(runbook),
            plan.to_json(),
            [(a.id, a.origin, plan.alias_of(a.id)) for a in plan.artifacts],
        )
        recorded = time.perf_counter()
        executor = Executor(plan, store, run_id, token, REGISTRY, _batch(store_dir))
        outcome = asyncio.run(executor.execute())
        finished = time.perf_counter()
    _expect(outcome.counts, plan, "durable run")
    return recorded - started, finished - recorded, run_id


def _resume(runbook: Path, store_dir: Path, run_id: str) -> float:
    (runbook.parent / MARKER).write_text("", encoding="utf-8")
    try:
        started = time.perf_counter()
        outcome = execute(
            RunRequest(runbook, store_dir, resume=run_id, registry=REGISTRY, env={}),
            SilentSink(),
            lambda line: None,
        )
        elapsed = time.perf_counter() - started
    finally:
        (runbook.parent / MARKER).unlink()
    if outcome.status != "completed":
        raise SystemExit(f"the resume of {runbook.name} ended {outcome.status}: {outcome.reason}")
    return elapsed


def _expect(counts: dict[str, int], plan: ExecutionPlan, what: str) -> None:
    """The first run of every generated runbook ends with one failed artifact."""
    expected = {**dict.fromkeys(counts, 0), "completed": len(plan.artifacts) - 1, "failed": 1}
    if counts != expected:
        raise SystemExit(f"{what} of {plan.runbook_name} ended with {counts}, not {expected}")


def measure(shape: str, size: int, directory: Path, repeat: int) -> Row:
    runbook = generate(shape, size, directory)
    started = time.perf_counter()
    plan = Planner(registry=REGISTRY, env={}, pause_collector=True).plan(runbook)
    planned = time.perf_counter() - started
    samples = LARGE_REPEAT if size >= LARGE else repeat
    floors = [_floor(plan, directory / "floor-store") for _ in range(samples)]
    records: list[float] = []
    runs: list[float] = []
    resumes: list[float] = []
    for sample in range(samples):
        store_dir = directory / f"store-{shape}-{size}-{sample}"
        record, run, run_id = _durable(plan, runbook, store_dir)
        records.append(record)
        runs.append(run)
        resumes.append(_resume(runbook, store_dir, run_id))
    return Row(
        shape,
        size,
        planned,
        statistics.median(records),
        statistics.median(runs),
        statistics.median(floors),
        statistics.median(resumes),
    )


def scheduling_case(directory: Path, branch_seconds: float) -> float:
    """A long branch beside a chain of ten steps a tenth as long, two at a time."""
    step = branch_seconds / 10
    artifacts: dict[str, Any] = {"branch": _artifact(None, seconds=branch_seconds)}
    artifacts["step1"] = _artifact(None, seconds=step)
    for number in range(2, 11):
        artifacts[f"step{number}"] = _artifact(f"step{number - 1}", seconds=step)
    runbook = _write(directory / "scheduling.yaml", artifacts, 2)
    started = time.perf_counter()
    outcome = execute(
        RunRequest(runbook, directory / "store-scheduling", registry=REGISTRY, env={}),
        SilentSink(),
        lambda line: None,
    )
    elapsed = time.perf_counter() - started
    if outcome.status != "completed":
        raise SystemExit(f"the scheduling case ended {outcome.status}: {outcome.reason}")
    return elapsed


# -- reporting ------------------------------------------------------------------------------


def print_table(rows: list[Row]) -> None:
    table.print_table(HEADER, [row.cells() for row in rows], left_first=True)


def print_growth(rows: list[Row]) -> None:
    sizes = sorted({row.size for row in rows})
    if len(sizes) < 2:
        return
    small, large = sizes[0], sizes[-1]
    print()
    print(f"per-artifact overhead, {small:,} → {large:,} artifacts (flat expected):")
    for shape in SHAPES:
        by_size = {row.size: row for row in rows if row.shape == shape}
        if small in by_size and large in by_size:
            before = by_size[small].run / small * 1000
            after = by_size[large].run / large * 1000
            print(f"  {shape}: {before:.3f} → {after:.3f} ms/artifact (x{after / before:.2f})")


def print_targets(rows: list[Row], scheduling: float, branch_seconds: float) -> None:
    print()
    print(
        f"scheduling: a {branch_seconds:g} s branch beside ten {branch_seconds / 10:g} s steps "
        f"(max_concurrency 2): {scheduling:.2f} s in total (about {branch_seconds:g} s when "
        f"each step starts as soon as its input completes, {2 * branch_seconds:g} s when "
        "steps wait for a DAG level)"
    )
    targets: list[tuple[str, str]] = []
    for row in rows:
        if row.size != LARGE:
            continue
        per_artifact = row.run / row.size * 1000
        ratio = row.run / row.floor
        targets.append(
            (
                f"{row.shape} {LARGE:,} durable <= 1 ms/artifact",
                f"{'PASS' if per_artifact <= 1 else 'MISS'} ({per_artifact:.3f} ms)",
            )
        )
        targets.append(
            (
                f"{row.shape} {LARGE:,} durable <= 2x floor",
                f"{'PASS' if ratio <= 2 else 'MISS'} ({ratio:.2f}x)",
            )
        )
    if not targets:
        targets.append((f"at {LARGE:,} artifacts", "not measured"))
    print()
    print("targets (information only):")
    width = max(len(name) for name, _ in targets)
    for name, result in targets:
        print(f"  {name.ljust(width)}  {result}")


# -- command line ---------------------------------------------------------------------------


def _list(value: str, parse: Callable[[str], Any]) -> list[Any]:
    return [parse(part.strip().replace("_", "")) for part in value.split(",") if part.strip()]


def _sizes(value: str) -> list[int]:
    try:
        sizes: list[int] = _list(value, int)
    except ValueError:
        raise argparse.ArgumentTypeError("give sizes as numbers, e.g. 1000,10000") from None
    if not sizes or min(sizes) < 2:
        raise argparse.ArgumentTypeError("every size must be at least 2")
    return sizes


def _shapes(value: str) -> list[str]:
    shapes: list[str] = _list(value, str)
    unknown = set(shapes) - set(SHAPES)
    if not shapes or unknown:
        raise argparse.ArgumentTypeError(f"shapes are {', '.join(SHAPES)}")
    return shapes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=[1000, LARGE], help="default: 1000,10000")
    parser.add_argument("--shapes", type=_shapes, default=list(SHAPES), help="default: wide,chain")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help=f"samples per median ({LARGE:,}+ artifacts take {LARGE_REPEAT}) (default: 3)",
    )
    parser.add_argument(
        "--branch-seconds",
        type=float,
        default=1.0,
        help="the scheduling case's long branch; each step takes a tenth (default: 1.0)",
    )
    options = parser.parse_args(argv)
    if options.repeat < 1:
        parser.error("--repeat must be at least 1")

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="waivern-bench-") as temporary:
        directory = Path(temporary)
        measure("wide", 20, directory, 1)  # warm-up: imports, first connections
        for size in options.sizes:
            for shape in options.shapes:
                rows.append(measure(shape, size, directory, options.repeat))
                print(f"measured {shape} {size:,}", file=sys.stderr, flush=True)
        scheduling = scheduling_case(directory, options.branch_seconds)
    print(
        f"no-op artifacts, max_concurrency {CONCURRENCY}; seconds are medians of "
        f"{options.repeat} samples ({LARGE_REPEAT} at {LARGE:,}+)"
    )
    print()
    print_table(rows)
    print_growth(rows)
    print_targets(rows, scheduling, options.branch_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
