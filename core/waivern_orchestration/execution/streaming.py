"""Streamed outputs as the executor produces them: batch by batch into the run store.

`write_stream` drains a component's `Stream`; `write_item_wise` runs an `ItemProcessor`
over its inputs' batches, in worker processes when the input is big enough to be worth
it. Both write every batch as soon as it is made (one transaction: a checkpoint) and, on a
resume, go on from what an earlier attempt stored: a connector's items after the last one
stored, a processor's batches that are not stored yet. Memory holds a few batches per
running artifact, however large the output.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import multiprocessing
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, Protocol

from waivern_orchestration.components.base import ComponentContext
from waivern_orchestration.components.file_text import is_file_ref, resolved
from waivern_orchestration.components.streams import (
    BatchResult,
    ItemProcessor,
    Stream,
    StreamedItems,
    stream_items,
)
from waivern_orchestration.execution.progress import ProgressCounts
from waivern_orchestration.messages import Message
from waivern_orchestration.store import batches
from waivern_orchestration.store.run_store import RunStore, StoredStream
from waivern_orchestration.store.statuses import LIMIT_PREFIX

# A stored batch holds at most this many items, or about this many characters of text.
BATCH_ITEMS = 1000
BATCH_CHARS = 8_000_000
# An item-wise batch handed to a worker: about this much text (files by their size).
WORK_CHARS = 4_000_000
WORK_ITEMS = 1000
# How often a batch that takes long is checked on, and how long a cluster may have no
# workers at all before the run stops (they died, or cannot read the tasks).
HEALTH_SECONDS = 5.0
NO_WORKERS_SECONDS = 30.0
# Worker processes start once an input holds this much text (they take about a second).
PARALLEL_FROM_CHARS = 8_000_000
# An artifact's warnings kept in full; beyond, one line counts the rest.
MAX_WARNINGS = 200


class BatchPool(Protocol):
    """Where item-wise batches run besides the artifact's thread: this machine's worker
    processes (`WorkerProcesses`) or a Dask cluster (`executors.DaskWorkers`)."""

    size: int
    eager: bool  # True: every batch goes there (a cluster the run was sent to)

    def healthy(self) -> bool:
        """Whether batches can still finish there."""
        ...

    def submit(self, call: Callable[..., BatchResult], *arguments: Any) -> Future[BatchResult]: ...

    def close(self) -> None: ...


class ExecutorLost(RuntimeError):
    """The cluster running the batches is gone (its scheduler stopped answering): the run
    stops, interrupted and resumable."""


class StreamContext(ComponentContext, Protocol):
    """The executor's context for an artifact that streams (`executor.ExecutionContext`)."""

    warnings: list[str]
    progress_counts: ProgressCounts

    def count(self, *, items: int = 0, files: int = 0, bytes: int = 0) -> None: ...


class ArtifactWriter:
    """Writes one artifact's batches, with the warnings recorded since the last one, on
    a store connection of its own (it runs in the artifact's worker thread), opened on
    the first write. ``earlier``: what earlier attempts stored (the checkpoint)."""

    def __init__(
        self,
        open_store: Callable[[], RunStore],
        run_id: str,
        artifact_id: str,
        token: str,
        context: StreamContext,
        earlier: StoredStream,
    ) -> None:
        self.run_id, self.artifact_id, self.token = run_id, artifact_id, token
        self.context = context
        self.earlier = earlier
        self._open_store = open_store
        self._store: RunStore | None = None
        self._warned = 0  # context warnings already written with a batch

    @property
    def store(self) -> RunStore:
        if self._store is None:
            self._store = self._open_store()
        return self._store

    def write(self, position: int, items: list[Any]) -> None:
        new = self.context.warnings[self._warned :]
        self._warned += len(new)
        self.store.write_batch(self.run_id, self.token, self.artifact_id, position, items, new)

    def stored(self) -> StoredStream:
        return self.store.stored_stream(self.run_id, self.artifact_id)

    def warnings(self) -> list[str]:
        """Every warning of the artifact: earlier attempts' (stored) and this one's, each
        once (a resumed connector that reads its source again says the same again)."""
        both = [*self.earlier.warnings, *self.context.warnings]
        return capped_warnings(list(dict.fromkeys(both)))

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def capped_warnings(warnings: Sequence[str]) -> list[str]:
    """At most `MAX_WARNINGS` warnings, the rest counted; a limit reached is always kept."""
    if len(warnings) <= MAX_WARNINGS:
        return list(warnings)
    limits = [warning for warning in warnings if warning.startswith(LIMIT_PREFIX)]
    others = [warning for warning in warnings if not warning.startswith(LIMIT_PREFIX)]
    room = max(MAX_WARNINGS - 1 - len(limits), 0)
    more = len(others) - room
    return [*limits, *others[:room], f"... and {more} more warnings"]


def write_stream(stream: Stream, writer: ArtifactWriter, context: StreamContext) -> dict[str, Any]:
    """Drain ``stream`` into the store after what earlier attempts stored; the content
    envelope (the streamed field as a marker)."""
    earlier = writer.earlier
    if stream.start > earlier.items:
        raise RuntimeError(
            f"the component resumed after item {stream.start}, but only {earlier.items} are stored"
        )
    items = islice(stream.items, earlier.items - stream.start, None)
    position, count = earlier.next_position, earlier.items
    for batch in sized_batches(items, BATCH_ITEMS, BATCH_CHARS):
        writer.write(position, batch)
        position += 1
        count += len(batch)
        context.count(items=len(batch))
    finished = dict(stream.finish()) if stream.finish is not None else {}
    return {**stream.fields, stream.field: batches.marker(count), **finished}


def whole_stream(stream: Stream) -> dict[str, Any]:
    """A stream gathered in memory (an output that is never stored: `sensitive`)."""
    items = list(stream.items)
    finished = dict(stream.finish()) if stream.finish is not None else {}
    return {**stream.fields, stream.field: items, **finished}


def write_item_wise(
    processor: ItemProcessor,
    properties: Any,
    inputs: Sequence[Message],
    writer: ArtifactWriter,
    context: StreamContext,
    pool: BatchPool | None,
) -> dict[str, Any]:
    """Run ``processor`` batch by batch over every input item, storing each output batch
    at the position of its input batch (so a resume skips exactly the stored ones); the
    content envelope, with the fields `summarise` gives."""
    done = writer.earlier.positions
    target = type(processor).__module__, type(processor).__qualname__
    in_flight: list[tuple[int, int, Future[BatchResult]]] = []  # (position, size, future)
    # Batches are held until there is enough text to be worth the worker processes'
    # start (a small input runs here, in the artifact's thread).
    held: list[tuple[int, list[Any]]] = []
    held_chars = 0
    parallel = False
    no_workers_since: float | None = None

    def settle(position: int, size: int, result: BatchResult) -> None:
        context.warnings.extend(result.warnings)  # stored with the batch that gave them
        writer.write(position, result.items)
        context.count(items=size, bytes=result.scanned_bytes)  # input items done

    def send(position: int, batch: list[Any]) -> None:
        assert pool is not None
        future = pool.submit(_process_batch, target, Sealed(properties), batch)
        in_flight.append((position, len(batch), future))
        settle_finished(keep=pool.size * 2)

    def settle_finished(keep: int) -> None:
        """Store batches as they finish (each at its own position: a big one does not
        hold back those done after it) until at most ``keep`` are in flight."""
        nonlocal no_workers_since
        assert pool is not None
        while len(in_flight) > keep:
            waiting = [future for _, _, future in in_flight]
            finished, _ = wait(waiting, timeout=HEALTH_SECONDS, return_when=FIRST_COMPLETED)
            if not finished:
                no_workers_since = _check_health(pool, processor, no_workers_since)
                continue
            no_workers_since = None
            for entry in [entry for entry in in_flight if entry[2] in finished]:
                in_flight.remove(entry)
                position, size, future = entry
                settle(position, size, _outcome(future, processor))

    try:
        for position, batch in enumerate(_work_batches(processor, inputs, context)):
            if context.cancelled():
                break
            if position in done:
                context.progress_counts.already_done(len(batch))
                continue
            if pool is None or (pool.size < 2 and not pool.eager):
                settle(position, len(batch), _run_batch(processor, properties, batch))
            elif parallel:
                send(position, batch)
            else:
                held.append((position, batch))
                held_chars += sum(map(_text_size, batch))
                if held_chars >= PARALLEL_FROM_CHARS or pool.eager:
                    parallel = True
                    for waiting in held:
                        send(*waiting)
                    held = []
        for position, batch in held:
            if not context.cancelled():
                settle(position, len(batch), _run_batch(processor, properties, batch))
        if in_flight:
            settle_finished(keep=0)
    except BrokenProcessPool:
        raise RuntimeError(
            "a worker process died (killed, or out of memory): the batches it finished are "
            "kept; resume the run to do the rest"
        ) from None
    finally:
        for _, _, future in in_flight:
            future.cancel()
    if context.cancelled():
        return {}
    stored = writer.stored()
    outputs = StreamedItems(
        stored.items,
        lambda: batches.read_batches(writer.store.path, writer.run_id, writer.artifact_id),
    )
    summary = processor.summarise(outputs, properties, context)
    return {processor.output_field: batches.marker(stored.items), **summary}


def _work_batches(
    processor: ItemProcessor, inputs: Sequence[Message], context: ComponentContext
) -> Iterator[list[Any]]:
    """Every input item in batches of about `WORK_CHARS` of text (a deterministic split,
    so the same inputs always give the same batches: their positions are checkpoints)."""
    for message in inputs:
        items = stream_items(message.content, processor.input_field)
        if items is None:
            context.warn(f"input {message.id!r} has no {processor.input_field}: skipped")
            continue
        yield from sized_batches(items, WORK_ITEMS, WORK_CHARS)


def sized_batches(items: Iterable[Any], max_items: int, max_chars: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    chars = 0
    for item in items:
        batch.append(item)
        chars += _text_size(item)
        if len(batch) >= max_items or chars >= max_chars:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def _text_size(item: Any) -> int:
    if not isinstance(item, dict):
        return 64
    content = item.get("content")
    if isinstance(content, str):
        return len(content)
    if is_file_ref(content):
        size = content.get("size")
        return size if isinstance(size, int) else 0
    return 64


class WorkerProcesses:
    """A pool of worker processes for CPU-bound batches, started on first use (a small
    run never pays for it) and shared by the run's artifacts."""

    eager = False  # started only for inputs big enough to pay for it

    def healthy(self) -> bool:
        return True  # a process that dies breaks the pool: that is an error of its own

    def __init__(self, size: int) -> None:
        self.size = size
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, call: Callable[..., BatchResult], *arguments: Any) -> Future[BatchResult]:
        if self._pool is None:
            # Spawned, not forked: the run's process has threads (a fork would copy their
            # locks mid-use), and each worker is a direct child that dies with it.
            self._pool = ProcessPoolExecutor(
                self.size,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )
        return self._pool.submit(call, *arguments)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _outcome(future: Future[BatchResult], processor: ItemProcessor) -> BatchResult:
    """A finished batch's result; what went wrong elsewhere (a worker that cannot import
    the processor, a cluster that is gone) as one clear error."""
    try:
        return future.result()
    except Exception as error:
        where = type(processor).__module__
        raise elsewhere_error(error, "processor", processor.name, where) from None


def _check_health(pool: BatchPool, processor: ItemProcessor, since: float | None) -> float | None:
    """While batches take long: when the pool has had no workers for `NO_WORKERS_SECONDS`
    (they died, or cannot read the tasks), nothing would ever finish: the run stops.
    Returns since when it has had none (None: it has workers)."""
    if pool.healthy():
        return None
    now = time.monotonic()
    since = since or now
    if now - since >= NO_WORKERS_SECONDS:
        raise ExecutorLost(
            f"the cluster running the batches has had no workers for "
            f"{NO_WORKERS_SECONDS:.0f} s (did they fail to load {processor.name!r}?)"
        )
    return since


def elsewhere_error(error: Exception, kind: str, name: str, module: str) -> Exception:
    """What to raise for ``error``, raised where a component ran away from this process:
    a component the workers cannot load, or a cluster that is gone, in words; any other
    error (the component's own) as it is."""
    missing = _missing_import(error)
    if missing is not None and "pickle" in missing:
        return RuntimeError(
            f"{kind} {name!r} ({module}) cannot be sent to where it runs: {missing}"
        )
    if missing is not None:
        return RuntimeError(
            f"{kind} {name!r} ({module}) cannot be loaded where it runs: {missing}; install "
            "the package that provides it on every worker"
        )
    if _lost(error):
        return ExecutorLost(f"the cluster running the batches is gone ({_named(error)})")
    return error


def _missing_import(error: BaseException) -> str | None:
    """Why a component could not be sent to or loaded where it runs: an import that failed
    there, a class it cannot find, something that cannot be pickled (the error itself, or
    what caused it: Dask reports a task it could not unpickle in an error of its own)."""
    seen: BaseException | None = error
    for _ in range(5):
        if seen is None:
            break
        if isinstance(seen, ImportError):
            return str(seen)
        found = re.search(
            r"No module named '[^']+'|Can't get attribute '[^']+' on <module '[^']+'|"
            r"cannot import name '[^']+' from '[^']+'|[Cc]an(?:'|no)t pickle [^\n]{1,120}",
            str(seen),
        )
        if found:
            return found.group(0)
        seen = seen.__cause__ or seen.__context__
    return None


def _lost(error: BaseException) -> bool:
    """A Dask future cancelled because its client lost the scheduler, or a closed comm."""
    kind = type(error)
    return kind.__name__ in {"CancelledError", "FutureCancelledError", "CommClosedError"} or (
        kind.__module__.startswith("distributed") and "closed" in str(error).lower()
    )


def _named(error: BaseException) -> str:
    text = " ".join(str(error).split())  # one line, whatever Dask's message holds
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _start_worker(run_process: int) -> None:
    """Ctrl-C reaches the whole process group: the run (not its workers) decides. A worker
    never outlives the run's process, even one killed with SIGKILL: Linux kills it then
    (`PR_SET_PDEATHSIG`); elsewhere it ends when it next finds its parent gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != run_process:  # it died before the line above
        os._exit(1)


_PR_SET_PDEATHSIG = 1


class Sealed:
    """A value that travels to a worker but never shows in a log, a task's description or
    a dashboard (a component's properties may hold a secret)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<properties>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Sealed, (self.value,))


def _process_batch(target: tuple[str, str], sealed: Sealed, batch: list[Any]) -> BatchResult:
    """In a worker process: one batch through the processor class ``target``."""
    properties = sealed.value
    module, qualname = target
    processor_class: Any = importlib.import_module(module)
    for name in qualname.split("."):
        processor_class = getattr(processor_class, name)
    return _run_batch(processor_class(), properties, batch)


def _run_batch(processor: ItemProcessor, properties: Any, batch: list[Any]) -> BatchResult:
    """One batch through ``processor``: items whose text stays in its file are given with
    their text read, unless the processor reads such files itself (`file_references`)."""
    if processor.file_references:
        return processor.process_items(batch, properties)
    warnings: list[str] = []
    items = [resolved(item, warnings.append) for item in batch]
    result = processor.process_items(items, properties)
    result.warnings[:0] = warnings
    return result
