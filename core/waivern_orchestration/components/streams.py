"""Streamed outputs (DESIGN.md §4.4): an artifact's output as a sequence of items.

A component may return its whole output content as one dict, or a `Stream`: the content's
fields known up front, one list field whose items it yields one by one, and the fields it
can only give once every item is out (a count, a summary). The executor writes the items
to the run store in batches as they come, so an output never has to fit in memory, and a
run killed halfway resumes after the last stored batch (`Checkpoint`).

An `ItemProcessor` maps input items to output items independently of each other: the
executor hands it input batches, in worker processes on every core, stores each output
batch as it comes back (one checkpoint per batch), then asks it for the fields that sum up
the output (`summarise`), which reads the stored output items lazily.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, ClassVar

from waivern_orchestration.components.base import Checkpoint as Checkpoint
from waivern_orchestration.components.base import ComponentContext, Processor
from waivern_orchestration.components.base import Stream as Stream
from waivern_orchestration.messages import Message


def stream_items(content: Mapping[str, Any], name: str) -> Iterable[Any] | None:
    """The list field ``name`` of a message's content, stored or streamed (a stored
    stream is read lazily, batch by batch); None when it is not a list."""
    value = content.get(name)
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return value
    return None


class StreamedItems(Sequence[Any]):
    """A streamed list field as read back from the run store: its length is known, its
    items are read batch by batch (never all at once), in order, as often as asked."""

    def __init__(
        self,
        count: int,
        batches: Callable[[], Iterator[list[Any]]],
        seek: Callable[[int], tuple[int, Iterator[list[Any]]]] | None = None,
    ) -> None:
        """``seek(offset)``: the batches from the one holding item ``offset`` on, and the
        index of its first item (without it, pages are read from the start)."""
        self._count = count
        self._batches = batches
        self._seek = seek
        self._page: tuple[int, list[Any]] | None = None  # (first index, items)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Any]:
        for batch in self._batches():
            yield from batch

    def batches(self) -> Iterator[list[Any]]:
        return self._batches()

    def from_offset(self, offset: int) -> Iterator[Any]:
        """The items from index ``offset`` on."""
        if self._seek is None:
            yield from islice(self, offset, None)
            return
        first, batches = self._seek(offset)
        for batch in batches:
            skip = max(offset - first, 0)
            first += len(batch)
            yield from batch[skip:]

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            return [self[position] for position in range(start, stop, step)]
        position = index + self._count if index < 0 else index
        if not 0 <= position < self._count:
            raise IndexError("streamed item index out of range")
        if self._page is not None:
            first, items = self._page
            if first <= position < first + len(items):
                return items[position - first]
        first = 0
        for batch in self._batches():
            if position < first + len(batch):
                self._page = (first, batch)
                return batch[position - first]
            first += len(batch)
        raise IndexError("streamed item index out of range")  # the store changed under us

    def __repr__(self) -> str:
        return f"StreamedItems({self._count} items)"


class ItemProcessor(Processor):
    """A processor whose output items each come from one input item: the executor runs it
    batch by batch (in worker processes for large inputs) and checkpoints every batch.

    Subclasses give `process_items` (a pure function of a batch: it runs in another
    process, so it sees only its arguments) and `summarise`; `process` (every input at
    once, in memory) is derived from them, for callers that want one dict."""

    input_field: ClassVar[str] = "items"
    output_field: ClassVar[str] = "items"
    # True: `process_items` is given items whose text stays in its file (`file_text`
    # references) and reads them itself (in chunks, for big files); False: the executor
    # reads the text for it, so every item's `content` is text.
    file_references: ClassVar[bool] = False

    def streams(self, properties: Any) -> bool:
        """False when this configuration needs every input item at once (then `process`
        runs instead)."""
        return True

    def process_items(self, items: list[Any], properties: Any) -> BatchResult:
        """The output items of one batch of input items, and warnings."""
        raise NotImplementedError(f"processor {self.name!r} cannot process items")

    def summarise(
        self, outputs: Iterable[Any], properties: Any, context: ComponentContext
    ) -> dict[str, Any]:
        """The output content's other fields, from every output item (read lazily)."""
        return {}

    def process(
        self, inputs: Sequence[Message], properties: Any, context: ComponentContext
    ) -> dict[str, Any] | Stream:
        outputs: list[Any] = []
        for message in inputs:
            items = stream_items(message.content, self.input_field)
            if items is None:
                context.warn(f"input {message.id!r} has no {self.input_field}: skipped")
                continue
            for batch in batched(items, 500):
                if context.cancelled():
                    break
                result = self.process_items(batch, properties)
                outputs += result.items
                for warning in result.warnings:
                    context.warn(warning)
        return {self.output_field: outputs, **self.summarise(outputs, properties, context)}


@dataclass(slots=True)
class BatchResult:
    """What `ItemProcessor.process_items` gives back for one batch."""

    items: list[Any]
    warnings: list[str] = dataclasses.field(default_factory=list)
    scanned_bytes: int = 0  # for progress: bytes of text the batch read


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
