"""The runbook models: the public API as documented, unknown fields refused everywhere,
and the rules one model can check on its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from waivern_orchestration import (
    ArtifactDefinition,
    ChildRunbookConfig,
    ProcessConfig,
    ReuseConfig,
    Runbook,
    RunbookConfig,
    RunbookInput,
    RunbookOutput,
    SourceConfig,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_documented_usage_works_as_written() -> None:
    namespace: dict[str, Any] = {}
    exec("from waivern_orchestration import Runbook, ArtifactDefinition, SourceConfig", namespace)
    assert namespace["Runbook"] is Runbook

    runbook = Runbook(
        name="Scan",
        description="Scans /tmp.",
        artifacts={
            "data": ArtifactDefinition(
                source=SourceConfig(type="filesystem", properties={"path": "/tmp"})
            )
        },
    )

    data = runbook.artifacts["data"]
    assert data.source == SourceConfig(type="filesystem", properties={"path": "/tmp"})
    assert data.input_ids == []
    assert runbook.config == RunbookConfig()
    assert runbook.config.max_concurrency == 4
    assert runbook.inputs == {} and runbook.outputs == {}


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*/runbook.yaml")), ids=str)
def test_the_example_runbooks_are_valid_models(example: Path) -> None:
    runbook = Runbook.model_validate(yaml.safe_load(example.read_text(encoding="utf-8")))

    assert runbook.artifacts


MINIMAL: dict[type[BaseModel], dict[str, Any]] = {
    Runbook: {"name": "n", "description": "d", "artifacts": {}},
    RunbookConfig: {},
    RunbookInput: {"input_schema": "standard_input/1.0.0"},
    RunbookOutput: {"artifact": "findings"},
    ArtifactDefinition: {"source": {"type": "filesystem"}},
    SourceConfig: {"type": "filesystem"},
    ProcessConfig: {"type": "personal_data"},
    ReuseConfig: {"from_run": "run-1", "artifact": "findings"},
    ChildRunbookConfig: {"path": "child.yaml", "output": "findings"},
}


@pytest.mark.parametrize("model", MINIMAL, ids=lambda model: model.__name__)
def test_unknown_fields_are_refused(model: type[BaseModel]) -> None:
    model.model_validate(MINIMAL[model])

    with pytest.raises(ValidationError) as raised:
        model.model_validate({**MINIMAL[model], "surprise": 1})

    assert [error["type"] for error in raised.value.errors()] == ["extra_forbidden"]
    assert raised.value.errors()[0]["loc"] == ("surprise",)


def test_unknown_fields_are_refused_deep_inside_a_runbook() -> None:
    with pytest.raises(ValidationError) as raised:
        Runbook.model_validate(
            {
                "name": "n",
                "description": "d",
                "artifacts": {"data": {"source": {"type": "filesystem", "propertys": {}}}},
            }
        )

    assert raised.value.errors()[0]["loc"] == ("artifacts", "data", "source", "propertys")


def test_a_runbook_needs_name_description_and_artifacts() -> None:
    with pytest.raises(ValidationError) as raised:
        Runbook.model_validate({})

    missing = {error["loc"] for error in raised.value.errors() if error["type"] == "missing"}
    assert missing == {("name",), ("description",), ("artifacts",)}


# -- runbook inputs ----------------------------------------------------------------------------


def test_an_optional_input_may_have_a_default() -> None:
    declared = RunbookInput(input_schema="standard_input/1.0.0", optional=True, default=[])

    assert declared.default == []


@pytest.mark.parametrize("default", [[], None, "text"], ids=["list", "explicit null", "text"])
def test_a_default_needs_optional_true(default: Any) -> None:
    with pytest.raises(ValidationError, match="only allowed together with `optional: true`"):
        RunbookInput.model_validate({"input_schema": "standard_input/1.0.0", "default": default})


def test_a_required_input_without_default_is_fine() -> None:
    declared = RunbookInput.model_validate({"input_schema": "standard_input"})

    assert not declared.optional
    assert declared.default is None


# -- artifact fields ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inputs", "ids"),
    [(None, []), ("documents", ["documents"]), (["files", "db"], ["files", "db"])],
)
def test_input_ids_lists_the_inputs_however_they_are_written(
    inputs: str | list[str] | None, ids: list[str]
) -> None:
    filesystem = {"source": {"type": "filesystem"}}
    production: dict[str, Any] = {"inputs": inputs} if inputs else filesystem
    assert ArtifactDefinition.model_validate(production).input_ids == ids


@pytest.mark.parametrize(
    "schema", ["personal_data_finding/1.0.0", "standard_input", "my_schema_2/10.20.30"]
)
def test_an_output_schema_is_a_name_with_an_optional_version(schema: str) -> None:
    assert ArtifactDefinition(inputs="files", output_schema=schema).output_schema == schema


@pytest.mark.parametrize(
    "schema", ["", "personal data", "standard_input/1.0", "standard_input/v1.0.0", "1schema"]
)
def test_a_malformed_output_schema_is_refused(schema: str) -> None:
    with pytest.raises(ValidationError):
        ArtifactDefinition(inputs="files", output_schema=schema)


def test_concatenate_is_the_only_merge() -> None:
    assert ArtifactDefinition(inputs=["a", "b"], merge="concatenate").merge == "concatenate"
    with pytest.raises(ValidationError):
        ArtifactDefinition.model_validate({"inputs": ["a", "b"], "merge": "zip"})


@pytest.mark.parametrize(
    "config",
    [
        {"timeout": 0},
        {"cost_limit": -1},
        {"max_concurrency": 0},
        {"max_concurrency": 257},
        {"max_child_depth": 0},
        {"max_child_depth": 33},
    ],
)
def test_config_values_out_of_range_are_refused(config: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        RunbookConfig.model_validate(config)
