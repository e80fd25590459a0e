"""The component contract (DESIGN.md §4.4).

A component is a class that declares what it is: a name, a description, a pydantic model
for its `properties` (its JSON Schema drives validation, completion and hover) and its
message schemas. Connectors extract data from a source; processors derive data from
input messages, accepting one of a fixed set of input-schema combinations.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel

from waivern_orchestration.message_schemas import SchemaRef


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


class Processor(Component):
    """Derives a message from the messages of an artifact's inputs."""

    # Each combination is the exact set of input schemas the processor accepts together.
    input_combinations: ClassVar[tuple[frozenset[SchemaRef], ...]]
