"""Discovery of connectors and processors from the entry-point groups
`waivern.connectors` and `waivern.processors` (built-ins are registered the same way).

A component that fails to load is a `RegistryProblem`, reported by `wct components`; it
never stops the others from loading.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TypeVar

from waivern_orchestration.components.base import Component, Connector, Processor

CONNECTOR_GROUP = "waivern.connectors"
PROCESSOR_GROUP = "waivern.processors"


@dataclass(frozen=True, slots=True)
class RegistryProblem:
    group: str
    name: str
    message: str


@dataclass(frozen=True)
class ComponentRegistry:
    connectors: dict[str, type[Connector]] = field(default_factory=dict)
    processors: dict[str, type[Processor]] = field(default_factory=dict)
    problems: tuple[RegistryProblem, ...] = ()

    @classmethod
    def of(
        cls, connectors: Iterable[type[Connector]], processors: Iterable[type[Processor]]
    ) -> ComponentRegistry:
        return cls(
            {component.name: component for component in connectors},
            {component.name: component for component in processors},
        )

    @classmethod
    def discover(cls) -> ComponentRegistry:
        problems: list[RegistryProblem] = []
        connectors = _load(CONNECTOR_GROUP, Connector, problems)
        processors = _load(PROCESSOR_GROUP, Processor, problems)
        return cls(connectors, processors, tuple(problems))


_default: ComponentRegistry | None = None


def default_registry() -> ComponentRegistry:
    """The installed components, discovered once per process."""
    global _default
    if _default is None:
        _default = ComponentRegistry.discover()
    return _default


_C = TypeVar("_C", bound=Component)


def _load(group: str, kind: type[_C], problems: list[RegistryProblem]) -> dict[str, type[_C]]:
    found: dict[str, type[_C]] = {}
    for point in sorted(entry_points(group=group), key=lambda point: point.name):
        try:
            loaded = point.load()
        except Exception as error:  # a broken plug-in must not break the others
            problems.append(RegistryProblem(group, point.name, f"cannot load: {error}"))
            continue
        if not (isinstance(loaded, type) and issubclass(loaded, kind)):
            problems.append(
                RegistryProblem(group, point.name, f"is not a {kind.__name__} subclass")
            )
            continue
        if loaded.name != point.name:
            problems.append(
                RegistryProblem(
                    group,
                    point.name,
                    f"declares name {loaded.name!r}, registered as {point.name!r}",
                )
            )
            continue
        found[point.name] = loaded
    return found
