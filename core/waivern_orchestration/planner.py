"""Planning: an analysed runbook without errors → an immutable `ExecutionPlan`.

Child runbooks are flattened: their artifacts join the plan under a namespace derived
from the parent artifact id and the child path (`scan.pd_analysis.findings`), so the same
runbook always plans to the same ids. Parent-side names of child outputs become aliases.
Environment variables are substituted here; an unset one without default is an error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from waivern_orchestration.analysis import Analysis, ReadText, analyse, paused_collector
from waivern_orchestration.analysis.cycles import topological_order
from waivern_orchestration.analysis.env_vars import UnsetVariable, substitute
from waivern_orchestration.analysis.facts import Production
from waivern_orchestration.components import Component, ComponentRegistry
from waivern_orchestration.components.registry import default_registry
from waivern_orchestration.diagnostics import Diagnostic, Severity
from waivern_orchestration.message_schemas import resolve_schema
from waivern_orchestration.models import ArtifactDefinition, RunbookConfig
from waivern_orchestration.parse.positions import Range
from waivern_orchestration.parse.runbook_file import RunbookTooLarge, read_runbook
from waivern_orchestration.redaction import Redactor
from waivern_orchestration.store.lookup import StoreLookup

PLAN_FORMAT = 1


class PlanningError(Exception):
    """The runbook cannot be planned; ``diagnostics`` holds every error."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        self.diagnostics = diagnostics
        first = diagnostics[0].to_text() if diagnostics else "unknown problem"
        more = f" (and {len(diagnostics) - 1} more)" if len(diagnostics) > 1 else ""
        super().__init__(f"{first}{more}")


@dataclass(frozen=True)
class PlannedArtifact:
    id: str  # id in the flattened plan
    local_id: str  # id in the runbook that defines it
    runbook_path: str
    origin: str  # "parent" or "child:<runbook name>"
    definition: ArtifactDefinition
    inputs: tuple[str, ...]  # plan ids of the artifacts it takes as inputs
    input_schemas: tuple[str, ...]
    output_schema: str | None
    # Unmapped optional child inputs that declare a `default`: (input, schema, content).
    # The executor hands each to the artifact as one more input message.
    defaults: tuple[tuple[str, str, Any], ...] = ()
    # Feeds a child input declared `sensitive`: its message is never written to the store
    # (a resume produces it again when something still needs it).
    sensitive: bool = False

    @property
    def runbook_dir(self) -> Path:
        return Path(self.runbook_path).parent

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "local_id": self.local_id,
            "runbook_path": self.runbook_path,
            "origin": self.origin,
            "definition": self.definition.model_dump(mode="json"),
            "inputs": list(self.inputs),
            "input_schemas": list(self.input_schemas),
            "output_schema": self.output_schema,
            "defaults": [[name, schema, value] for name, schema, value in self.defaults],
            "sensitive": self.sensitive,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PlannedArtifact:
        return cls(
            id=data["id"],
            local_id=data["local_id"],
            runbook_path=data["runbook_path"],
            origin=data["origin"],
            definition=ArtifactDefinition.model_validate(data["definition"]),
            inputs=tuple(data["inputs"]),
            input_schemas=tuple(data["input_schemas"]),
            output_schema=data["output_schema"],
            defaults=tuple((name, schema, value) for name, schema, value in data["defaults"]),
            sensitive=bool(data.get("sensitive", False)),
        )


@dataclass(frozen=True)
class ExecutionPlan:
    runbook_path: str
    runbook_name: str
    config: RunbookConfig
    artifacts: tuple[PlannedArtifact, ...]  # in a topological order
    aliases: tuple[tuple[str, str], ...]  # parent-side name → plan id
    _index: dict[str, PlannedArtifact] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self._index.update({artifact.id: artifact for artifact in self.artifacts})

    def __getitem__(self, artifact_id: str) -> PlannedArtifact:
        return self._index[self.resolve(artifact_id)]

    def __contains__(self, artifact_id: object) -> bool:
        return isinstance(artifact_id, str) and self.resolve(artifact_id) in self._index

    def resolve(self, name: str) -> str:
        """A plan id for an id or an alias."""
        return dict(self.aliases).get(name, name)

    def alias_of(self, artifact_id: str) -> str | None:
        """The parent-side name of a child artifact, when it has one."""
        return next((name for name, target in self.aliases if target == artifact_id), None)

    def dependents(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {artifact.id: [] for artifact in self.artifacts}
        for artifact in self.artifacts:
            for producer in artifact.inputs:
                found[producer].append(artifact.id)
        return found

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(artifact.id for artifact in self.artifacts)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PLAN_FORMAT,
            "runbook_path": self.runbook_path,
            "runbook_name": self.runbook_name,
            "config": self.config.model_dump(mode="json"),
            "artifacts": [artifact.to_json() for artifact in self.artifacts],
            "aliases": {name: target for name, target in self.aliases},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ExecutionPlan:
        if data.get("format") != PLAN_FORMAT:
            raise ValueError(f"unsupported plan format {data.get('format')!r}")
        return cls(
            runbook_path=data["runbook_path"],
            runbook_name=data["runbook_name"],
            config=RunbookConfig.model_validate(data["config"]),
            artifacts=tuple(PlannedArtifact.from_json(item) for item in data["artifacts"]),
            aliases=tuple(sorted(data["aliases"].items())),
        )


class Planner:
    def __init__(
        self,
        registry: ComponentRegistry | None = None,
        env: Mapping[str, str] | None = None,
        read_text: ReadText | None = None,
        runs: StoreLookup | None = None,
        *,
        pause_collector: bool = False,
    ) -> None:
        """``pause_collector``: analyse with the garbage collector paused
        (`analysis.paused_collector`, much faster on large runbooks); a process-wide
        choice, for programs such as `wct run` to make."""
        self.runs = runs
        self.pause_collector = pause_collector
        self.registry = registry
        self.env: Mapping[str, str] = dict(os.environ) if env is None else env
        self.read_text = read_text

    def plan(self, path: Path | str) -> ExecutionPlan:
        # Absolute: a plan is stored with its run and may be resumed from elsewhere.
        file = Path(path).absolute()
        try:
            text = read_runbook(file)
        except (OSError, UnicodeDecodeError, RunbookTooLarge) as error:
            reason = (
                error.message
                if isinstance(error, RunbookTooLarge)
                else f"cannot read the runbook: {getattr(error, 'strerror', None) or error}"
            )
            raise PlanningError(
                (Diagnostic.of("WCT001", file, Range.of(0, 0, 0, 0), reason),)
            ) from None
        with paused_collector() if self.pause_collector else nullcontext():
            analysis = analyse(
                text,
                file,
                registry=self.registry,
                env=self.env,
                read_text=self.read_text,
                runs=self.runs,
            )
            return self.plan_analysis(analysis)

    def plan_analysis(self, analysis: Analysis) -> ExecutionPlan:
        errors = [d for d in analysis.diagnostics if d.is_error]
        # An unset variable is a warning while editing and an error once it must run.
        errors += [
            Diagnostic(d.file, d.range, d.code, d.message, Severity.ERROR, d.related)
            for d in _all_env_warnings(analysis)
        ]
        # What is said of a runbook with variables substituted never shows a secret value.
        redact = Redactor.of(self.env)
        if errors or analysis.header is None or analysis.header.header is None:
            errors = [redact.diagnostic(error) for error in errors]
            raise PlanningError(tuple(sorted(errors, key=Diagnostic.sort_key)))
        flattener = _Flattener(self.env, self.registry or default_registry(), redact)
        flattener.flatten(analysis, prefix="", bindings={}, origin="parent")
        if flattener.problems:
            raise PlanningError(tuple(flattener.problems))
        planned = tuple(
            replace(artifact, sensitive=True) if artifact.id in flattener.sensitive else artifact
            for artifact in flattener.planned
        )
        header = analysis.header.header
        return ExecutionPlan(
            runbook_path=str(analysis.path),
            runbook_name=substitute(header.name, self.env) if "${" in header.name else header.name,
            config=RunbookConfig.model_validate(
                _substitute_all(analysis.header.config.model_dump(mode="json"), self.env)
            ),
            artifacts=planned,
            aliases=tuple(sorted(flattener.aliases.items())),
        )


def _all_env_warnings(analysis: Analysis) -> list[Diagnostic]:
    """Children's unset variables are already surfaced on the parent (WCT050)."""
    return [d for d in analysis.diagnostics if d.code == "WCT050"]


class _Flattener:
    def __init__(
        self, env: Mapping[str, str], registry: ComponentRegistry, redact: Redactor
    ) -> None:
        self.env = env
        self.registry = registry
        # Properties are checked with the variables' values: what is said of them never
        # shows a secret one (`${NAME}` in its place).
        self.redact = redact
        self.problems: list[Diagnostic] = []
        self.planned: list[PlannedArtifact] = []
        self.aliases: dict[str, str] = {}
        self.sensitive: set[str] = set()

    def flatten(
        self, analysis: Analysis, prefix: str, bindings: dict[str, str], origin: str
    ) -> dict[str, str]:
        """Adds the runbook's artifacts; returns local name → plan id (aliases included)."""
        assert analysis.header is not None
        names: dict[str, str] = dict(bindings)
        for artifact in topological_order(analysis.dependencies)[0]:
            info = analysis.artifacts[artifact]
            if info.production is Production.CHILD:
                self._flatten_child(analysis, artifact, prefix, names)
                continue
            assert info.definition is not None
            definition = self._substituted(info.definition)
            self._check_properties(definition, analysis.path, info.key_range)
            bound = [name for name in definition.input_ids if name in names]
            inputs = tuple(names[name] for name in bound)
            # One schema per input, in the same order ("" when it is not known).
            input_schemas = tuple(str(analysis.schemas.get(name) or "") for name in bound)
            defaults = tuple(
                default
                for name in definition.input_ids
                if name not in names
                for default in _default_of(analysis, name)
            )
            planned_id = f"{prefix}{artifact}"
            schema = analysis.schemas.get(artifact)
            self.planned.append(
                PlannedArtifact(
                    id=planned_id,
                    local_id=artifact,
                    runbook_path=str(analysis.path),
                    origin=origin,
                    definition=definition,
                    inputs=inputs,
                    input_schemas=input_schemas,
                    output_schema=str(schema) if schema else None,
                    defaults=defaults,
                )
            )
            names[artifact] = planned_id
        return names

    def _flatten_child(
        self, analysis: Analysis, artifact: str, prefix: str, names: dict[str, str]
    ) -> None:
        link = analysis.children[artifact]
        child = link.analysis
        assert child is not None and child.header is not None and child.header.header
        namespace = f"{prefix}{artifact}.{_path_namespace(link.request.path)}."
        bindings = {
            key.name: names[reference.name]
            for key, reference in link.request.input_mapping
            if reference.name in names
        }
        declared = child.header.header.inputs
        for key, reference in link.request.input_mapping:
            if declared.get(key.name) is not None and declared[key.name].sensitive:
                self.sensitive.add(names.get(reference.name, reference.name))
        child_names = self.flatten(
            child, namespace, bindings, origin=f"child:{child.header.header.name}"
        )
        parent = analysis.artifacts[artifact].definition
        for alias in analysis.aliases.values():
            if alias.artifact != artifact or alias.child_artifact is None:
                continue
            target = child_names[alias.child_artifact]
            names[alias.name] = target
            if not prefix:
                self.aliases[alias.name] = target
            if parent is not None and (parent.output or parent.optional):
                # `output: true` / `optional: true` on the parent's `child_runbook`
                # artifact belong to the child artifact it stands for.
                self._mark(target, output=parent.output, optional=parent.optional)

    def _check_properties(self, definition: ArtifactDefinition, file: Path, where: Range) -> None:
        """Component properties again, now that environment variables have values."""
        checks: list[tuple[str, type[Component], dict[str, Any]]] = []
        if definition.source is not None and definition.source.type in self.registry.connectors:
            component: type[Component] = self.registry.connectors[definition.source.type]
            checks.append(("connector", component, definition.source.properties))
        if definition.process is not None and definition.process.type in self.registry.processors:
            component = self.registry.processors[definition.process.type]
            checks.append(("processor", component, definition.process.properties))
        for kind, checked, properties in checks:
            try:
                checked.Properties.model_validate(properties)
            except ValidationError as error:
                first = error.errors()[0]
                location = ".".join(str(part) for part in first["loc"])
                self.problems.append(
                    Diagnostic.of(
                        "WCT022",
                        file,
                        where,
                        self.redact(
                            f"{kind} `{checked.name}` properties, with environment variables "
                            f"substituted: `{location}`: {first['msg']}"
                        ),
                    )
                )

    def _mark(self, artifact_id: str, *, output: bool, optional: bool) -> None:
        for index, planned in enumerate(self.planned):
            if planned.id == artifact_id:
                definition = planned.definition.model_copy(
                    update={
                        "output": planned.definition.output or output,
                        "optional": planned.definition.optional or optional,
                    }
                )
                self.planned[index] = replace(planned, definition=definition)

    def _substituted(self, definition: ArtifactDefinition) -> ArtifactDefinition:
        data = definition.model_dump(mode="json")
        try:
            substituted = _substitute_all(data, self.env)
        except UnsetVariable:  # reported as an error before flattening starts
            raise AssertionError("unset variable reached the flattener") from None
        return ArtifactDefinition.model_validate(substituted)


def _default_of(analysis: Analysis, name: str) -> list[tuple[str, str, Any]]:
    """The declared default of an unmapped runbook input, when it has one."""
    assert analysis.header is not None and analysis.header.header is not None
    declared = analysis.header.header.inputs.get(name)
    if declared is None or "default" not in declared.model_fields_set:
        return []
    schema = resolve_schema(declared.input_schema)
    return [(name, str(schema) if schema else declared.input_schema, declared.default)]


def _substitute_all(value: Any, env: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return substitute(value, env) if "${" in value else value
    if isinstance(value, list):
        return [_substitute_all(item, env) for item in value]
    if isinstance(value, dict):
        return {key: _substitute_all(item, env) for key, item in value.items()}
    return value


def _path_namespace(path: str) -> str:
    parts = PurePosixPath(path.replace("\\", "/"))
    return ".".join((*parts.parent.parts, parts.stem)) if parts.parent.parts else parts.stem
