"""The component contract (DESIGN.md §4.4).

A component is a class that declares what it is: a name, a description, a pydantic model
for its `properties` (its JSON Schema drives validation, completion and hover) and its
message schemas. Connectors extract data from a source; processors derive data from
input messages, accepting one of a fixed set of input-schema combinations.

Components are plain synchronous code: the executor calls them in worker threads with
validated properties and a `ComponentContext`, and they return the content of their
output message (a JSON-compatible dict matching their output schema).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel

from waivern_orchestration.message_schemas import SchemaRef
from waivern_orchestration.messages import Message


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

    def cancelled(self) -> bool:
        """True once the run is stopping: long loops should return early."""


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

    def extract(self, properties: Any, context: ComponentContext) -> dict[str, Any]:
        """The content of the output message; ``properties`` is a ``Properties``."""
        raise NotImplementedError(f"connector {self.name!r} cannot extract")


class Processor(Component):
    """Derives a message from the messages of an artifact's inputs."""

    # Each combination is the exact set of input schemas the processor accepts together.
    input_combinations: ClassVar[tuple[frozenset[SchemaRef], ...]]

    def process(
        self, inputs: Sequence[Message], properties: Any, context: ComponentContext
    ) -> dict[str, Any]:
        """The content of the output message, from every input message (fan-in)."""
        raise NotImplementedError(f"processor {self.name!r} cannot process")
