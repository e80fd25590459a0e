"""Where a run's CPU-bound batches execute (DESIGN.md §4.5): `local` (worker processes
of this machine, `streaming.WorkerProcesses`), `dask-local[:N]` (a Dask LocalCluster of N
worker processes started for the run and closed with it) or `dask://HOST:PORT` /
`tls://HOST:PORT` (an existing Dask cluster).

Whichever runs the batches, the `wct run` process coordinates: it plans, schedules the
artifacts, runs connectors and aggregating processors, and writes every batch to the run
store. On Dask, each batch of an item-wise processor is a task: workers read the text
they scan themselves (files are shared, e.g. a network filesystem) and send back only the
results. Task keys carry the run, the artifact's position in the plan and the batch, never
anything from a component's properties (where a secret may be).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from waivern_orchestration.components.streams import BatchResult

EXECUTOR_ENV = "WCT_EXECUTOR"
LOCAL = "local"
DASK_LOCAL = "dask-local"
# How long to wait for a Dask scheduler to answer before the run is refused.
CONNECT_SECONDS = 10.0
# How long the Dask client holds a submission to send it with others (its own: 10 ms).
SEND_INTERVAL_SECONDS = 0.002


class ExecutorError(Exception):
    """An executor that cannot be used: one line for the user."""


@dataclass(frozen=True, slots=True)
class ExecutorSpec:
    kind: str  # "local", "dask-local" or "dask"
    workers: int | None = None  # dask-local: worker processes
    address: str | None = None  # dask: the scheduler, as Dask takes it (tcp://, tls://)

    def describe(self, dashboard: str | None) -> str:
        """One line for the user: where the run's batches go, and the dashboard."""
        where = (
            f"a Dask LocalCluster of {self.workers or 'all cores as'} worker processes"
            if self.kind == DASK_LOCAL
            else f"the Dask cluster at {self.address}"
        )
        return f"running on {where}" + (f" (dashboard: {dashboard})" if dashboard else "")

    @property
    def label(self) -> str:
        """Where the run executed, as the run store records it."""
        if self.kind == LOCAL:
            return LOCAL
        if self.kind == DASK_LOCAL:
            return f"{DASK_LOCAL}:{self.workers}" if self.workers else DASK_LOCAL
        return str(self.address)


def parse_executor(text: str | None) -> ExecutorSpec:
    """`local`, `dask-local`, `dask-local:N`, `dask://HOST:PORT`, `tls://HOST:PORT`
    (None or empty: `WCT_EXECUTOR`, else `local`)."""
    value = (text or os.environ.get(EXECUTOR_ENV) or LOCAL).strip()
    if value == LOCAL:
        return ExecutorSpec(LOCAL)
    if value == DASK_LOCAL or value.startswith(DASK_LOCAL + ":"):
        count = value.partition(":")[2]
        if not count:
            return ExecutorSpec(DASK_LOCAL)
        if not count.isdigit() or int(count) < 1:
            raise ExecutorError(
                f"executor {value!r}: the number of workers after `dask-local:` must be a "
                "whole number, 1 or more"
            )
        return ExecutorSpec(DASK_LOCAL, workers=int(count))
    for scheme, dask_scheme in (("dask://", "tcp://"), ("tcp://", "tcp://"), ("tls://", "tls://")):
        if value.startswith(scheme):
            rest = value[len(scheme) :]
            host, _, port = rest.rpartition(":")
            if not host or not port.isdigit():
                raise ExecutorError(
                    f"executor {value!r}: give the scheduler as {scheme}HOST:PORT "
                    "(e.g. dask://scheduler.internal:8786)"
                )
            return ExecutorSpec("dask", address=dask_scheme + rest)
    raise ExecutorError(
        f"unknown executor {value!r}: use local, dask-local, dask-local:N, dask://HOST:PORT "
        "or tls://HOST:PORT"
    )


class DaskWorkers:
    """Item-wise batches as tasks on a Dask cluster: the same `submit`/`size`/`close` as
    `streaming.WorkerProcesses`, so the executor streams through either. Every batch
    goes to the cluster (the run was sent there), however small the input."""

    eager = True

    def healthy(self) -> bool:
        """The cluster still has workers (they may all have died, e.g. unable to read a
        task: then nothing would ever finish)."""
        try:
            return bool(self.client.nthreads())
        except Exception:
            return False

    def __init__(self, client: Any, run_id: str, on_close: Callable[[], None]) -> None:
        self.client = client
        self.run_id = run_id
        self._on_close = on_close
        self._tag = uuid.uuid4().hex[:8]  # keys of this attempt never meet an earlier one's
        self._count = 0
        threads = sum(client.nthreads().values()) if client is not None else 1
        _quicker_sends(client)
        self.size = max(threads, 1)
        self.dashboard: str | None = getattr(client, "dashboard_link", None)

    def key(self) -> str:
        """A new task key: the run, this attempt, a number (nothing from a property)."""
        self._count += 1
        return f"wct-{self.run_id}-{self._tag}-{self._count}"

    def submit(self, call: Callable[..., BatchResult], *arguments: Any) -> Future[BatchResult]:
        """The task's result as a `concurrent.futures.Future` (so that batches on Dask and
        in local processes are waited for alike); cancelling it cancels the task."""
        task = self.client.submit(call, *arguments, key=self.key(), pure=False)
        return _Bridged(task)

    def close(self) -> None:
        self._on_close()


@contextlib.contextmanager
def dask_workers(spec: ExecutorSpec, run_id: str) -> Iterator[DaskWorkers]:
    """A client of the cluster ``spec`` names (a LocalCluster started for the run for
    `dask-local`), closed with everything it started when the block ends."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ExecutorError(
            f"executor {spec.label!r} needs Dask: pip install 'waivern-tooling[dask]'"
        ) from None
    # Dask's own log lines (a worker lost, a reconnection) are not the user's: the run
    # says what matters in its own words.
    logging.getLogger("distributed").setLevel(logging.ERROR)
    cluster: Any = None
    client: Any = None
    try:
        if spec.kind == DASK_LOCAL:
            workers = spec.workers or os.cpu_count() or 1
            cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address="127.0.0.1:0",  # this machine only, on a free port
                silence_logs=logging.ERROR,  # (True would be level 1: every message)
            )
            client = Client(cluster, set_as_default=False)  # type: ignore[no-untyped-call]
        else:
            if spec.address is not None and spec.address.startswith("tls://"):
                _check_tls_settings(spec.address)
            try:
                client = Client(  # type: ignore[no-untyped-call]
                    spec.address, timeout=CONNECT_SECONDS, set_as_default=False
                )
            except (OSError, TimeoutError, TypeError, ValueError) as error:
                raise ExecutorError(
                    f"cannot reach the Dask scheduler at {spec.address}: {error}"
                ) from None
        yield DaskWorkers(client, run_id, lambda: None)
    finally:
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close()


def _quicker_sends(client: Any) -> None:
    """Submissions reach the scheduler after at most `SEND_INTERVAL_SECONDS` rather than
    the client's 10 ms (it batches what it sends; a run's batches are few and each waits
    for its result, so the latency counts, not the messages saved)."""
    with contextlib.suppress(AttributeError):
        client.scheduler_comm.interval = SEND_INTERVAL_SECONDS


# (The key may be in the certificate's file: `client.key` is not required.)
TLS_SETTINGS = (
    ("ca-file", "DASK_DISTRIBUTED__COMM__TLS__CA_FILE"),
    ("client.cert", "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT"),
)


def _check_tls_settings(address: str) -> None:
    """A `tls://` scheduler needs Dask's TLS settings (wct passes none of its own): which
    are missing, in one line, rather than a connection that cannot start."""
    import dask

    missing = [
        variable
        for name, variable in TLS_SETTINGS
        if not dask.config.get(f"distributed.comm.tls.{name}", None)
    ]
    if missing:
        raise ExecutorError(
            f"cannot reach the Dask scheduler at {address}: Dask's TLS settings are missing "
            f"({', '.join(missing)}, or distributed.comm.tls in Dask's configuration; see "
            "docs/distributed.md)"
        )


class _Bridged(Future[BatchResult]):
    """A Dask future seen as a `concurrent.futures.Future`. Its result is fetched on the
    client's event loop, where fetches of many batches overlap (a done callback runs in a
    single thread for every task, which would fetch one result after the other)."""

    def __init__(self, task: Any) -> None:
        super().__init__()
        self._task = task
        self.set_running_or_notify_cancel()
        task.client.loop.add_callback(self._fetch)

    async def _fetch(self) -> None:
        try:
            # (gather with `asynchronous=True`: a coroutine of the client's loop, which
            # waits for the task and then takes its result from the worker)
            results = await self._task.client.gather([self._task], asynchronous=True)
        except BaseException as error:  # delivered to whoever waits, never lost
            with contextlib.suppress(concurrent.futures.InvalidStateError):  # (cancelled)
                self.set_exception(error)
        else:
            with contextlib.suppress(concurrent.futures.InvalidStateError):
                self.set_result(results[0])

    def cancel(self) -> bool:
        self._task.cancel()
        with contextlib.suppress(concurrent.futures.InvalidStateError):  # (settled)
            self.set_exception(concurrent.futures.CancelledError())
            return True
        return False
