"""The runbook JSON Schema: in sync with `schemas/`, valid, documented, and as strict
as the models for a runbook's structure. The server API schema (`waivern_lsp.api_schema`)
lives in `schemas/` too: in sync and valid."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from pydantic import BaseModel, ConfigDict, Field

from waivern_lsp.api_schema import API_SCHEMA_FILE, api_json_schema, render_api_schema
from waivern_orchestration.components import ComponentRegistry, Connector
from waivern_orchestration.components.registry import default_registry
from waivern_orchestration.execution.events import SilentSink
from waivern_orchestration.execution.runs import RunRequest, execute
from waivern_orchestration.json_schema import runbook_json_schema, schema_files
from waivern_orchestration.message_schemas import STANDARD_INPUT, known_schemas
from waivern_orchestration.store.reports import run_report, run_summaries
from waivern_orchestration.store.run_store import RunStore

REPO = Path(__file__).resolve().parents[2]

MINIMAL_RUNBOOK = """
name: Find personal data
description: Scans the documents folder.
artifacts:
  documents:
    source:
      type: filesystem
      properties:
        path: ./documents
  findings:
    inputs: documents
    process:
      type: personal_data
      properties:
        evidence:
          context_chars: 20
    output: true
"""


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return runbook_json_schema(default_registry())


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema)


def problems(validator: Draft202012Validator, runbook: Any) -> list[str]:
    """Validation errors as `path: message`, empty when the runbook is accepted.

    Optional fields are `anyOf: [..., null]`: report what is wrong with the value, not
    that it is not null either."""
    found = [leaf for error in validator.iter_errors(runbook) for leaf in explain(error)]
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in found]


def explain(error: ValidationError) -> list[ValidationError]:
    causes = [
        cause
        for cause in error.context or []
        if not (cause.validator == "type" and cause.validator_value == "null")
    ]
    if error.validator != "anyOf" or not causes:
        return [error]
    return [leaf for cause in causes for leaf in explain(cause)]


def minimal_runbook() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(MINIMAL_RUNBOOK)
    return document


def test_checked_in_schemas_match_the_generator() -> None:
    # schemas/ is written where only the built-in message schemas are installed.
    plug_ins = [str(ref) for ref, schema in known_schemas().items() if not schema.built_in]
    assert not plug_ins, f"generate schemas/ without plug-ins installed: {plug_ins} are"
    expected = schema_files(default_registry())
    expected[API_SCHEMA_FILE] = render_api_schema().encode("utf-8")
    folder = REPO / "schemas"
    on_disk = {path.name: path.read_bytes() for path in folder.glob("*.json")}

    stale = sorted(name for name in expected if on_disk.get(name) != expected[name])
    unexpected = sorted(set(on_disk) - set(expected))

    hint = "run `make schema` (it regenerates the extension's types from them too)"
    assert not stale, f"schemas/ is out of date ({', '.join(stale)}): {hint}"
    assert not unexpected, f"schemas/ holds files the generator does not make: {unexpected}"


def test_the_server_api_schema_is_valid_and_names_every_method() -> None:
    schema = api_json_schema()

    Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(API_SCHEMA_FILE)
    assert set(schema["required"]) == set(schema["properties"])
    assert "waivern/runProgress" in schema["properties"]
    assert {"waivern.run", "waivern.graph", "waivern.runs", "waivern.inspect"} <= set(
        schema["properties"]
    )


def test_a_runs_store_documents_match_the_server_api_schema(tmp_path: Path) -> None:
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "note.txt").write_text("Write to ada@example.com", "utf-8")
    (tmp_path / "runbook.yaml").write_text(MINIMAL_RUNBOOK, "utf-8")
    request = RunRequest(runbook=tmp_path / "runbook.yaml", store_dir=tmp_path / ".waivern")
    execute(request, SilentSink(), lambda notice: None)

    with RunStore(request.store_dir, read_only=True) as store:
        [summary] = run_summaries(store)
        report = run_report(store, summary["run_id"])

    api = api_json_schema()

    def problems_as_sent(method: str, document: object) -> list[str]:
        validator = Draft202012Validator({"$defs": api["$defs"], **api["properties"][method]})
        as_sent = json.loads(json.dumps(document))
        return [error.message for error in validator.iter_errors(as_sent)]

    assert problems_as_sent("waivern.runs", [summary]) == []
    assert problems_as_sent("waivern.inspect", report) == []
    assert report["artifacts"]["findings"]["status"] == "completed"


def test_schema_is_valid_draft_2020_12(schema: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("runbook.schema.json")
    assert schema["title"]
    assert schema["description"]


def test_every_property_has_a_description(schema: dict[str, Any]) -> None:
    undocumented = [path for path, field in properties_in(schema) if "description" not in field]
    assert undocumented == [], f"properties without a description: {undocumented}"


def test_every_model_object_forbids_unknown_fields(schema: dict[str, Any]) -> None:
    open_objects = [
        name
        for name, definition in schema["$defs"].items()
        if definition.get("additionalProperties") is not False
    ]
    assert open_objects == []
    assert schema["additionalProperties"] is False


def test_a_minimal_runbook_is_accepted(validator: Draft202012Validator) -> None:
    assert problems(validator, minimal_runbook()) == []


def test_an_unknown_top_level_field_is_rejected(validator: Draft202012Validator) -> None:
    runbook = minimal_runbook()
    runbook["owner"] = "someone"

    assert problems(validator, runbook) == [
        ": Additional properties are not allowed ('owner' was unexpected)"
    ]


def test_an_unknown_artifact_field_is_rejected(validator: Draft202012Validator) -> None:
    runbook = minimal_runbook()
    runbook["artifacts"]["documents"]["sorce"] = {"type": "filesystem"}

    assert problems(validator, runbook) == [
        "artifacts/documents: Additional properties are not allowed ('sorce' was unexpected)"
    ]


def test_an_artifact_id_outside_the_id_syntax_is_rejected(
    validator: Draft202012Validator,
) -> None:
    runbook = minimal_runbook()
    runbook["artifacts"]["my documents"] = runbook["artifacts"].pop("documents")

    assert problems(validator, runbook) == [
        "artifacts: 'my documents' does not match '^[A-Za-z_][A-Za-z0-9_-]*$'"
    ]


def test_an_unknown_connector_type_is_rejected(validator: Draft202012Validator) -> None:
    runbook = minimal_runbook()
    runbook["artifacts"]["documents"]["source"]["type"] = "filesystems"

    assert problems(validator, runbook) == [
        "artifacts/documents/source/type: 'filesystems' is not one of "
        "['filesystem', 'mysql', 'postgresql', 'sqlite']"
    ]


def test_an_unknown_processor_type_is_rejected(validator: Draft202012Validator) -> None:
    runbook = minimal_runbook()
    runbook["artifacts"]["findings"]["process"]["type"] = "personal"

    assert problems(validator, runbook) == [
        "artifacts/findings/process/type: 'personal' is not one of "
        "['findings_summary', 'personal_data']"
    ]


def test_component_types_are_listed_with_their_descriptions(schema: dict[str, Any]) -> None:
    # (a `${VAR}`, or one of these)
    connector_type = schema["$defs"]["SourceConfig"]["properties"]["type"]["else"]

    assert connector_type["enum"] == ["filesystem", "mysql", "postgresql", "sqlite"]
    assert connector_type["markdownEnumDescriptions"][0].startswith("Reads text files")


@pytest.mark.parametrize(
    ("properties", "expected"),
    [
        ({"path": ".", "max_files": -1}, "-1 is less than or equal to the minimum of 0"),
        ({"path": ".", "recursive": True}, "('recursive' was unexpected)"),
        ({}, "'path' is a required property"),
    ],
    ids=["negative max_files", "unknown property", "missing path"],
)
def test_bad_connector_properties_are_rejected(
    validator: Draft202012Validator, properties: dict[str, Any], expected: str
) -> None:
    runbook = minimal_runbook()
    runbook["artifacts"]["documents"]["source"]["properties"] = properties

    [problem] = problems(validator, runbook)
    assert problem.startswith("artifacts/documents/source/properties")
    assert expected in problem


def test_connector_without_properties_is_rejected_when_it_needs_some(
    validator: Draft202012Validator,
) -> None:
    runbook = minimal_runbook()
    del runbook["artifacts"]["documents"]["source"]["properties"]

    assert problems(validator, runbook) == [
        "artifacts/documents/source: 'properties' is a required property"
    ]


def test_nested_processor_properties_are_checked(validator: Draft202012Validator) -> None:
    runbook = minimal_runbook()
    runbook["artifacts"]["findings"]["process"]["properties"]["evidence"]["context_chars"] = 9999

    assert problems(validator, runbook) == [
        "artifacts/findings/process/properties/evidence/context_chars: "
        "9999 is greater than the maximum of 500"
    ]


def test_known_message_schemas_are_hints_not_limits(
    schema: dict[str, Any], validator: Draft202012Validator
) -> None:
    output_schema = schema["$defs"]["ArtifactDefinition"]["properties"]["output_schema"]
    input_schema = schema["$defs"]["RunbookInput"]["properties"]["input_schema"]
    assert "standard_input/1.0.0" in output_schema["examples"]
    assert "personal_data_finding/1.0.0" in input_schema["examples"]

    runbook = minimal_runbook()
    runbook["artifacts"]["findings"]["output_schema"] = "not_installed_yet/2.0.0"
    runbook["inputs"] = {"extra": {"input_schema": "not_installed_yet"}}
    assert problems(validator, runbook) == []


def scanner_properties() -> type[BaseModel]:
    class Options(BaseModel):
        model_config = ConfigDict(extra="forbid")
        depth: int = Field(default=1, ge=0, description="How deep to scan.")

    class Properties(BaseModel):
        model_config = ConfigDict(extra="forbid")
        options: Options = Field(default_factory=Options, description="Scan options.")

    return Properties


def fetcher_properties() -> type[BaseModel]:
    # Same model names as the scanner's, and extras left at pydantic's default.
    class Options(BaseModel):
        retries: int = Field(default=3, le=10, description="How often to retry.")

    class Properties(BaseModel):
        options: Options = Field(default_factory=Options, description="Fetch options.")

    return Properties


class Scanner(Connector):
    name = "scanner"
    description = "Test connector with nested options."
    Properties = scanner_properties()
    output_schemas: ClassVar = (STANDARD_INPUT,)


class Fetcher(Connector):
    name = "fetcher"
    description = "Another test connector, its nested options named the same."
    Properties = fetcher_properties()
    output_schemas: ClassVar = (STANDARD_INPUT,)


def test_component_definitions_of_the_same_name_do_not_collide() -> None:
    schema = runbook_json_schema(ComponentRegistry.of([Scanner, Fetcher], []))
    validator = Draft202012Validator(schema)

    def runbook(connector: str, properties: dict[str, Any]) -> dict[str, Any]:
        source = {"type": connector, "properties": properties}
        return {"name": "n", "description": "d", "artifacts": {"a": {"source": source}}}

    assert problems(validator, runbook("scanner", {"options": {"depth": 50}})) == []
    assert problems(validator, runbook("fetcher", {"options": {"retries": 5}})) == []
    assert len(problems(validator, runbook("scanner", {"options": {"retries": 5}}))) == 1
    assert len(problems(validator, runbook("fetcher", {"options": {"retries": 50}}))) == 1
    # Editors report typos even where the component itself would ignore unknown keys.
    assert len(problems(validator, runbook("fetcher", {"optoins": {}}))) == 1


def test_a_registry_without_components_still_gives_a_valid_schema() -> None:
    Draft202012Validator.check_schema(runbook_json_schema(ComponentRegistry()))


def example_runbooks() -> list[Any]:
    """The inline runbook (so the list is never empty) and every runbook in `examples/`."""
    found = [pytest.param(yaml.safe_load(MINIMAL_RUNBOOK), id="inline minimal runbook")]
    for path in sorted((REPO / "examples").glob("**/*.y*ml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(document, dict) and "artifacts" in document:
            found.append(pytest.param(document, id=str(path.relative_to(REPO))))
    return found


@pytest.mark.parametrize("runbook", example_runbooks())
def test_example_runbooks_validate(validator: Draft202012Validator, runbook: Any) -> None:
    assert problems(validator, runbook) == []


def properties_in(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property declaration in a schema, with a JSON-pointer-like path to it."""
    if not isinstance(node, dict):
        return
    for name, field in node.get("properties", {}).items():
        yield f"{path}/properties/{name}", field
        yield from properties_in(field, f"{path}/properties/{name}")
    for keyword in ("$defs", "patternProperties", "dependentSchemas"):
        for name, child in node.get(keyword, {}).items():
            yield from properties_in(child, f"{path}/{keyword}/{name}")
    for keyword in ("allOf", "anyOf", "oneOf", "prefixItems"):
        for index, child in enumerate(node.get(keyword, [])):
            yield from properties_in(child, f"{path}/{keyword}/{index}")
    for keyword in ("items", "additionalProperties", "if", "then", "else", "not", "contains"):
        yield from properties_in(node.get(keyword), f"{path}/{keyword}")


def test_a_variable_is_accepted_wherever_the_analysis_substitutes_one() -> None:
    validator = Draft202012Validator(runbook_json_schema(default_registry()))
    runbook: dict[str, Any] = {
        "name": "Variables",
        "description": "Everything from the environment",
        "config": {"timeout": "${SCAN_TIMEOUT}", "max_concurrency": "${N:-2}"},
        "artifacts": {
            "rows": {
                "source": {
                    "type": "${CONNECTOR}",
                    "properties": {"host": "db", "port": "${PGPORT}", "database": "crm"},
                },
            },
            "findings": {
                "inputs": "${UPSTREAM}",
                "process": {"type": "personal_data"},
                "output": "${PUBLISH}",
            },
        },
    }
    assert list(validator.iter_errors(runbook)) == []
    # a literal of the wrong type is still refused
    runbook["artifacts"]["findings"]["output"] = "maybe"
    runbook["config"]["timeout"] = "soon"
    assert len(list(validator.iter_errors(runbook))) == 2
