"""Messages: what an artifact produces — an id, a schema, content, and execution metadata.

The stored and printed shape (`wct inspect RUN ARTIFACT --json`, DESIGN.md §4.2):
`{"id", "schema": {"name", "version"}, "content", "extensions": {"execution": {...}}}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from waivern_orchestration.message_schemas import SchemaRef
from waivern_orchestration.store.statuses import ArtifactStatus


@dataclass(frozen=True, slots=True)
class ExecutionMetadata:
    status: ArtifactStatus
    duration_seconds: float
    error: str | None = None
    origin: str = "parent"  # "parent" or "child:<runbook name>"
    alias: str | None = None  # the parent-side name of a child artifact

    def to_json(self) -> dict[str, Any]:
        return {
            "status": str(self.status),
            "duration_seconds": self.duration_seconds,
            "error": self.error,
            "origin": self.origin,
            "alias": self.alias,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExecutionMetadata:
        return cls(
            status=ArtifactStatus(data["status"]),
            duration_seconds=float(data["duration_seconds"]),
            error=data.get("error"),
            origin=data.get("origin", "parent"),
            alias=data.get("alias"),
        )


@dataclass(frozen=True, slots=True)
class Message:
    id: str  # the artifact's id in the plan
    schema: SchemaRef
    content: dict[str, Any]
    execution: ExecutionMetadata | None = None

    def to_json(self) -> dict[str, Any]:
        extensions = {"execution": self.execution.to_json()} if self.execution else {}
        return {
            "id": self.id,
            "schema": {"name": self.schema.name, "version": self.schema.version},
            "content": self.content,
            "extensions": extensions,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Message:
        execution = data.get("extensions", {}).get("execution")
        return cls(
            id=data["id"],
            schema=SchemaRef(data["schema"]["name"], data["schema"]["version"]),
            content=data["content"],
            execution=ExecutionMetadata.from_json(execution) if execution else None,
        )
