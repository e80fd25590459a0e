"""Batch mode: processors hand long work to a provider and finish on a later resume.

A processor calls `BatchAccess.submit(key, provider, handler, payload)` and raises
`PendingProcessingError`; its artifact stays `pending` and the run ends `interrupted`.
`wct poll RUN_ID` asks each provider about the run's jobs and stores finished results in
the store's result cache under their key; on resume the processor finds them there
(`BatchAccess.result(key)`) and completes.

Providers come from the entry-point group `waivern.batch_providers`; the built-in `local`
provider runs each job in a detached worker process (`batch_worker`), so the whole flow
works offline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

from waivern_orchestration.redaction import Redactor
from waivern_orchestration.store.plans import stored_plan
from waivern_orchestration.store.run_store import BatchJob, RunStore, StoreError, process_alive
from waivern_orchestration.store.statuses import JobState

PROVIDER_GROUP = "waivern.batch_providers"


@dataclass(frozen=True, slots=True)
class JobStatus:
    state: JobState
    result: Any = None
    error: str | None = None


class BatchProvider(Protocol):
    name: str

    def submit(self, handler: str, payload: Any) -> str:
        """Start the job; returns the provider's job id."""

    def status(self, job_id: str) -> JobStatus: ...


class LocalProvider:
    """Runs each job in a detached worker process; job files live in the store folder."""

    name = "local"

    def __init__(self, store_dir: Path) -> None:
        self.jobs_dir = store_dir / "jobs"

    def submit(self, handler: str, payload: Any) -> str:
        job_id = uuid.uuid4().hex
        folder = self.jobs_dir / job_id
        folder.mkdir(parents=True)
        (folder / "job.json").write_text(
            json.dumps({"handler": handler, "payload": payload}), encoding="utf-8"
        )
        with open(folder / "worker.log", "wb") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "waivern_orchestration.execution.batch_worker", str(folder)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # survives the run that submitted it
            )
        (folder / "worker.pid").write_text(str(worker.pid), encoding="utf-8")
        return job_id

    def status(self, job_id: str) -> JobStatus:
        folder = self.jobs_dir / job_id
        if (folder / "result.json").exists():
            result = json.loads((folder / "result.json").read_text(encoding="utf-8"))
            return JobStatus(JobState.COMPLETED, result=result)
        if (folder / "error.json").exists():
            error = json.loads((folder / "error.json").read_text(encoding="utf-8"))
            return JobStatus(JobState.FAILED, error=str(error.get("error", "the job failed")))
        if not folder.exists():
            return JobStatus(
                JobState.FAILED, error=f"job {job_id} is unknown to the local provider"
            )
        pid_file = folder / "worker.pid"
        if pid_file.exists() and not _running(int(pid_file.read_text(encoding="utf-8"))):
            return JobStatus(JobState.FAILED, error="the worker process ended without a result")
        return JobStatus(JobState.SUBMITTED)


def _running(pid: int) -> bool:
    if not process_alive(pid):
        return False
    try:  # our own child that has exited but not been reaped is a zombie: not running
        finished, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True  # not our child: alive as far as we can tell
    return finished == 0


def provider_names() -> list[str]:
    """The installed batch providers: `local` and those of the entry-point group."""
    return sorted(
        {LocalProvider.name, *(point.name for point in entry_points(group=PROVIDER_GROUP))}
    )


def provider(name: str, store_dir: Path) -> BatchProvider:
    if name == LocalProvider.name:
        return LocalProvider(store_dir)
    for point in entry_points(group=PROVIDER_GROUP):
        if point.name == name:
            loaded: BatchProvider = point.load()(store_dir)
            return loaded
    installed = ", ".join(provider_names())
    raise LookupError(f"unknown batch provider {name!r} (installed: {installed})")


class StoreBatchAccess:
    """`BatchAccess` for one artifact of one run. Called from worker threads, so it opens
    its own store connection per call."""

    def __init__(self, store_dir: Path, run_id: str, artifact_id: str) -> None:
        self.store_dir = store_dir
        self.run_id = run_id
        self.artifact_id = artifact_id

    def result(self, key: str) -> Any | None:
        with RunStore(self.store_dir) as store:
            found = store.result(key)
            job = store.batch_job(key) if found is None else None
            if job is not None and job.status == JobState.FAILED:
                # Fail the artifact with the job's error, and forget the job so that the
                # next resume submits it afresh.
                store.forget_batch_job(key)
                raise RuntimeError(f"batch job {job.job_id} ({job.provider}) failed: {job.error}")
            return found

    def submit(self, key: str, provider_name: str, handler: str, payload: Any) -> str:
        with RunStore(self.store_dir) as store:
            known = store.batch_job(key)
            if known is not None and known.status == JobState.SUBMITTED:
                return known.job_id  # resumed before the results were polled: keep waiting
            job_id = provider(provider_name, self.store_dir).submit(handler, payload)
            store.add_batch_job(
                BatchJob(
                    key,
                    self.run_id,
                    self.artifact_id,
                    provider_name,
                    handler,
                    job_id,
                    JobState.SUBMITTED,
                    None,
                )
            )
            return job_id


@dataclass(frozen=True)
class PollSummary:
    run_id: str
    completed: int  # results now in the cache (this poll or before)
    waiting: int  # still being worked on
    failed: list[tuple[str, str]]  # (artifact, error)


def poll(store: RunStore, run_id: str, redact: Redactor | None = None) -> PollSummary:
    """Ask the providers about every job of the run; store what has finished. A job's
    error passes through ``redact`` before it is stored or reported: a handler's failure
    may quote a secret. By default: the secret variables the run's plan substitutes, with
    their values in this process' environment."""
    store.run(run_id)  # unknown run ids fail here with a clear message
    if redact is None:
        redact = Redactor.of(os.environ, _plan_variables(store, run_id))
    completed = waiting = 0
    failed: list[tuple[str, str]] = []
    for job in store.batch_jobs(run_id):
        if job.status == JobState.COMPLETED:
            completed += 1
            continue
        try:
            status = provider(job.provider, store.directory).status(job.job_id)
        except LookupError as error:
            failed.append((job.artifact_id, redact(str(error))))
            continue
        if status.state == JobState.COMPLETED:
            store.store_result(job.key, status.result)
            completed += 1
        elif status.state == JobState.FAILED:
            job_error = redact.optional(status.error)
            store.update_batch_job(job.key, JobState.FAILED, job_error)
            failed.append((job.artifact_id, job_error or "the job failed"))
        else:
            waiting += 1
    return PollSummary(run_id, completed, waiting, failed)


def _plan_variables(store: RunStore, run_id: str) -> tuple[str, ...] | None:
    """The variables the run's plan substitutes (None: unknown, so every variable)."""
    try:
        return stored_plan(store, run_id).variables
    except StoreError:
        return None
