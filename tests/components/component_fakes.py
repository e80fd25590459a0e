"""A stand-in for the executor's `ComponentContext`, and schema validation of contents."""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from waivern_orchestration.components.file_text import resolved
from waivern_orchestration.components.streams import Checkpoint, Stream
from waivern_orchestration.message_schemas import SchemaRef, known_schemas
from waivern_orchestration.messages import Message


@dataclass
class FakeBatch:
    """Batch jobs in a dict: `submit` records the job, `complete` runs its handler the way
    a provider would (on a JSON copy of the payload) and stores the result."""

    results: dict[str, Any] = field(default_factory=dict)
    submitted: list[dict[str, Any]] = field(default_factory=list)

    def result(self, key: str) -> Any | None:
        return self.results.get(key)

    def submit(self, key: str, provider: str, handler: str, payload: Any) -> str:
        job = {"key": key, "provider": provider, "handler": handler, "payload": payload}
        self.submitted.append(job)
        return f"job-{len(self.submitted)}"

    def complete(self) -> None:
        for job in self.submitted:
            module, _, function = job["handler"].partition(":")
            run = getattr(importlib.import_module(module), function)
            self.results[job["key"]] = run(json.loads(json.dumps(job["payload"])))


@dataclass
class FakeContext:
    runbook_dir: Path
    artifact_id: str = "artifact"
    run_id: str = "run-1"
    batch: FakeBatch = field(default_factory=FakeBatch)
    warnings: list[str] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)
    stop: bool = False
    checkpoint: Checkpoint | None = None
    files: int = 0
    bytes: int = 0

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def limit_reached(self, message: str) -> None:
        self.limits.append(message)
        self.warnings.append(message)

    def progress(
        self,
        *,
        files: int = 0,
        bytes: int = 0,
        total_files: int | None = None,
        total_bytes: int | None = None,
    ) -> None:
        self.files += files
        self.bytes += bytes

    def cancelled(self) -> bool:
        return self.stop


def gathered(output: dict[str, Any] | Stream, context: FakeContext) -> dict[str, Any]:
    """A component's output as one content: a stream's items gathered, with the text of
    items kept in their files read (what a processor is given)."""
    if not isinstance(output, Stream):
        return output
    items = [resolved(item, context.warn) for item in output.items]
    finished = dict(output.finish()) if output.finish is not None else {}
    return {**output.fields, output.field: items, **finished}


def assert_matches_schema(content: dict[str, Any], schema: SchemaRef) -> None:
    """The content is JSON (survives a round trip unchanged) and valid for its schema."""
    assert json.loads(json.dumps(content)) == content
    validator = Draft202012Validator(known_schemas()[schema].json_schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(content)]
    assert errors == []


def message(artifact_id: str, schema: SchemaRef, content: dict[str, Any]) -> Message:
    return Message(artifact_id, schema, content)


def file_items(files: dict[str, str]) -> dict[str, Any]:
    """`standard_input` content with one item per file, as the filesystem connector makes."""
    return {
        "source": "data",
        "items": [
            {"content": text, "metadata": {"source": name, "connector": "filesystem", "file": name}}
            for name, text in files.items()
        ],
    }


def table_cells(content: dict[str, Any], table: str) -> list[tuple[Any, str, str]]:
    """A database connector's cell items of ``table``: (row, column, text), in order."""
    return [
        (item["metadata"]["row"], item["metadata"]["column"], item["content"])
        for item in content["items"]
        if item["metadata"]["table"] == table and item["metadata"]["kind"] == "cell"
    ]
