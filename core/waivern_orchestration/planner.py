"""Planning: an analysed runbook without errors → an immutable `ExecutionPlan`.

Child runbooks are flattened: their artifacts join the plan under a namespace derived
from the parent artifact id and the child path (`scan.pd_analysis.findings`), so the same
runbook always plans to the same ids. Parent-side names of child outputs become aliases.
Environment variables are substituted here; an unset one without default is an error.
A string that substitutes a secret variable (`redaction`) keeps its template as written:
the plan's JSON (what a run stores) holds the template, never the value, and reading the
JSON back with an environment substitutes it again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from waivern_orchestration.analysis import Analysis, ReadText, analyse, paused_collector
from waivern_orchestration.analysis.cycles import topological_order
from waivern_orchestration.analysis.dotenv_files import runbook_environment
from waivern_orchestration.analysis.env_vars import ENV_REFERENCE, UnsetVariable, substitute
from waivern_orchestration.analysis.facts import Production
from waivern_orchestration.components import Component, ComponentRegistry
from waivern_orchestration.components.registry import default_registry
from waivern_orchestration.diagnostics import Diagnostic, Severity
from waivern_orchestration.message_schemas import resolve_schema
from waivern_orchestration.models import ANALYSED, ArtifactDefinition, RunbookConfig
from waivern_orchestration.parse.positions import Range
from waivern_orchestration.parse.runbook_file import RunbookTooLarge, read_runbook
from waivern_orchestration.redaction import (
    MissingSecrets,
    Redactor,
    referenced,
    secret_variables,
)
from waivern_orchestration.store.lookup import StoreLookup

# 1: values as substituted. 2: also templates of secret substitutions (`secret_templates`),
# which a wct that knows only format 1 must not run as they are.
PLAN_FORMAT = 2
PLAN_FORMATS = (1, 2)

Location = tuple[str | int, ...]  # keys and indexes into JSON data
# (where in the JSON, the string as written): a string that substituted a secret variable
Templates = tuple[tuple[Location, str], ...]


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
    # Strings of `definition` (locations in its JSON) that substituted a secret variable,
    # as written: the JSON holds these instead of the values.
    templates: Templates = ()

    @property
    def runbook_dir(self) -> Path:
        return Path(self.runbook_path).parent

    def to_json(self) -> dict[str, Any]:
        """The artifact as a run stores it: templates, not values, where a secret
        variable was substituted."""
        data = {
            "id": self.id,
            "local_id": self.local_id,
            "runbook_path": self.runbook_path,
            "origin": self.origin,
            "definition": _with_templates(self.definition.model_dump(mode="json"), self.templates),
            "inputs": list(self.inputs),
            "input_schemas": list(self.input_schemas),
            "output_schema": self.output_schema,
            "defaults": [[name, schema, value] for name, schema, value in self.defaults],
            "sensitive": self.sensitive,
        }
        if self.templates:
            data["secret_templates"] = _templates_to_json(self.templates)
        return data

    @classmethod
    def from_json(
        cls, data: Mapping[str, Any], env: Mapping[str, str] | None = None
    ) -> PlannedArtifact:
        """With ``env``: templates substituted (`ExecutionPlan.from_json`)."""
        templates = _templates_from_json(data.get("secret_templates", ()))
        return cls(
            id=data["id"],
            local_id=data["local_id"],
            runbook_path=data["runbook_path"],
            origin=data["origin"],
            definition=ArtifactDefinition.model_validate(
                _substituted_templates(data["definition"], templates, env), context=ANALYSED
            ),
            inputs=tuple(data["inputs"]),
            input_schemas=tuple(data["input_schemas"]),
            output_schema=data["output_schema"],
            defaults=tuple((name, schema, value) for name, schema, value in data["defaults"]),
            sensitive=bool(data.get("sensitive", False)),
            templates=templates,
        )


@dataclass(frozen=True)
class ExecutionPlan:
    runbook_path: str
    runbook_name: str
    config: RunbookConfig
    artifacts: tuple[PlannedArtifact, ...]  # in a topological order
    aliases: tuple[tuple[str, str], ...]  # parent-side name → plan id
    # The variables the runbook and its child runbooks substitute (messages are redacted
    # for the secret ones); None for a plan stored by a wct that did not record them.
    variables: tuple[str, ...] | None = None
    # `runbook_name` and `config` strings that substituted a secret variable.
    templates: Templates = ()
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
            # Once per producer: a plan stored before WCT012 may list an input twice.
            for producer in dict.fromkeys(artifact.inputs):
                found[producer].append(artifact.id)
        return found

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(artifact.id for artifact in self.artifacts)

    @property
    def has_templates(self) -> bool:
        return bool(self.templates) or any(artifact.templates for artifact in self.artifacts)

    def to_json(self) -> dict[str, Any]:
        """The plan as a run stores it: never a secret value (templates in their place)."""
        header = _with_templates(
            {"runbook_name": self.runbook_name, "config": self.config.model_dump(mode="json")},
            self.templates,
        )
        data: dict[str, Any] = {
            # Format 1 when there is no template: a plan any wct can read.
            "format": PLAN_FORMAT if self.has_templates else 1,
            "runbook_path": self.runbook_path,
            **header,
            "artifacts": [artifact.to_json() for artifact in self.artifacts],
            "aliases": {name: target for name, target in self.aliases},
        }
        if self.variables is not None:
            data["variables"] = list(self.variables)
        if self.templates:
            data["secret_templates"] = _templates_to_json(self.templates)
        return data

    @classmethod
    def from_json(
        cls, data: Mapping[str, Any], env: Mapping[str, str] | None = None
    ) -> ExecutionPlan:
        """The plan from its JSON; with ``env`` (to run it), every template substituted
        again: raises MissingSecrets when one needs a variable that is not set. Without,
        templates stay as written (enough to report on a run)."""
        if data.get("format") not in PLAN_FORMATS:
            raise ValueError(f"unsupported plan format {data.get('format')!r}")
        templates = _templates_from_json(data.get("secret_templates", ()))
        if env is not None:
            everywhere = [*templates]
            for item in data["artifacts"]:
                everywhere += _templates_from_json(item.get("secret_templates", ()))
            missing = {name for _at, template in everywhere for name in _unset(template, env)}
            if missing:
                raise MissingSecrets(missing)
        header = _substituted_templates(
            {"runbook_name": data["runbook_name"], "config": data["config"]}, templates, env
        )
        variables = data.get("variables")
        return cls(
            runbook_path=data["runbook_path"],
            runbook_name=header["runbook_name"],
            config=RunbookConfig.model_validate(header["config"]),
            artifacts=tuple(PlannedArtifact.from_json(item, env) for item in data["artifacts"]),
            aliases=tuple(sorted(data["aliases"].items())),
            variables=None if variables is None else tuple(variables),
            templates=templates,
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
        # None: each runbook's own (the environment, then its `.env` files: dotenv_files)
        self._given_env = env
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
        return self.plan_text(text, file)

    def plan_text(self, text: str, path: Path | str) -> ExecutionPlan:
        """Plan a runbook's ``text`` as if it stood in the file ``path``: its relative paths
        and child runbooks are found from there (a runbook built in Python: `python_api`)."""
        file = Path(path).absolute()
        self._use_environment_of(file)
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

    def _use_environment_of(self, file: Path) -> None:
        if self._given_env is None:
            self.env = runbook_environment(file)

    def plan_analysis(self, analysis: Analysis) -> ExecutionPlan:
        errors = [d for d in analysis.diagnostics if d.is_error]
        # An unset variable is a warning while editing and an error once it must run.
        errors += [
            Diagnostic(d.file, d.range, d.code, d.message, Severity.ERROR, d.related)
            for d in _all_env_warnings(analysis)
        ]
        # A child runbook run on its own: nothing would give its inputs (WCT043, said here
        # only: while it is edited it is a child, and fine).
        if analysis.header is not None:
            errors += [
                Diagnostic.of(
                    "WCT043",
                    analysis.path,
                    declared.name.range,
                    f"`{declared.name.name}` is an input of this child runbook, given by the "
                    "parent that uses it (`input_mapping`): run the parent runbook",
                )
                for declared in analysis.header.required_inputs
            ]
        # What is said of a runbook with variables substituted never shows the value of a
        # secret one it substitutes.
        variables = referenced_variables(analysis)
        redact = Redactor.of(self.env, variables)
        if errors or analysis.header is None or analysis.header.header is None:
            errors = [redact.diagnostic(error) for error in errors]
            raise PlanningError(tuple(sorted(errors, key=Diagnostic.sort_key)))
        secrets = secret_variables(self.env, variables)
        flattener = _Flattener(self.env, self.registry or default_registry(), redact, secrets)
        flattener.flatten(analysis, prefix="", bindings={}, origin="parent")
        if flattener.problems:
            raise PlanningError(tuple(flattener.problems))
        planned = tuple(
            replace(artifact, sensitive=True) if artifact.id in flattener.sensitive else artifact
            for artifact in flattener.planned
        )
        header = analysis.header.header
        templates: list[tuple[Location, str]] = []
        written = {
            "runbook_name": header.name,
            "config": analysis.header.config.model_dump(mode="json"),
        }
        substituted = _substitute_all(written, self.env, secrets, (), templates)
        config = RunbookConfig.model_validate(substituted["config"])
        return ExecutionPlan(
            runbook_path=str(analysis.path),
            runbook_name=substituted["runbook_name"],
            config=config,
            artifacts=planned,
            aliases=tuple(sorted(flattener.aliases.items())),
            variables=tuple(sorted(variables)),
            templates=_kept(
                templates,
                {
                    "runbook_name": substituted["runbook_name"],
                    "config": config.model_dump(mode="json"),
                },
            ),
        )


def referenced_variables(analysis: Analysis) -> set[str]:
    """The variables a runbook and its child runbooks (at any depth) substitute."""
    names: set[str] = set()
    seen: set[int] = set()
    pending = [analysis]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        names.update(site.name for site in current.env_sites)
        pending.extend(
            link.analysis for link in current.children.values() if link.analysis is not None
        )
    return names


def _all_env_warnings(analysis: Analysis) -> list[Diagnostic]:
    """Children's unset variables are already surfaced on the parent (WCT050)."""
    return [d for d in analysis.diagnostics if d.code == "WCT050"]


class _Flattener:
    def __init__(
        self,
        env: Mapping[str, str],
        registry: ComponentRegistry,
        redact: Redactor,
        secrets: frozenset[str],
    ) -> None:
        self.env = env
        self.registry = registry
        # Properties are checked with the variables' values: what is said of them never
        # shows a secret one (`${NAME}` in its place).
        self.redact = redact
        self.secrets = secrets  # strings substituting these keep their templates
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
            definition, templates = self._substituted(info.definition)
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
                    templates=templates,
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

    def _substituted(self, definition: ArtifactDefinition) -> tuple[ArtifactDefinition, Templates]:
        """The definition with variables substituted, and the templates of the strings
        that substituted a secret one."""
        data = definition.model_dump(mode="json")
        templates: list[tuple[Location, str]] = []
        try:
            substituted = _substitute_all(data, self.env, self.secrets, (), templates)
        except UnsetVariable:  # reported as an error before flattening starts
            raise AssertionError("unset variable reached the flattener") from None
        result = ArtifactDefinition.model_validate(substituted, context=ANALYSED)
        return result, _kept(templates, result.model_dump(mode="json"))


def _default_of(analysis: Analysis, name: str) -> list[tuple[str, str, Any]]:
    """The declared default of an unmapped runbook input, when it has one."""
    assert analysis.header is not None and analysis.header.header is not None
    declared = analysis.header.header.inputs.get(name)
    if declared is None or "default" not in declared.model_fields_set:
        return []
    schema = resolve_schema(declared.input_schema)
    return [(name, str(schema) if schema else declared.input_schema, declared.default)]


def _substitute_all(
    value: Any,
    env: Mapping[str, str],
    secrets: frozenset[str] = frozenset(),
    location: Location = (),
    templates: list[tuple[Location, str]] | None = None,
) -> Any:
    """``value`` with variables substituted in every string; the strings that substitute
    one of ``secrets`` are added to ``templates`` as written, with their locations."""
    if isinstance(value, str):
        if "${" not in value:
            return value
        if templates is not None and any(name in secrets for name in referenced(value)):
            templates.append((location, value))
        return substitute(value, env)
    if isinstance(value, list):
        return [
            _substitute_all(item, env, secrets, (*location, index), templates)
            for index, item in enumerate(value)
        ]
    if isinstance(value, dict):
        return {
            key: _substitute_all(item, env, secrets, (*location, key), templates)
            for key, item in value.items()
        }
    return value


def _kept(templates: Iterable[tuple[Location, str]], validated: Any) -> Templates:
    """The templates whose strings are still strings once validated (a string a model
    turns into a number or a boolean is not kept as a template: it could not be read back
    as one, and such a value hides nothing)."""
    return tuple(
        (location, template)
        for location, template in templates
        if isinstance(_at(validated, location), str)
    )


def _at(data: Any, location: Location) -> Any:
    for part in location:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _put(data: Any, location: Location, value: Any) -> Any:
    """A copy of ``data`` with ``value`` at ``location`` (containers on the way copied)."""
    if not location:
        return value
    head, rest = location[0], location[1:]
    if isinstance(data, dict) and head in data:
        return {**data, head: _put(data[head], rest, value)}
    if isinstance(data, list) and isinstance(head, int) and 0 <= head < len(data):
        copied = list(data)
        copied[head] = _put(data[head], rest, value)
        return copied
    raise ValueError(f"secret template at {list(location)} has no string to stand for")


def _with_templates(data: Any, templates: Templates) -> Any:
    for location, template in templates:
        data = _put(data, location, template)
    return data


def _substituted_templates(data: Any, templates: Templates, env: Mapping[str, str] | None) -> Any:
    if env is None:
        return data
    for location, template in templates:
        data = _put(data, location, substitute(template, env))
    return data


def _unset(template: str, env: Mapping[str, str]) -> list[str]:
    """The variables without default a template needs that ``env`` does not set."""
    return [
        match.group(1)
        for match in ENV_REFERENCE.finditer(template)
        if match.group(1) not in env and match.group(2) is None
    ]


def _templates_to_json(templates: Templates) -> list[list[Any]]:
    return [[list(location), template] for location, template in templates]


def _templates_from_json(data: Any) -> Templates:
    return tuple((tuple(location), str(template)) for location, template in data)


def _path_namespace(path: str) -> str:
    parts = PurePosixPath(path.replace("\\", "/"))
    return ".".join((*parts.parent.parts, parts.stem)) if parts.parent.parts else parts.stem
