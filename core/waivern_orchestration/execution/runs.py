"""Starting and resuming runs: plan (or load the persisted plan), take ownership in the
store, execute, and say how it ended.

Used by `wct run` and, through it, by the language server and the VS Code extension.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from waivern_orchestration.analysis.dotenv_files import runbook_environment
from waivern_orchestration.components import ComponentRegistry
from waivern_orchestration.components.registry import default_registry
from waivern_orchestration.execution.batch import StoreBatchAccess
from waivern_orchestration.execution.events import EventSink
from waivern_orchestration.execution.executor import Executor
from waivern_orchestration.execution.executors import LOCAL, dask_workers, parse_executor
from waivern_orchestration.execution.outcome import RunOutcome, StopReason
from waivern_orchestration.planner import Planner
from waivern_orchestration.redaction import Redactor
from waivern_orchestration.store.plans import plan_to_record, stored_plan
from waivern_orchestration.store.run_store import RunStore, StoreError, new_run_id


@dataclass(frozen=True)
class RunRequest:
    runbook: Path
    store_dir: Path
    resume: str | None = None
    registry: ComponentRegistry | None = None
    env: Mapping[str, str] | None = None
    # Plan with the garbage collector paused (`Planner`): for a program to choose.
    pause_collector: bool = False
    # Worker processes for CPU-bound batches (`wct run --workers`); else `config.workers`,
    # else every core.
    workers: int | None = None
    # Where the batches run (`wct run --executor`, `executors.parse_executor`): None is
    # `WCT_EXECUTOR`, else `local`.
    executor: str | None = None
    # The runbook's text when it is not read from `runbook` (a runbook built in Python,
    # `python_api`): `runbook` is then the file it stands for, which need not exist.
    text: str | None = None


Notice = Callable[[str], None]  # one line for the user (a changed runbook on resume, ...)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _runbook_sha256(request: RunRequest, runbook: Path) -> str:
    if request.text is not None:
        return hashlib.sha256(request.text.encode("utf-8")).hexdigest()
    return file_sha256(runbook)


def execute(request: RunRequest, sink: EventSink, notice: Notice) -> RunOutcome:
    """Plan and run, or resume; raises PlanningError / StoreError for the user's mistakes.
    SIGINT and SIGTERM stop the run cleanly: it ends `interrupted` and can be resumed."""
    registry = request.registry or default_registry()
    runbook = request.runbook.absolute()
    env = runbook_environment(runbook) if request.env is None else request.env
    spec = parse_executor(request.executor)  # (a mistake is refused before anything runs)
    with RunStore(request.store_dir) as store, contextlib.ExitStack() as cluster:
        if request.resume is None:
            planner = Planner(registry=registry, env=env, pause_collector=request.pause_collector)
            plan = (
                planner.plan(runbook)
                if request.text is None
                else planner.plan_text(request.text, runbook)
            )
            run_id = new_run_id()
        else:
            run_id = request.resume
            record = store.run(run_id)
            if Path(record.runbook_path).resolve() != runbook.resolve():
                raise StoreError(f"run {run_id} belongs to {record.runbook_path}, not {runbook}")
            plan = stored_plan(store, run_id, env)
        # The cluster is reached before anything is recorded: a refusal leaves no run.
        pool = cluster.enter_context(dask_workers(spec, run_id)) if spec.kind != LOCAL else None
        if request.resume is None:
            token = store.create_run(
                run_id,
                str(runbook),
                _runbook_sha256(request, runbook),
                plan_to_record(plan),
                [(a.id, a.origin, plan.alias_of(a.id)) for a in plan.artifacts],
                executor=spec.label,
            )
        else:
            token = store.claim(run_id, executor=spec.label)
            gone = request.text is None and not runbook.exists()
            if gone or _runbook_sha256(request, runbook) != record.runbook_sha256:
                notice(
                    f"the runbook changed since run {run_id} started; resuming with the plan "
                    "recorded then (start a new run to use the changes)"
                )
        if pool is not None:
            notice(spec.describe(pool.dashboard))
        # The values of the secret variables the plan substitutes never reach the store,
        # the events or the terminal (`redaction`).
        redact = Redactor.of(env, plan.variables)
        executor = Executor(
            plan,
            store,
            run_id,
            token,
            registry,
            lambda run, artifact: StoreBatchAccess(request.store_dir, run, artifact),
            sink,
            redact,
            workers=request.workers,
            batch_pool=pool,
        )
        return asyncio.run(_with_signals(executor))


async def _with_signals(executor: Executor) -> RunOutcome:
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(
                number, executor.stop, StopReason.signalled(signal.Signals(number).name)
            )
    try:
        return await executor.execute()
    finally:
        for number in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(number)
