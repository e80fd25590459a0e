"""Message schema discovery (`waivern.schemas`): the built-ins come from entry points like
any plug-in's; a plug-in's schema loads from a file, a package resource or a function; a
broken one is logged once and left out (the analysis says why its name is unknown); a
second provider of a name is refused."""

from __future__ import annotations

import json
import logging
import textwrap
from collections.abc import Callable, Iterator
from importlib.metadata import EntryPoint, PathDistribution, entry_points
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import BaseModel

from waivern_orchestration import message_schemas
from waivern_orchestration.analysis import analyse
from waivern_orchestration.components import ComponentRegistry, Processor
from waivern_orchestration.components.filesystem import FilesystemConnector
from waivern_orchestration.message_schemas import (
    SCHEMA_FOLDER,
    SCHEMA_GROUP,
    STANDARD_INPUT,
    SchemaRef,
    SchemaRegistry,
    default_schemas,
    schema_ref_of_entry_point,
)

CREDENTIAL = SchemaRef("credential", "1.0.0")
SCHEMA = {"type": "object", "description": "Credentials found in text."}

MODULE = """\
from importlib.resources import files
from pathlib import Path

HERE = Path(__file__).parent
GOOD = HERE / "good.json"
RESOURCE = files("acme_schemas_data") / "resource.json"
MISSING = HERE / "missing.json"
NOT_JSON = HERE / "not_json.json"
NOT_AN_OBJECT = HERE / "list.json"
NUMBER = 3


def as_dict():
    return {"type": "object", "description": "From a function."}


def path_from_function():
    return GOOD
"""

Install = Callable[[str, dict[str, str]], list[EntryPoint]]


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """``install(distribution, {entry point name: "module:attribute"})``: the
    `waivern.schemas` entry points of a distribution installed in `tmp_path` (with the
    module `acme_schemas` and its files beside it)."""
    (tmp_path / "acme_schemas.py").write_text(MODULE, encoding="utf-8")
    (tmp_path / "good.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    (tmp_path / "not_json.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "list.json").write_text("[]", encoding="utf-8")
    (tmp_path / "acme_schemas_data").mkdir()
    (tmp_path / "acme_schemas_data" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "acme_schemas_data" / "resource.json").write_text(
        json.dumps({"description": "A package resource."}), encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    def make(distribution: str, points: dict[str, str]) -> list[EntryPoint]:
        info = tmp_path / f"{distribution.replace('-', '_')}-0.1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 0.1.0\n", encoding="utf-8"
        )
        lines = "".join(f"{name} = {value}\n" for name, value in points.items())
        (info / "entry_points.txt").write_text(f"[{SCHEMA_GROUP}]\n{lines}", encoding="utf-8")
        return list(PathDistribution(info).entry_points.select(group=SCHEMA_GROUP))

    yield make


def built_ins() -> list[EntryPoint]:
    # (`install` puts its distributions on `sys.path`: leave them out here)
    points = entry_points(group=SCHEMA_GROUP)
    return [point for point in points if point.dist and point.dist.name == "waivern-tooling"]


def test_the_built_in_schemas_come_from_entry_points_once_per_process() -> None:
    schemas = default_schemas()

    assert [str(ref) for ref in schemas.schemas] == [
        "findings_summary/1.0.0",
        "personal_data_finding/1.0.0",
        "standard_input/1.0.0",
    ]
    assert all(schema.built_in for schema in schemas.schemas.values())
    standard_input = schemas.schemas[STANDARD_INPUT]
    assert standard_input.content == (SCHEMA_FOLDER / "standard_input-1.0.0.json").read_bytes()
    assert standard_input.description.startswith("Text extracted by a connector")
    assert schemas.problems == ()
    assert default_schemas() is schemas


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("credential-1.0.0", "credential/1.0.0"),
        ("credential/1.0.0", "credential/1.0.0"),
        ("analysis_config-2", "analysis_config/2"),
        ("my-schema-1.10.0", "my-schema/1.10.0"),
        ("credential", None),
        ("credential-latest", None),
        ("-1.0.0", None),
    ],
)
def test_an_entry_point_is_named_after_its_schema(name: str, expected: str | None) -> None:
    ref = schema_ref_of_entry_point(name)
    assert (str(ref) if ref else None) == expected


def test_a_schema_is_a_file_a_package_resource_or_what_a_function_returns(
    install: Install,
) -> None:
    points = install(
        "acme-schemas",
        {
            "credential-1.0.0": "acme_schemas:GOOD",
            "resource-1.0.0": "acme_schemas:RESOURCE",
            "generated-1.0.0": "acme_schemas:as_dict",
            "indirect-2.0.0": "acme_schemas:path_from_function",
        },
    )

    schemas = SchemaRegistry.discover(built_ins() + points)

    assert schemas.problems == ()
    credential = schemas.schemas[CREDENTIAL]
    assert credential.json_schema == SCHEMA
    assert credential.description == "Credentials found in text."
    assert credential.provider == "acme-schemas"
    assert not credential.built_in
    assert schemas.schemas[SchemaRef("resource", "1.0.0")].description == "A package resource."
    assert schemas.schemas[SchemaRef("generated", "1.0.0")].description == "From a function."
    assert schemas.resolve("indirect") == SchemaRef("indirect", "2.0.0")
    assert STANDARD_INPUT in schemas.schemas


def test_a_broken_plug_in_is_logged_once_and_left_out(
    install: Install, caplog: pytest.LogCaptureFixture
) -> None:
    points = install(
        "acme-schemas",
        {
            "missing-1.0.0": "acme_schemas:MISSING",
            "not_json-1.0.0": "acme_schemas:NOT_JSON",
            "not_an_object-1.0.0": "acme_schemas:NOT_AN_OBJECT",
            "number-1.0.0": "acme_schemas:NUMBER",
            "no_module-1.0.0": "acme_schemas_nowhere:SCHEMA",
            "no_version": "acme_schemas:GOOD",
            "credential-1.0.0": "acme_schemas:GOOD",
        },
    )

    with caplog.at_level(logging.WARNING, logger=message_schemas.__name__):
        schemas = SchemaRegistry.discover(built_ins() + points)

    assert CREDENTIAL in schemas.schemas  # the others still load
    reasons = {str(ref): missing.reason for ref, missing in schemas.unavailable.items()}
    assert set(reasons) == {
        "missing/1.0.0",
        "not_json/1.0.0",
        "not_an_object/1.0.0",
        "number/1.0.0",
        "no_module/1.0.0",
    }
    assert reasons["missing/1.0.0"].startswith("No such file or directory: ")
    assert reasons["not_json/1.0.0"].startswith("not JSON (")
    assert reasons["not_an_object/1.0.0"] == "the schema is not a JSON object"
    assert reasons["number/1.0.0"].startswith("expected a path to a JSON file")
    assert "acme_schemas_nowhere" in reasons["no_module/1.0.0"]
    problems = {problem.name: problem.message for problem in schemas.problems}
    assert problems["no_version"].startswith("the entry point's name must be `name-version`")
    assert len(problems) == 6
    assert len(caplog.records) == 6
    assert all(record.levelno == logging.WARNING for record in caplog.records)
    assert str(schemas.why_unavailable("missing")) == (
        "the plug-in `acme-schemas` declares message schema `missing/1.0.0`, but its schema "
        f"could not be loaded: {reasons['missing/1.0.0']}"
    )


def test_a_plug_in_cannot_replace_a_built_in_schema(
    install: Install, caplog: pytest.LogCaptureFixture
) -> None:
    points = install("acme-schemas", {"standard_input-1.0.0": "acme_schemas:GOOD"})

    with caplog.at_level(logging.WARNING, logger=message_schemas.__name__):
        schemas = SchemaRegistry.discover(points + built_ins())  # the plug-in listed first

    assert schemas.schemas[STANDARD_INPUT].built_in
    [problem] = schemas.problems
    assert problem.provider == "acme-schemas"
    assert problem.message == (
        "`standard_input/1.0.0` is already provided by `waivern-tooling`; this one is ignored"
    )
    [record] = caplog.records
    assert "already provided by `waivern-tooling`" in record.getMessage()


def test_of_two_plug_ins_with_one_schema_the_first_by_name_keeps_it(install: Install) -> None:
    zeta = install("zeta-schemas", {"credential-1.0.0": "acme_schemas:as_dict"})
    alpha = install("alpha-schemas", {"credential-1.0.0": "acme_schemas:GOOD"})

    schemas = SchemaRegistry.discover(zeta + alpha)

    assert schemas.schemas[CREDENTIAL].provider == "alpha-schemas"
    assert [problem.provider for problem in schemas.problems] == ["zeta-schemas"]


# -- the analysis, with the plug-in installed -------------------------------------------


class NoProperties(BaseModel):
    pass


class CredentialFinder(Processor):
    name = "credentials"
    description = "Finds credentials."
    Properties = NoProperties
    input_combinations: ClassVar = (frozenset({STANDARD_INPUT}),)
    output_schemas: ClassVar = (CREDENTIAL,)


class CredentialCounter(Processor):
    name = "credential_count"
    description = "Counts credentials."
    Properties = NoProperties
    input_combinations: ClassVar = (frozenset({CREDENTIAL}),)
    output_schemas: ClassVar = (STANDARD_INPUT,)


REGISTRY = ComponentRegistry.of([FilesystemConnector], [CredentialFinder, CredentialCounter])

RUNBOOK = textwrap.dedent(
    """\
    name: Credentials
    description: Credentials in the files, counted.
    artifacts:
      files:
        description: The files.
        source:
          type: filesystem
          properties:
            path: data
      found:
        description: Credentials in them.
        inputs: files
        process:
          type: credentials
        output_schema: credential/1.0.0
      counted:
        description: Counted.
        inputs: found
        process:
          type: credential_count
        output: true
    """
)


def diagnostics(text: str) -> list[tuple[str, int, str]]:
    analysis = analyse(text, "runbook.yaml", env={}, registry=REGISTRY)
    return [(d.code, d.range.start.line, d.message) for d in analysis.diagnostics]


def use(monkeypatch: pytest.MonkeyPatch, schemas: SchemaRegistry) -> None:
    monkeypatch.setattr(message_schemas, "_default", schemas)


def test_a_plug_in_schema_is_known_to_the_analysis(
    install: Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    use(
        monkeypatch,
        SchemaRegistry.discover(
            built_ins() + install("acme", {"credential-1.0.0": "acme_schemas:GOOD"})
        ),
    )

    assert diagnostics(RUNBOOK) == []
    # A processor that does not read the plug-in's schema refuses it (WCT030 as ever).
    wrong = RUNBOOK.replace("type: credential_count", "type: credentials")
    [(code, line, message)] = diagnostics(wrong)
    assert (code, line) == ("WCT030", 17)
    assert "accepts inputs with schemas {standard_input/1.0.0}" in message
    assert "give {credential/1.0.0}" in message


def test_without_the_plug_in_its_schema_is_unknown_where_it_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use(monkeypatch, SchemaRegistry.discover(built_ins()))

    found = diagnostics(RUNBOOK)

    # On `output_schema`, and on the processor that writes it.
    assert [(code, line) for code, line, _ in found] == [("WCT030", 13), ("WCT030", 14)]
    assert found[0][2] == (
        "this processor writes `credential/1.0.0`, a message schema no installed package provides"
    )
    assert found[1][2].startswith("unknown message schema `credential/1.0.0` (installed: ")


def test_a_plug_in_whose_schema_could_not_be_loaded_is_named_in_the_diagnostic(
    install: Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = install("acme", {"credential-1.0.0": "acme_schemas:NOT_JSON"})
    use(monkeypatch, SchemaRegistry.discover(built_ins() + broken))

    messages = [message for code, _, message in diagnostics(RUNBOOK) if code == "WCT030"]

    assert messages[1].startswith(
        "message schema `credential/1.0.0` is unavailable: the plug-in `acme` declares "
        "message schema `credential/1.0.0`, but its schema could not be loaded: not JSON ("
    )
    assert "could not be loaded" in messages[0]
