"""A run's results document (`wct export RUN_ID`, `wct run FILE -o FILE`; DESIGN.md §4.6):
the run and each output artifact's state and content, in one JSON document whose schema
is `schemas/results.schema.json` (generated from the TypedDicts declared here).

Which artifacts it holds: those the runbook marks `output: true` (a child runbook's output
when its parent-side artifact is marked); when none is marked, the run's final artifacts
(those no other artifact takes as input), never every intermediate one (a connector's
output holds the raw text it read).

A streamed content field stays a lazy sequence here: `cli/streamed_json` writes it item by
item, so a document of millions of findings is written in bounded memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from pydantic import ConfigDict, TypeAdapter, with_config
from pydantic.json_schema import GenerateJsonSchema
from typing_extensions import TypedDict  # for pydantic (the JSON Schema) before 3.12

from waivern_orchestration import __version__
from waivern_orchestration.planner import ExecutionPlan, PlannedArtifact
from waivern_orchestration.store.plans import stored_plan
from waivern_orchestration.store.reports import (
    NoStoredOutput,
    RunCounts,
    artifact_message,
)
from waivern_orchestration.store.run_store import RunStore
from waivern_orchestration.store.statuses import ArtifactStatus, RunStatus

RESULTS_SCHEMA_FILE = "results.schema.json"
RESULTS_SCHEMA_ID = "https://waivern.dev/schemas/results.schema.json"
FORMAT_VERSION: Literal["1.0.0"] = "1.0.0"

Selection = Literal["output", "final"]


class ResultsRun(TypedDict):
    """The run, as `wct runs --json` shows it."""

    run_id: str
    runbook_path: str
    """The runbook's path as the run was given it (absolute)."""
    status: RunStatus
    reason: str | None
    """Why the run stopped, when it did not complete."""
    started_at: str
    """ISO 8601, with time zone."""
    completed_at: str | None
    """ISO 8601, with time zone; null while the run has not ended."""
    executor: str | None
    """Where it ran (its last attempt): `local`, `dask-local:N`, or a Dask scheduler's
    address; null for runs of wct 0.1.0."""
    counts: RunCounts


class MessageSchema(TypedDict):
    """A message schema, e.g. `personal_data_finding` `1.0.0`."""

    name: str
    version: str


class ArtifactResult(TypedDict):
    """One output artifact: its state and its output message's content."""

    id: str
    """The artifact's id in the run's plan (a child runbook's artifact has a dotted id)."""
    alias: str | None
    """The name the runbook gives a child runbook's output (the key of this entry)."""
    name: str | None
    """The artifact's `name` in its runbook."""
    status: ArtifactStatus
    error: str | None
    """Why it failed or was skipped."""
    schema: MessageSchema | None
    """The schema of its output message (`content`)."""
    sensitive: bool
    """Its output feeds a `sensitive` child input: it is never stored, `content` is null."""
    content: dict[str, Any] | None
    """The output message's content, as `wct inspect RUN_ID ARTIFACT --json` shows it;
    null when the artifact did not complete or its output is sensitive."""


class ResultsDocument(TypedDict):
    """A run's results: the run and each output artifact's content."""

    format_version: Literal["1.0.0"]
    """The version of this document's shape (fields may be added, never renamed)."""
    wct_version: str
    """The wct that wrote it."""
    selection: Selection
    """`output`: the artifacts the runbook marks `output: true`; `final`: none is marked,
    so the run's final artifacts (those no other artifact takes as input)."""
    run: ResultsRun
    artifacts: dict[str, ArtifactResult]
    """By the name the runbook gives each artifact (an id, or a child output's alias), in
    plan order."""


# The shapes' attribute docstrings are their fields' descriptions (the nested TypedDicts
# take the configuration of the document).
with_config(ConfigDict(use_attribute_docstrings=True))(ResultsDocument)


def results_document(
    store: RunStore, run_id: str, warn: Callable[[str], None] | None = None
) -> ResultsDocument:
    """The results document of a run (RunNotFound for an unknown run). Contents are read
    as `wct inspect` reads them: a streamed list stays lazy, read when it is written."""
    summary = _summary(store, run_id)
    plan = stored_plan(store, run_id)
    chosen, selection = exported_artifacts(plan)
    states = {record.artifact_id: record for record in store.artifacts(run_id)}
    artifacts: dict[str, ArtifactResult] = {}
    for planned in chosen:
        alias = plan.alias_of(planned.id) if planned.origin != "parent" else None
        record = states.get(planned.id)
        status = record.status if record is not None else ArtifactStatus.NOT_STARTED
        message = _message(store, run_id, planned.id, warn)
        schema = message["schema"] if message is not None else _schema(planned.output_schema)
        artifacts[alias or planned.id] = ArtifactResult(
            id=planned.id,
            alias=alias,
            name=planned.definition.name,
            status=status,
            error=record.error if record is not None else None,
            schema=MessageSchema(name=schema["name"], version=schema["version"])
            if schema is not None
            else None,
            sensitive=planned.sensitive,
            content=message["content"] if message is not None else None,
        )
    return ResultsDocument(
        format_version=FORMAT_VERSION,
        wct_version=__version__,
        selection=selection,
        run=summary,
        artifacts=artifacts,
    )


def exported_artifacts(plan: ExecutionPlan) -> tuple[list[PlannedArtifact], Selection]:
    """The artifacts a results document holds, in plan order, and why they were chosen."""
    top_level = {target for _name, target in plan.aliases}
    named = [a for a in plan.artifacts if a.origin == "parent" or a.id in top_level]
    marked = [artifact for artifact in named if artifact.definition.output]
    if marked:
        return marked, "output"
    used = plan.dependents()
    return [artifact for artifact in named if not used[artifact.id]], "final"


def _summary(store: RunStore, run_id: str) -> ResultsRun:
    record = store.run(run_id)  # RunNotFound: one line for the user
    counts = store.counts(run_id)
    return ResultsRun(
        run_id=record.run_id,
        runbook_path=record.runbook_path,
        status=record.status,
        reason=record.reason,
        started_at=record.started_at,
        completed_at=record.completed_at,
        executor=record.executor,
        counts=RunCounts(
            completed=counts[ArtifactStatus.COMPLETED],
            failed=counts[ArtifactStatus.FAILED],
            skipped=counts[ArtifactStatus.SKIPPED],
            pending=counts[ArtifactStatus.PENDING],
            not_started=counts[ArtifactStatus.NOT_STARTED],
        ),
    )


def _message(
    store: RunStore, run_id: str, artifact_id: str, warn: Callable[[str], None] | None
) -> dict[str, Any] | None:
    try:
        return artifact_message(store, run_id, artifact_id, warn=warn)
    except NoStoredOutput:
        return None


def _schema(reference: str | None) -> dict[str, str] | None:
    if reference is None or "/" not in reference:
        return None
    name, _, version = reference.rpartition("/")
    return {"name": name, "version": version}


class _NamedTypesTitled(GenerateJsonSchema):
    """Titles on the named types only (a field's title says nothing its name does not)."""

    def field_title_should_be_set(self, schema: object) -> bool:
        return False


def results_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the results document."""
    schema = TypeAdapter(ResultsDocument).json_schema(
        schema_generator=_NamedTypesTitled, mode="serialization"
    )
    header = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": RESULTS_SCHEMA_ID,
        "title": "ResultsDocument",
        "description": (
            "A run's results, as `wct export RUN_ID` and `wct run FILE -o FILE` write them:\n"
            "the run and each output artifact's state and content (docs/cli.md). Fields may\n"
            "be added, never renamed or removed."
        ),
    }
    return {**header, **schema, "title": header["title"], "description": header["description"]}


def render_results_schema() -> str:
    """`results_json_schema` as the text checked in to `schemas/`."""
    return json.dumps(results_json_schema(), indent=2, ensure_ascii=False) + "\n"
