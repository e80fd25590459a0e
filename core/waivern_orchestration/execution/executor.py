"""The executor: runs a plan's artifacts in parallel, persisting state after each one.

Each artifact starts the moment its last input completes (no waiting for a DAG level),
never more than `config.max_concurrency` at once. Components run in worker threads; the
asyncio loop schedules, persists and reports. A failed artifact skips everything that
depends on it while independent branches go on; an `optional` failure is a warning (its
dependents are still skipped): the run ends `partial`, and a resume runs them again. A
processor that hands work to a batch provider leaves its artifact `pending` and the run
ends `interrupted`, to be resumed once `wct poll` has the results. `config.timeout` and
`stop()` (signals) end the run early: what has not finished is recorded as not run, and
everything completed stays completed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence, Sized
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import Any

from waivern_orchestration.components import ComponentRegistry
from waivern_orchestration.components.base import BatchAccess, Connector, PendingProcessingError
from waivern_orchestration.components.streams import (
    Checkpoint,
    ItemProcessor,
    Stream,
    StreamedItems,
    stream_items,
)
from waivern_orchestration.execution.cluster_sources import (
    Delivery,
    TaskInfo,
    extract_on_cluster,
)
from waivern_orchestration.execution.events import (
    ArtifactFinished,
    ArtifactProgress,
    ArtifactStarted,
    EventSink,
    RunFinished,
    RunStarted,
    SilentSink,
)
from waivern_orchestration.execution.executors import DaskWorkers
from waivern_orchestration.execution.inputs import prepared
from waivern_orchestration.execution.outcome import RunOutcome, StopReason, decide_outcome
from waivern_orchestration.execution.progress import ProgressCounts
from waivern_orchestration.execution.streaming import (
    ArtifactWriter,
    BatchPool,
    ExecutorLost,
    Sealed,
    WorkerProcesses,
    capped_warnings,
    elsewhere_error,
    whole_stream,
    write_item_wise,
    write_stream,
)
from waivern_orchestration.message_schemas import SchemaRef
from waivern_orchestration.messages import ExecutionMetadata, Message
from waivern_orchestration.planner import ExecutionPlan, PlannedArtifact
from waivern_orchestration.redaction import Redactor
from waivern_orchestration.store import batches
from waivern_orchestration.store.run_store import (
    HEARTBEAT_SECONDS,
    FinishedArtifact,
    RunStore,
    StoredStream,
    StoreError,
    now_iso,
)
from waivern_orchestration.store.statuses import (
    LIMIT_PREFIX,
    ArtifactStatus,
    RunStatus,
    empty_counts,
    limits_of,
)


@dataclass
class ExecutionContext:
    """What a component sees of the run it works in (`components.base.ComponentContext`),
    and what the run learns from it as it goes (warnings, limits hit, progress)."""

    runbook_dir: Path
    artifact_id: str
    run_id: str
    batch: BatchAccess
    stopping: threading.Event
    warnings: list[str] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)
    checkpoint: Checkpoint | None = None
    progress_counts: ProgressCounts = field(default_factory=lambda: ProgressCounts())

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def limit_reached(self, message: str) -> None:
        self.limits.append(message)
        self.warnings.append(LIMIT_PREFIX + message)

    def progress(
        self,
        *,
        files: int = 0,
        bytes: int = 0,
        total_files: int | None = None,
        total_bytes: int | None = None,
    ) -> None:
        self.progress_counts.add(files=files, bytes=bytes)
        if total_files is not None or total_bytes is not None:
            self.progress_counts.expect(files=total_files, bytes=total_bytes)

    def count(self, *, items: int = 0, files: int = 0, bytes: int = 0) -> None:
        self.progress_counts.add(items=items, files=files, bytes=bytes)

    def cancelled(self) -> bool:
        return self.stopping.is_set()


# How often the progress of running artifacts is reported (when it moved).
PROGRESS_SECONDS = 0.5

BatchFactory = Callable[[str, str], BatchAccess]  # (run id, artifact id) → access


@dataclass
class _Step:
    finished: list[tuple[PlannedArtifact, _Result]] = field(default_factory=list)
    started: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Result:
    status: ArtifactStatus
    message: Message | None
    error: str | None
    duration: float
    warnings: list[str]
    stored: str | None = None  # the message as stored (JSON), made in the worker thread
    started_at: str | None = None
    failure: StoreError | None = None  # the store refused a batch: the run stops


class Executor:
    def __init__(
        self,
        plan: ExecutionPlan,
        store: RunStore,
        run_id: str,
        token: str,
        registry: ComponentRegistry,
        batch: BatchFactory,
        sink: EventSink | None = None,
        redact: Redactor | None = None,
        workers: int | None = None,
        batch_pool: BatchPool | None = None,
    ) -> None:
        """``redact``: what every error, warning and reason passes through before it is
        stored or emitted (`redaction`); by default the one for the variables the plan
        substitutes, with their values in this process' environment. ``workers``: worker
        processes for CPU-bound batches (default: `config.workers`, else every core);
        ``batch_pool``: where those batches run instead (a Dask cluster, `executors`)."""
        self.plan = plan
        self.store = store
        self.run_id = run_id
        self.token = token
        self.registry = registry
        self.batch = batch
        self.sink: EventSink = sink or SilentSink()
        self.redact = redact if redact is not None else Redactor.of(os.environ, plan.variables)
        self._stopping = threading.Event()
        self._stop_reason: StopReason | None = None
        self._wake: asyncio.Event | None = None
        self._messages: dict[str, Message] = {}
        self._status: dict[str, ArtifactStatus] = {}  # each artifact's, as the run goes
        self._contexts: dict[str, ExecutionContext] = {}  # the running artifacts'
        self._loop: asyncio.AbstractEventLoop | None = None
        self._checkpointed: set[str] = set()  # artifacts with batches stored before this run
        size = plan.config.workers if workers is None else workers
        self._processes: BatchPool = batch_pool or WorkerProcesses(size or os.cpu_count() or 1)

    def stop(self, reason: StopReason) -> None:
        """End the run early (a signal): safe to call from the loop's signal handlers."""
        if self._stop_reason is None:
            self._stop_reason = reason
        self._stopping.set()
        if self._wake is not None:
            self._wake.set()

    async def execute(self) -> RunOutcome:
        """Run the plan to its end (or a stop). A StoreError (OwnershipLost: another
        process took the run over) stops it: nothing more is written, the sink hears why."""
        try:
            return await self._execute()
        except StoreError as failure:  # taken over, or the store failed: nothing more is written
            self._stopping.set()  # components that look at `cancelled()` stop too
            counts = empty_counts()
            for value in self._status.values():
                key = ArtifactStatus.NOT_STARTED if value is ArtifactStatus.RUNNING else value
                counts[key] += 1
            reason = self.redact(str(failure))
            self.sink.emit(RunFinished(self.run_id, RunStatus.INTERRUPTED, counts, reason))
            raise

    async def _execute(self) -> RunOutcome:
        self._wake = asyncio.Event()
        loop = self._loop = asyncio.get_running_loop()
        plan = self.plan
        status = self._status = self._prepare()
        dependents = plan.dependents()
        waiting = {
            artifact.id: sum(
                1
                for producer in set(artifact.inputs)
                if status[producer] is not ArtifactStatus.COMPLETED
            )
            for artifact in plan.artifacts
            if status[artifact.id] is not ArtifactStatus.COMPLETED
        }
        ready = [artifact for artifact, count in waiting.items() if count == 0]
        ready.reverse()  # pop() takes them in plan order
        done_before = sum(1 for value in status.values() if value is ArtifactStatus.COMPLETED)
        self.sink.emit(RunStarted(self.run_id, len(plan.artifacts), done_before))
        pool = _WorkerPool(plan.config.max_concurrency)
        running: dict[asyncio.Future[Any], str] = {}
        heartbeat = asyncio.create_task(self._heartbeat())
        limit = plan.config.timeout
        deadline = loop.time() + limit if limit is not None else None
        failed_required = False
        # What one scheduling step changed, written in one transaction: the artifacts that
        # finished (and the dependents their failure skips) and those they let start.
        step = _Step()
        try:
            while ready or running:
                while (
                    ready
                    and len(running) < plan.config.max_concurrency
                    and not self._stopping.is_set()
                ):
                    artifact = ready.pop()
                    status[artifact] = ArtifactStatus.RUNNING
                    step.started.append(artifact)
                    planned = plan[artifact]
                    running[pool.submit(loop, self._work_for(planned))] = artifact
                self._commit(step)
                step = _Step()
                if self._stopping.is_set() or not running:
                    break
                timeout = PROGRESS_SECONDS
                if deadline is not None:
                    timeout = min(max(deadline - loop.time(), 0), timeout)
                wake: asyncio.Future[Any] = asyncio.ensure_future(self._wake.wait())
                watched: set[asyncio.Future[Any]] = {*running, wake}
                finished, _ = await asyncio.wait(
                    watched, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
                wake.cancel()
                self._wake.clear()
                self._report_progress(running.values())
                timed_out = deadline is not None and loop.time() >= deadline
                if limit is not None and timed_out and not finished - {wake}:
                    self.stop(StopReason.timed_out(limit))
                    break
                for future in finished:
                    if future is wake:
                        continue
                    artifact = running.pop(future)
                    result: _Result = future.result()
                    self._contexts.pop(artifact, None)
                    if result.failure is not None:
                        raise result.failure
                    status[artifact] = result.status
                    if result.message is not None:
                        self._messages[artifact] = result.message
                    step.finished.append((plan[artifact], result))
                    if result.status is ArtifactStatus.COMPLETED:
                        for dependent in dependents[artifact]:
                            if (
                                dependent in waiting
                                and status[dependent] is ArtifactStatus.NOT_STARTED
                            ):
                                waiting[dependent] -= 1
                                if waiting[dependent] == 0:
                                    ready.insert(0, dependent)
                    elif result.status is ArtifactStatus.FAILED:
                        if not plan[artifact].definition.optional:
                            failed_required = True
                        step.skipped.extend(self._skip_dependents(artifact, dependents, status))
            self._commit(step)
            # Stopped (timeout or signal): what was running did not finish.
            unfinished = list(running.values())
            for artifact in unfinished:
                status[artifact] = ArtifactStatus.NOT_STARTED
            self.store.mark_artifacts(
                self.run_id, self.token, unfinished, ArtifactStatus.NOT_STARTED
            )
        finally:
            heartbeat.cancel()
            pool.close()
            self._processes.close()
        counts = self.store.counts(self.run_id)
        run_status, reason = decide_outcome(self.run_id, counts, failed_required, self._stop_reason)
        reason = self.redact.optional(reason)
        self.store.finish_run(self.run_id, self.token, run_status, reason)
        self.sink.emit(RunFinished(self.run_id, run_status, counts, reason))
        return RunOutcome(self.run_id, run_status, reason, counts)

    def _prepare(self) -> dict[str, ArtifactStatus]:
        """Statuses to start from: completed artifacts stay completed (unless their message
        was never stored and something still needs it); everything else runs again."""
        status = {record.artifact_id: record.status for record in self.store.artifacts(self.run_id)}
        self._checkpointed = self.store.streamed_artifacts(self.run_id)
        dependents = self.plan.dependents()
        for artifact in self.plan.artifacts:
            # A sensitive output was never stored: produce it again if something needs it.
            if (
                artifact.sensitive
                and status.get(artifact.id) is ArtifactStatus.COMPLETED
                and any(
                    status.get(user) is not ArtifactStatus.COMPLETED
                    for user in dependents[artifact.id]
                )
            ):
                status[artifact.id] = ArtifactStatus.NOT_STARTED
        reset = [
            artifact.id
            for artifact in self.plan.artifacts
            if status.get(artifact.id) is not ArtifactStatus.COMPLETED
        ]
        self.store.mark_artifacts(self.run_id, self.token, reset, ArtifactStatus.NOT_STARTED)
        # A checkpoint holds only while the inputs it was made from stand: an artifact one of
        # whose inputs is produced again (it failed, or is sensitive and never stored)
        # starts from nothing.
        again = set(reset)
        stale = [
            artifact.id
            for artifact in self.plan.artifacts
            if artifact.id in self._checkpointed
            and artifact.id in again
            and any(producer in again for producer in artifact.inputs)
        ]
        self.store.drop_batches(self.run_id, self.token, stale)
        self._checkpointed.difference_update(stale)
        # Failed, skipped, pending and interrupted artifacts all run again.
        return {
            artifact.id: ArtifactStatus.COMPLETED
            if status.get(artifact.id) is ArtifactStatus.COMPLETED
            else ArtifactStatus.NOT_STARTED
            for artifact in self.plan.artifacts
        }

    def _skip_dependents(
        self, artifact: str, dependents: dict[str, list[str]], status: dict[str, ArtifactStatus]
    ) -> list[tuple[str, str]]:
        """Everything downstream of a failed artifact that has not run: (id, reason)."""
        skipped: list[tuple[str, str]] = []
        stack = list(dependents[artifact])
        while stack:
            current = stack.pop()
            if status[current] in (
                ArtifactStatus.SKIPPED,
                ArtifactStatus.COMPLETED,
                ArtifactStatus.RUNNING,
            ):
                continue
            status[current] = ArtifactStatus.SKIPPED
            skipped.append((current, f"input `{artifact}` failed"))
            stack.extend(dependents[current])
        return skipped

    def _commit(self, step: _Step) -> None:
        """Write one step, then tell the sink (so whoever reads the store after an event
        finds what the event says)."""
        if not (step.finished or step.started or step.skipped):
            return
        # A component's error or warning may quote its properties: secret values go here,
        # before anything is stored or emitted.
        finished, skipped, redact = step.finished, step.skipped, self.redact
        if redact:
            finished = [
                (
                    planned,
                    replace(
                        result,
                        error=redact.optional(result.error),
                        warnings=list(map(redact, result.warnings)),
                    ),
                )
                for planned, result in finished
            ]
            skipped = [(artifact, redact(reason)) for artifact, reason in skipped]
        self.store.record_step(
            self.run_id,
            self.token,
            [
                FinishedArtifact(
                    planned.id,
                    result.status,
                    result.duration,
                    result.error,
                    tuple(result.warnings),
                    result.stored,
                    planned.sensitive,
                    result.started_at,
                )
                for planned, result in finished
            ],
            started=step.started,
            skipped=skipped,
        )
        for planned, result in finished:
            self.sink.emit(
                ArtifactFinished(
                    self.run_id,
                    planned.id,
                    result.status,
                    result.duration,
                    result.error,
                    len(result.warnings),
                    limits_of(result.warnings),
                )
            )
        for artifact, reason in skipped:
            self.sink.emit(
                ArtifactFinished(self.run_id, artifact, ArtifactStatus.SKIPPED, 0.0, reason)
            )
        for artifact in step.started:
            self.sink.emit(ArtifactStarted(self.run_id, artifact))

    def _stop_from_thread(self, reason: StopReason) -> None:
        """`stop` from an artifact's thread (the loop's event is not thread-safe)."""
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has ended: the run too
                loop.call_soon_threadsafe(self.stop, reason)

    def _report_progress(self, running: Iterable[str]) -> None:
        for artifact in running:
            context = self._contexts.get(artifact)
            snapshot = context.progress_counts.changed() if context is not None else None
            if snapshot is not None:
                self.sink.emit(ArtifactProgress.of(self.run_id, artifact, snapshot))

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            if not self.store.heartbeat(self.run_id, self.token):
                # Another process took the run over (this one looked dead): stop writing.
                self.stop(StopReason.taken_over())

    # -- one artifact (runs in a worker thread) ----------------------------------------

    def _input(self, producer: str) -> Message:
        """An input's message: produced in this run, or stored by an earlier attempt."""
        message = self._messages.get(producer)
        if message is None:
            message = self.store.message(self.run_id, producer)
            if message is None:
                raise RuntimeError(f"the stored output of `{producer}` is missing")
            self._messages[producer] = message
        return message

    def _work_for(self, planned: PlannedArtifact) -> Callable[[], _Result]:
        try:
            inputs = [self._input(producer) for producer in planned.inputs]
            inputs += [
                # A declared default stands in for an unmapped optional child input.
                Message(
                    id=f"{planned.id}:{name}",
                    schema=SchemaRef.parse(schema),
                    content=value if isinstance(value, dict) else {"value": value},
                )
                for name, schema, value in planned.defaults
            ]
        except RuntimeError as missing:  # a store edited by hand, or a message lost
            reason = str(missing)
            return lambda: _Result(ArtifactStatus.FAILED, None, reason, 0.0, [])
        context = ExecutionContext(
            runbook_dir=planned.runbook_dir,
            artifact_id=planned.id,
            run_id=self.run_id,
            batch=self.batch(self.run_id, planned.id),
            stopping=self._stopping,
        )
        self._contexts[planned.id] = context
        reuse = planned.definition.reuse
        reused = self._reused(planned) if reuse is not None else None
        alias = self.plan.alias_of(planned.id)

        def work() -> _Result:
            started_at = now_iso()
            started = time.perf_counter()
            if reuse is not None and reused is None:
                error = f"run {reuse.from_run} has no stored output for artifact `{reuse.artifact}`"
                return _Result(ArtifactStatus.FAILED, None, error, 0.0, context.warnings)
            writer: ArtifactWriter | None = None
            try:
                writer = self._writer(planned, context)
                content = self._output(planned, inputs, context, reused, writer)
            except StoreError as failure:  # taken over, or the store failed: the run stops
                return _Result(ArtifactStatus.FAILED, None, str(failure), 0.0, [], failure=failure)
            except ExecutorLost as lost:  # the run stops; what is stored stays, resumable
                self._stop_from_thread(StopReason.executor_lost(str(lost)))
                return _Result(ArtifactStatus.NOT_STARTED, None, str(lost), 0.0, [])
            except PendingProcessingError as pending:
                return _Result(
                    ArtifactStatus.PENDING,
                    None,
                    str(pending),
                    time.perf_counter() - started,
                    self._warnings(writer, context),
                )
            except Exception as error:  # a component's failure is the artifact's, not ours
                return _Result(
                    ArtifactStatus.FAILED,
                    None,
                    _describe(error),
                    time.perf_counter() - started,
                    self._warnings(writer, context),
                )
            finally:
                if writer is not None:
                    writer.close()
            duration = time.perf_counter() - started
            schema = (
                SchemaRef.parse(planned.output_schema)
                if planned.output_schema
                else SchemaRef("unknown", "0")
            )
            message = Message(
                id=planned.id,
                schema=schema,
                content=content,
                execution=ExecutionMetadata(
                    ArtifactStatus.COMPLETED, duration, None, planned.origin, alias
                ),
            )
            try:
                stored = json.dumps(message.to_json())  # the component's key order kept
            except (TypeError, ValueError) as error:
                return _Result(
                    ArtifactStatus.FAILED,
                    None,
                    f"the component's output is not JSON data: {error}",
                    duration,
                    self._warnings(writer, context),
                )
            if writer is not None and batches.streamed_field(content) is not None:
                # Dependents read the streamed items from the store, batch by batch.
                readable = dict(content)
                batches.with_items(readable, self.store.path, self.run_id, planned.id)
                message = replace(message, content=readable)
            return _Result(
                ArtifactStatus.COMPLETED,
                message,
                None,
                duration,
                self._warnings(writer, context),
                stored,
                started_at,
            )

        return work

    def _reused(self, planned: PlannedArtifact) -> Message | None:
        """The stored message `reuse` points at (by id, or by an alias of that run)."""
        reuse = planned.definition.reuse
        assert reuse is not None
        message = self.store.message(reuse.from_run, reuse.artifact)
        if message is None:
            try:
                other = ExecutionPlan.from_json(self.store.plan_json(reuse.from_run))
            except Exception:  # an unknown run, or a plan this version cannot read
                return None
            message = self.store.message(reuse.from_run, other.resolve(reuse.artifact))
        return message

    def _writer(self, planned: PlannedArtifact, context: ExecutionContext) -> ArtifactWriter | None:
        """The writer of an output that may stream (never one that is not stored:
        `sensitive`), with what an earlier attempt stored as the component's checkpoint."""
        if planned.sensitive:
            return None
        earlier = StoredStream()
        if planned.id in self._checkpointed:  # an earlier attempt stored batches
            with self.store.another() as store:
                earlier = store.stored_stream(self.run_id, planned.id)
        if earlier.items:
            context.checkpoint = Checkpoint(earlier.items, earlier.last)
        return ArtifactWriter(
            lambda: self.store.another(), self.run_id, planned.id, self.token, context, earlier
        )

    @staticmethod
    def _warnings(writer: ArtifactWriter | None, context: ExecutionContext) -> list[str]:
        return writer.warnings() if writer is not None else capped_warnings(context.warnings)

    def _output(
        self,
        planned: PlannedArtifact,
        inputs: Sequence[Message],
        context: ExecutionContext,
        reused: Message | None,
        writer: ArtifactWriter | None,
    ) -> dict[str, Any]:
        """The output content: whole, or (streamed) its envelope with the items stored."""
        definition = planned.definition
        if reused is not None:
            return self._reuse(planned, reused, writer)
        output: dict[str, Any] | Stream
        if definition.source is not None:
            connector = self.registry.connectors[definition.source.type]
            properties = connector.Properties.model_validate(definition.source.properties)
            if isinstance(self._processes, DaskWorkers) and writer is not None:
                # On the cluster: a worker reads the source (a sensitive output never
                # leaves this process).
                return self._extract_on_cluster(
                    planned, connector, properties, context, writer, self._processes
                )
            output = connector().extract(properties, context)
        elif definition.process is not None:
            processor = self.registry.processors[definition.process.type]()
            properties = processor.Properties.model_validate(definition.process.properties)
            if (
                isinstance(processor, ItemProcessor)
                and writer is not None
                and processor.streams(properties)
            ):
                context.progress_counts.expect(items=_input_items(processor, inputs))
                return write_item_wise(
                    processor, properties, inputs, writer, context, self._processes
                )
            given = prepared(inputs, lazy=processor.lazy_inputs, warn=context.warn)
            output = processor.process(given, properties, context)
        else:
            output = concatenated(inputs)
        if isinstance(output, Stream):
            return write_stream(output, writer, context) if writer else whole_stream(output)
        return output

    def _extract_on_cluster(
        self,
        planned: PlannedArtifact,
        connector: type[Connector],
        properties: Any,
        context: ExecutionContext,
        writer: ArtifactWriter,
        pool: DaskWorkers,
    ) -> dict[str, Any]:
        earlier = writer.earlier

        def write(number: int, items: list[Any]) -> None:
            writer.write(earlier.next_position + number, items)
            context.count(items=len(items))

        def count(files: int, size: int, total_files: int | None, total: int | None) -> None:
            context.progress(files=files, bytes=size, total_files=total_files, total_bytes=total)

        def info(queue: str, stop: str) -> TaskInfo:
            return TaskInfo(
                str(planned.runbook_dir), planned.id, self.run_id, queue, stop, context.checkpoint
            )

        try:
            outcome = extract_on_cluster(
                pool.client,
                pool.key(),
                (connector.__module__, connector.__qualname__),
                Sealed(properties),
                info,
                Delivery(write, context.warn, count, context.cancelled),
            )
        except Exception as error:
            raise elsewhere_error(
                error, "connector", connector.name, connector.__module__
            ) from None
        if outcome.content is not None:
            return outcome.content
        stored = batches.marker(earlier.items + outcome.items)
        return {**outcome.fields, outcome.streamed: stored, **outcome.finished}

    def _reuse(
        self, planned: PlannedArtifact, reused: Message, writer: ArtifactWriter | None
    ) -> dict[str, Any]:
        """The content of a reused message: a streamed one's batches are copied as they
        are stored (not decoded), or gathered when this output is never stored."""
        content = dict(reused.content)
        found = next(
            (name for name, value in content.items() if isinstance(value, StreamedItems)), None
        )
        if found is None:
            return content
        items: StreamedItems = content[found]
        if writer is None:
            content[found] = list(items)
            return content
        reuse = planned.definition.reuse
        assert reuse is not None
        writer.store.copy_batches(reuse.from_run, reused.id, self.run_id, self.token, planned.id)
        content[found] = batches.marker(len(items))
        return content


def concatenated(inputs: Sequence[Message]) -> dict[str, Any] | Stream:
    """`merge: concatenate` of the inputs; a list field that is streamed in any input
    streams out (its items chained, input by input), never gathered in memory."""
    contents = [message.content for message in inputs]
    streamed = next(
        (
            name
            for content in contents
            for name, value in content.items()
            if isinstance(value, StreamedItems)
        ),
        None,
    )
    if streamed is None:
        return concatenate(contents)
    parts = [content[streamed] for content in contents if streamed in content]
    rest = concatenate([{k: v for k, v in c.items() if k != streamed} for c in contents])
    return Stream(chain.from_iterable(parts), field=streamed, fields=rest)


def _input_items(processor: ItemProcessor, inputs: Sequence[Message]) -> int:
    total = 0
    for message in inputs:
        items = stream_items(message.content, processor.input_field)
        total += len(items) if isinstance(items, Sized) else 0
    return total


def concatenate(contents: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Fan-in without a processor (`merge: concatenate`): lists are joined, numbers are
    added (at any level), anything else is taken from the first input that has it."""
    merged: dict[str, Any] = {}
    for content in contents:
        for key, value in content.items():
            if key not in merged:
                merged[key] = list(value) if isinstance(value, list) else value
            elif isinstance(value, list) and isinstance(merged[key], list):
                merged[key].extend(value)
            elif isinstance(value, dict) and isinstance(merged[key], dict):
                merged[key] = _add_counts(merged[key], value)
            elif _is_count(value) and _is_count(merged[key]):
                merged[key] = merged[key] + value
    return merged


def _is_count(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _add_counts(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    added = dict(first)
    for key, value in second.items():
        if _is_count(value) and _is_count(added.get(key)):
            added[key] = added[key] + value
        else:
            added.setdefault(key, value)
    return added


def _describe(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0] if "\n" in text else text


class _WorkerPool:
    """Daemon worker threads: a component stuck past a timeout or a signal must not keep
    the process alive (the run is already recorded as stopped)."""

    def __init__(self, size: int) -> None:
        self._queue: queue.SimpleQueue[
            tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], Callable[[], Any]] | None
        ] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"wct-worker-{index}", daemon=True)
            for index in range(size)
        ]
        for thread in self._threads:
            thread.start()

    def submit(
        self, loop: asyncio.AbstractEventLoop, call: Callable[[], Any]
    ) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = loop.create_future()
        self._queue.put((loop, future, call))
        return future

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put(None)

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            loop, future, call = item
            try:
                result = call()
            except BaseException as error:  # delivered to the loop, never lost
                outcome: tuple[Any, BaseException | None] = (None, error)
            else:
                outcome = (result, None)
            # The run may have ended (timeout, signal) while this component still worked.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, future, *outcome)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
