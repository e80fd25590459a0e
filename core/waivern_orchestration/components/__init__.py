"""Connectors and processors: the contract (`base`), discovery (`registry`), built-ins."""

from waivern_orchestration.components.base import Component, Connector, Processor
from waivern_orchestration.components.registry import ComponentRegistry, RegistryProblem

__all__ = ["Component", "ComponentRegistry", "Connector", "Processor", "RegistryProblem"]
