"""Component discovery: the built-in connectors and processor come from entry points like
any plug-in, and a plug-in that fails to load is reported, never raised."""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from waivern_orchestration.components import ComponentRegistry, RegistryProblem
from waivern_orchestration.components import registry as registry_module
from waivern_orchestration.components.filesystem import FilesystemConnector
from waivern_orchestration.components.findings_summary import FindingsSummaryProcessor
from waivern_orchestration.components.mysql import MysqlConnector
from waivern_orchestration.components.personal_data import PersonalDataProcessor
from waivern_orchestration.components.postgresql import PostgresqlConnector
from waivern_orchestration.components.registry import (
    CONNECTOR_GROUP,
    PROCESSOR_GROUP,
    default_registry,
)
from waivern_orchestration.components.sqlite import SqliteConnector

BUILT_INS = "waivern_orchestration.components"


def test_the_default_registry_has_the_built_in_components() -> None:
    registry = default_registry()

    assert registry.connectors == {
        "filesystem": FilesystemConnector,
        "sqlite": SqliteConnector,
        "postgresql": PostgresqlConnector,
        "mysql": MysqlConnector,
    }
    assert registry.processors == {
        "findings_summary": FindingsSummaryProcessor,
        "personal_data": PersonalDataProcessor,
    }
    assert registry.problems == ()


def test_the_default_registry_is_discovered_once() -> None:
    assert default_registry() is default_registry()


def test_a_registry_can_be_made_from_classes() -> None:
    registry = ComponentRegistry.of([SqliteConnector], [PersonalDataProcessor])

    assert registry.connectors == {"sqlite": SqliteConnector}
    assert registry.processors == {"personal_data": PersonalDataProcessor}
    assert registry.problems == ()


InstallPlugins = Callable[[dict[str, dict[str, str]]], None]


@pytest.fixture
def install_plugins(monkeypatch: pytest.MonkeyPatch) -> InstallPlugins:
    """Replace the installed entry points: ``{group: {name: "module:attribute"}}``."""

    def install(groups: dict[str, dict[str, str]]) -> None:
        def entry_points(*, group: str) -> list[EntryPoint]:
            declared = groups.get(group, {})
            return [EntryPoint(name, value, group) for name, value in declared.items()]

        monkeypatch.setattr(registry_module, "entry_points", entry_points)

    return install


@pytest.fixture
def exploding_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A plug-in module whose import raises something other than ImportError."""
    (tmp_path / "exploding_plugin.py").write_text(
        "raise RuntimeError('boom at import')\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "exploding_plugin", raising=False)
    return "exploding_plugin"


def test_broken_plugins_are_problems_and_the_others_still_load(
    install_plugins: InstallPlugins, exploding_module: str
) -> None:
    install_plugins(
        {
            CONNECTOR_GROUP: {
                "filesystem": f"{BUILT_INS}.filesystem:FilesystemConnector",
                "missing": "no_such_module_anywhere:Connector",
                "exploding": f"{exploding_module}:Connector",
                "typo": f"{BUILT_INS}.sqlite:SqliteConnectr",
                "not_a_class": "json:dumps",
                "processor": f"{BUILT_INS}.personal_data:PersonalDataProcessor",
                "sql": f"{BUILT_INS}.sqlite:SqliteConnector",
            },
            PROCESSOR_GROUP: {"personal_data": f"{BUILT_INS}.personal_data:PersonalDataProcessor"},
        }
    )

    registry = ComponentRegistry.discover()

    assert registry.connectors == {"filesystem": FilesystemConnector}
    assert registry.processors == {"personal_data": PersonalDataProcessor}
    problems = {problem.name: problem for problem in registry.problems}
    assert set(problems) == {"missing", "exploding", "typo", "not_a_class", "processor", "sql"}
    assert all(problem.group == CONNECTOR_GROUP for problem in problems.values())
    assert problems["missing"].message.startswith("cannot load: ")
    assert problems["exploding"].message == "cannot load: boom at import"
    assert problems["typo"].message.startswith("cannot load: ")
    assert problems["not_a_class"].message == "is not a Connector subclass"
    assert problems["processor"].message == "is not a Connector subclass"
    assert problems["sql"].message == "declares name 'sqlite', registered as 'sql'"


def test_no_plugins_installed_is_an_empty_registry(install_plugins: InstallPlugins) -> None:
    install_plugins({})

    assert ComponentRegistry.discover() == ComponentRegistry({}, {}, ())


def test_problems_are_reported_in_name_order(install_plugins: InstallPlugins) -> None:
    install_plugins({PROCESSOR_GROUP: {"zeta": "nowhere_z:P", "alpha": "nowhere_a:P"}})

    problems = ComponentRegistry.discover().problems

    assert [problem.name for problem in problems] == ["alpha", "zeta"]
    assert all(isinstance(problem, RegistryProblem) for problem in problems)
