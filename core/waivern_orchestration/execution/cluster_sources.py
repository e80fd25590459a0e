"""Connectors run on a Dask worker: the worker reads the source, the run's process stores.

`extract_on_cluster` sends a connector's `extract` to the cluster as one task. A connector
that returns one dict sends it back as the task's result. One that streams puts its items
into a Dask queue batch by batch (bounded: a slow store holds the worker back, memory stays
flat), with the warnings and progress recorded since the last batch; the run's process
takes them out and writes each batch to the store as it comes (a checkpoint), exactly as
for a local stream. A worker lost in the middle: Dask runs the task again elsewhere, from
the same checkpoint, and the batches it already delivered are recognised by their number
and not stored twice. The connector's `cancelled()` sees the run stop (a Dask event).
"""

from __future__ import annotations

import contextlib
import importlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from waivern_orchestration.components.base import Checkpoint, Stream
from waivern_orchestration.store.statuses import LIMIT_PREFIX

# A queue holds at most this many messages: the worker waits for the store to keep up.
QUEUE_MESSAGES = 4
# Progress and the stop flag travel at most this often (each is a round trip).
EVERY_SECONDS = 0.5
BATCH_ITEMS = 1000
BATCH_CHARS = 8_000_000


@dataclass(frozen=True, slots=True)
class RemoteOutcome:
    """What a connector task returns: a whole content (``content``), or how its stream
    ended (its fields, how many batches it put, the fields known at the end)."""

    content: dict[str, Any] | None = None
    streamed: str = "items"  # the list field the batches make up
    fields: dict[str, Any] = field(default_factory=dict)
    finished: dict[str, Any] = field(default_factory=dict)
    batches: int = 0
    items: int = 0


@dataclass(frozen=True, slots=True)
class TaskInfo:
    """What a connector on a worker knows of its artifact (no secret: properties travel
    sealed beside it)."""

    runbook_dir: str
    artifact_id: str
    run_id: str
    queue: str
    stop: str
    checkpoint: Checkpoint | None


class _RemoteContext:
    """The `ComponentContext` of a connector on a worker."""

    def __init__(self, info: TaskInfo, queue: Any, stop: Any) -> None:
        self.runbook_dir = Path(info.runbook_dir)
        self.artifact_id = info.artifact_id
        self.run_id = info.run_id
        self.checkpoint = info.checkpoint
        self.warnings: list[str] = []
        self._queue = queue
        self._stop = stop
        self._stopping = False
        self._asked = 0.0
        self._sent = time.monotonic()
        self._counts = [0, 0]  # files, bytes since the last message
        self._totals: tuple[int | None, int | None] = (None, None)

    @property
    def batch(self) -> Any:
        raise RuntimeError("batch providers are not available to connectors on a cluster")

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def limit_reached(self, message: str) -> None:
        self.warnings.append(LIMIT_PREFIX + message)

    def progress(
        self,
        *,
        files: int = 0,
        bytes: int = 0,
        total_files: int | None = None,
        total_bytes: int | None = None,
    ) -> None:
        self._counts[0] += files
        self._counts[1] += bytes
        if total_files is not None or total_bytes is not None:
            self._totals = (total_files, total_bytes)
        if time.monotonic() - self._sent >= EVERY_SECONDS:
            self.send(None)

    def cancelled(self) -> bool:
        now = time.monotonic()
        if not self._stopping and now - self._asked >= EVERY_SECONDS:
            self._asked = now
            self._stopping = bool(self._stop.is_set())
        return self._stopping

    def send(self, batch: tuple[int, list[Any]] | None) -> None:
        """A batch (its number, its items) or only news: warnings, progress."""
        news = {"warnings": self.warnings, "progress": (*self._counts, *self._totals)}
        self._queue.put({"batch": batch, **news})
        self.warnings = []
        self._counts = [0, 0]
        self._sent = time.monotonic()


def extract_task(target: tuple[str, str], sealed: Any, info: TaskInfo) -> RemoteOutcome:
    """On a worker: the connector ``target`` over ``sealed.value`` (its properties)."""
    from distributed import Event, Queue

    module, qualname = target
    connector_class: Any = importlib.import_module(module)
    for name in qualname.split("."):
        connector_class = getattr(connector_class, name)
    queue: Any = Queue(info.queue)  # type: ignore[no-untyped-call]
    stop: Any = Event(info.stop)  # type: ignore[no-untyped-call]
    context = _RemoteContext(info, queue, stop)
    output = connector_class().extract(sealed.value, context)
    if not isinstance(output, Stream):
        context.send(None)
        return RemoteOutcome(content=output)
    done = info.checkpoint.items if info.checkpoint is not None else 0
    if output.start > done:
        raise RuntimeError(
            f"the component resumed after item {output.start}, but only {done} are stored"
        )
    # Imported here: the worker needs the batching, not the executor's store.
    from waivern_orchestration.execution.streaming import sized_batches

    number = items = 0
    for batch in sized_batches(
        islice(output.items, done - output.start, None), BATCH_ITEMS, BATCH_CHARS
    ):
        context.send((number, batch))
        number += 1
        items += len(batch)
    finished = dict(output.finish()) if output.finish is not None else {}
    context.send(None)
    return RemoteOutcome(
        streamed=output.field,
        fields=dict(output.fields),
        finished=finished,
        batches=number,
        items=items,
    )


@dataclass
class Delivery:
    """What the run's process does with what a connector task sends."""

    write: Callable[[int, list[Any]], None]  # (batch number in this attempt, items)
    warn: Callable[[str], None]
    count: Callable[[int, int, int | None, int | None], None]  # files, bytes, totals
    stopping: Callable[[], bool]


def extract_on_cluster(
    client: Any,
    key: str,
    target: tuple[str, str],
    sealed: Any,
    info: Callable[[str, str], TaskInfo],
    delivery: Delivery,
) -> RemoteOutcome:
    """Run the connector task and take in what it sends until it ends; its outcome.
    ``info(queue, stop)``: the task's `TaskInfo` with the names of its queue and event."""
    from distributed import Event, Queue
    from waivern_orchestration.execution.streaming import NO_WORKERS_SECONDS, ExecutorLost

    tag = uuid.uuid4().hex[:8]
    queue: Any = Queue(f"{key}-{tag}-items", client=client, maxsize=QUEUE_MESSAGES)  # type: ignore[no-untyped-call]
    stop: Any = Event(f"{key}-{tag}-stop", client=client)  # type: ignore[no-untyped-call]
    future = client.submit(
        extract_task, target, sealed, info(queue.name, stop.name), key=key, pure=False
    )
    expected = 0  # the next batch number to store (a retried task sends some again)
    without_workers: float | None = None

    def take(message: dict[str, Any]) -> None:
        nonlocal expected
        for warning in message["warnings"]:
            delivery.warn(warning)
        files, size, total_files, total_bytes = message["progress"]
        delivery.count(files, size, total_files, total_bytes)
        batch = message["batch"]
        if batch is not None:
            number, items = batch
            if number == expected:
                delivery.write(number, items)
                expected += 1

    try:
        # (No `get` with a timeout: the scheduler logs each one that expires as an error.)
        while True:
            if delivery.stopping():
                stop.set()
            waiting = queue.qsize()
            if waiting:
                for message in queue.get(batch=waiting):
                    take(message)
                continue
            if future.done():
                for message in queue.get(batch=True):  # what came after the last look
                    take(message)
                break
            # Until it ends, or for a while; how it ended is seen above, after the drain.
            with contextlib.suppress(Exception):
                future.result(timeout=EVERY_SECONDS)
            if client.nthreads():
                without_workers = None
            else:  # every worker died (or cannot read the task): nothing would ever finish
                without_workers = without_workers or time.monotonic()
                if time.monotonic() - without_workers >= NO_WORKERS_SECONDS:
                    raise ExecutorLost(
                        f"the cluster running the batches has had no workers for "
                        f"{NO_WORKERS_SECONDS:.0f} s"
                    )
        outcome: RemoteOutcome = future.result()
        return outcome
    finally:
        if not future.done():
            future.cancel()
