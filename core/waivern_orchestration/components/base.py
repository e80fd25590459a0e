"""The component contract (DESIGN.md §4.4).

A component is a class that declares what it is: a name, a description, a pydantic model
for its `properties` (its JSON Schema drives validation, completion and hover) and its
message schemas. Connectors extract data from a source; processors derive data from
input messages, accepting one of a fixed set of input-schema combinations.

Components are plain synchronous code: the executor calls them in worker threads with
validated properties and a `ComponentContext`, and they return the content of their
output message (a JSON-compatible dict matching their output schema), or a `Stream` of its
items (`streams`) so that an output never has to fit in memory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel

from waivern_orchestration.message_schemas import SchemaRef
from waivern_orchestration.messages import Message


@dataclass(frozen=True)
class Stream:
    """Output content whose list field ``field`` is produced item by item.

    The content it stands for is ``{**fields, field: [*items], **finish()}``. ``items`` is
    consumed once, in order; ``start`` is the index of the first item it yields (a
    connector resuming after a checkpoint skips the items already stored and says how many
    it skipped; the executor skips the rest)."""

    items: Iterable[Any]
    field: str = "items"
    fields: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    finish: Callable[[], Mapping[str, Any]] | None = None
    start: int = 0


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """What an earlier attempt of an artifact stored before it stopped: ``items`` items,
    the last of which was ``last`` (a connector finds its place from it)."""

    items: int
    last: Any


class BatchAccess(Protocol):
    """What a processor may do with batch providers (long work done elsewhere)."""

    def result(self, key: str) -> Any | None:
        """The result of the job submitted under ``key``, once `wct poll` stored it."""

    def submit(self, key: str, provider: str, handler: str, payload: Any) -> str:
        """Submit ``payload`` to ``provider``; ``handler`` (`module:function`) turns the
        payload into the result. Returns the provider's job id."""


class PendingProcessingError(Exception):
    """Raised by a processor after submitting work to a batch provider: the artifact stays
    `pending` (not failed), and completes on a resume once the results are in."""

    def __init__(self, message: str = "waiting for batch results") -> None:
        super().__init__(message)


class ComponentContext(Protocol):
    @property
    def runbook_dir(self) -> Path:
        """The directory of the runbook that declares the artifact (paths are relative
        to it)."""

    @property
    def artifact_id(self) -> str: ...

    @property
    def run_id(self) -> str: ...

    @property
    def batch(self) -> BatchAccess: ...

    def warn(self, message: str) -> None:
        """Record a warning on the artifact (e.g. a file skipped); the run goes on."""

    def limit_reached(self, message: str) -> None:
        """Record that a limit the runbook set cut the output short (e.g. `max_files`):
        a warning that the run table, the events and the editor all show."""

    def progress(
        self,
        *,
        files: int = 0,
        bytes: int = 0,
        total_files: int | None = None,
        total_bytes: int | None = None,
    ) -> None:
        """Count files and bytes read (and say how many there are in all, once known) for
        the run's progress: rates and an ETA."""

    def cancelled(self) -> bool:
        """True once the run is stopping: long loops should return early."""

    @property
    def checkpoint(self) -> Checkpoint | None:
        """What an earlier attempt of this artifact stored before it stopped, when its
        output is a `Stream`: a connector that can find its place from the last item
        stored yields only the rest (`Stream.start`)."""


class Component:
    name: ClassVar[str]
    description: ClassVar[str]
    Properties: ClassVar[type[BaseModel]]
    output_schemas: ClassVar[tuple[SchemaRef, ...]]

    @classmethod
    def properties_schema(cls) -> dict[str, Any]:
        return cls.Properties.model_json_schema()


class Connector(Component):
    """Extracts data from outside the run (files, databases, ...)."""

    def extract(self, properties: Any, context: ComponentContext) -> dict[str, Any] | Stream:
        """The content of the output message, or a `Stream` of its items; ``properties``
        is a ``Properties``."""
        raise NotImplementedError(f"connector {self.name!r} cannot extract")


class Processor(Component):
    """Derives a message from the messages of an artifact's inputs."""

    # Each combination is the exact set of input schemas the processor accepts together.
    input_combinations: ClassVar[tuple[frozenset[SchemaRef], ...]]
    # True: list fields of the inputs may be sequences read lazily from the run store
    # (`streams.StreamedItems`) rather than lists. False (the default, for processors
    # written before streams): every input is given whole, as plain lists.
    lazy_inputs: ClassVar[bool] = False

    def process(
        self, inputs: Sequence[Message], properties: Any, context: ComponentContext
    ) -> dict[str, Any] | Stream:
        """The content of the output message (or a `Stream` of its items), from every
        input message (fan-in)."""
        raise NotImplementedError(f"processor {self.name!r} cannot process")
