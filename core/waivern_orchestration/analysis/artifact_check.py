"""Checks of one artifact on its own: what can be known from its block of text alone.

Structure (WCT002), duplicate keys (WCT003), production method (WCT004), a repeated
input (WCT012), component types and properties (WCT020-022), schema names (WCT030), reuse
without output schema (WCT031), child path syntax and output choice (WCT040, WCT045),
environment sites; plus the facts the runbook-wide checks need (reference sites, child
runbook request). The result depends only on the artifact's text and position, which is
what lets incremental analysis keep it for every artifact an edit did not touch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from waivern_orchestration.analysis.child_paths import child_path_problem
from waivern_orchestration.analysis.env_vars import with_defaults
from waivern_orchestration.analysis.facts import (
    ArtifactInfo,
    ChildRequest,
    EnvSite,
    NamedSite,
    Production,
    Reference,
)
from waivern_orchestration.analysis.model_errors import model_diagnostics, validated_data
from waivern_orchestration.analysis.model_shape import Checker, shape_checker
from waivern_orchestration.analysis.schema_check import unknown_schema_message
from waivern_orchestration.analysis.substitution import substitute_tree, with_notes
from waivern_orchestration.analysis.suggestions import did_you_mean
from waivern_orchestration.analysis.tree_checks import scan_subtree
from waivern_orchestration.components import ComponentRegistry
from waivern_orchestration.diagnostics import Reporter
from waivern_orchestration.message_schemas import resolve_schema
from waivern_orchestration.models import ANALYSED, ARTIFACT_ID_PATTERN, ArtifactDefinition
from waivern_orchestration.parse.positions import DOCUMENT_START, Range
from waivern_orchestration.parse.yaml_tree import (
    YamlEntry,
    YamlMapping,
    YamlNode,
    YamlScalar,
    YamlSequence,
)

_ARTIFACT_ID = re.compile(ARTIFACT_ID_PATTERN)
# Artifacts of the common valid shapes are told valid without pydantic (`model_shape`);
# the model's rules across fields are left out under `ANALYSED` (the checks below report
# them with positions), so they are no reason to ask pydantic.
_SURELY_VALID = shape_checker(
    ArtifactDefinition, skipped=("_one_production_method", "_one_output_choice")
)


@dataclass(frozen=True)
class ArtifactCheckContext:
    """What checking one artifact needs besides its text."""

    file: Path
    registry: ComponentRegistry
    line_text: Callable[[int], str]  # a line of the text the artifact stands in
    # The variables `${VAR}` take: structural values are checked substituted.
    env: Mapping[str, str] = field(default_factory=dict)


def check_artifact(entry: YamlEntry, context: ArtifactCheckContext) -> ArtifactInfo:
    return _ArtifactCheck(entry, context).run()


class _ArtifactCheck:
    def __init__(self, entry: YamlEntry, context: ArtifactCheckContext) -> None:
        self.entry = entry
        self.context = context
        self.id = entry.key_text
        self.report = Reporter(context.file)
        self.diagnostics = self.report.diagnostics
        self.sites: tuple[EnvSite, ...] = ()  # the `${VAR}` sites of the artifact
        # The artifact's fields by key, the last of a repeated key (as `YamlMapping.get`
        # says): looked up a score of times per artifact, a dict made once is cheaper.
        self.fields: Mapping[str, YamlEntry] = {}

    def run(self) -> ArtifactInfo:
        key_range = self.entry.key.range
        node = self.entry.value
        key = self.entry.key
        if isinstance(key, YamlScalar) and not key.is_string:
            self.report(
                "WCT002",
                key_range,
                f"YAML reads the artifact id `{self.id}` as {_yaml_kind(key.value)}, not as "
                f"text: quote it (`'{self.id}':`) or choose another id",
            )
        elif not _ARTIFACT_ID.match(self.id):
            self.report(
                "WCT002",
                key_range,
                f"artifact id `{self.id}` is not allowed: use letters, digits, `_` and `-`, "
                "starting with a letter or `_`",
            )
        duplicates, found_sites = scan_subtree(node, self.context.file, self.context.line_text)
        self.diagnostics.extend(duplicates)
        sites = self.sites = tuple(found_sites)
        substituted = substitute_tree(node, self.context.env) if sites else []
        if not isinstance(node, YamlMapping):
            if isinstance(node, YamlScalar) and node.value is None:
                message = f"artifact `{self.id}` is empty: give it a `source`, `inputs` or `reuse`"
                self.report("WCT004", key_range, message)
            else:
                self.report(
                    "WCT002", node.range, f"artifact `{self.id}` must be a mapping of fields"
                )
            return ArtifactInfo(
                id=self.id,
                key_range=key_range,
                tree=node,
                env_sites=sites,
                diagnostics=tuple(self.diagnostics),
            )

        valid = self._validate(node, key_range)
        self.fields = node.by_key()
        inputs = self._input_references(node)
        production = self._production(node, key_range)
        source_type = self._component(node, "source")
        process_type = self._component(node, "process")
        output_schema = self._output_schema(node, key_range)
        child = self._child(node)
        reuse = _reuse_sites(self._value_of("reuse"))
        output_node = self._value_of("output")
        output = isinstance(output_node, YamlScalar) and output_node.value is True
        description_node = self._value_of("description")
        description = (
            description_node.value
            if isinstance(description_node, YamlScalar) and description_node.is_string
            else None
        )
        return ArtifactInfo(
            id=self.id,
            key_range=key_range,
            tree=node,
            valid=valid,
            production=production,
            inputs=inputs,
            source_type=source_type,
            process_type=process_type,
            output_schema=output_schema,
            output=output,
            child=child,
            env_sites=sites,
            diagnostics=tuple(with_notes(self.diagnostics, substituted)),
            description=description,
            reuse=reuse,
        )

    def _value_of(self, key: str) -> YamlNode | None:
        entry = self.fields.get(key)
        return entry.value if entry is not None else None

    # -- structure ----------------------------------------------------------------------

    def _validate(self, node: YamlMapping, key_range: Range) -> bool:
        if _SURELY_VALID is not None and _SURELY_VALID(node):
            return True  # what pydantic would say, without the models it would build
        data, left_out = validated_data(node, ArtifactDefinition)
        try:
            # The rules across fields are `_production`'s and `_child`'s, with positions.
            ArtifactDefinition.model_validate(data, context=ANALYSED)
        except ValidationError as error:
            self.diagnostics.extend(
                model_diagnostics(
                    error,
                    node,
                    key_range,
                    self.context.file,
                    code="WCT002",
                    where=f"artifact `{self.id}`",
                    model=ArtifactDefinition,
                    left_out=left_out,
                )
            )
            return False
        return True

    def _input_references(self, node: YamlMapping) -> tuple[Reference, ...]:
        value = self._value_of("inputs")
        if value is None:
            return ()
        items = value.items if isinstance(value, YamlSequence) else (value,)
        references = tuple(
            Reference(item.value, item.range, self.id, "inputs")
            for item in items
            if isinstance(item, YamlScalar) and isinstance(item.value, str) and item.value
        )
        first: dict[str, int] = {}
        for position, reference in enumerate(references, start=1):
            seen = first.setdefault(reference.name, position)
            if seen != position:
                # The executor would hand the processor the same message twice.
                self.report(
                    "WCT012",
                    reference.range,
                    f"`{reference.name}` is already input {seen} of artifact `{self.id}`: "
                    "an input is read once, remove the repeat",
                )
        return references

    def _production(self, node: YamlMapping, key_range: Range) -> Production | None:
        present = {key for key in ("source", "inputs", "reuse") if self.fields.get(key) is not None}
        child = self.fields.get("child_runbook")
        process = self.fields.get("process")
        if len(present) != 1:
            if present:
                ranges = [
                    entry.key.range for key in sorted(present) if (entry := self.fields.get(key))
                ]
                names = " and ".join(f"`{key}`" for key in sorted(present))
                for range_ in ranges:
                    self.report(
                        "WCT004",
                        range_,
                        f"artifact `{self.id}` has {names}: give exactly one of "
                        "`source`, `inputs` or `reuse`",
                    )
            else:
                hint = " (`child_runbook` also needs `inputs`)" if child else ""
                self.report(
                    "WCT004",
                    key_range,
                    f"artifact `{self.id}` needs exactly one of `source`, `inputs` or "
                    f"`reuse`{hint}",
                )
            return None
        kind = next(iter(present))
        chosen = self.fields.get(kind)
        if chosen is not None and kind != "inputs" and _is_empty(chosen.value):
            what = "a connector `type`" if kind == "source" else "`from_run` and `artifact`"
            self.report(
                "WCT004",
                chosen.key.range,
                f"`{kind}` of artifact `{self.id}` is empty: give it {what}",
            )
            return None
        inputs_entry = self.fields.get("inputs")
        if inputs_entry is not None and _is_empty(inputs_entry.value):
            self.report(
                "WCT004",
                inputs_entry.value.range,
                f"`inputs` of artifact `{self.id}` is empty: name the artifact(s) it is "
                "derived from",
            )
        if child is not None:
            for clash in ("process", "source", "reuse"):
                other = self.fields.get(clash)
                if other is not None:
                    self.report(
                        "WCT004",
                        other.key.range,
                        f"`child_runbook` produces artifact `{self.id}`: remove `{clash}`",
                    )
            return Production.CHILD if kind == "inputs" else None
        if process is not None and kind != "inputs":
            self.report(
                "WCT004",
                process.key.range,
                f"`process` works on `inputs`: artifact `{self.id}` has none",
            )
        merge = self.fields.get("merge")
        if merge is not None and kind != "inputs":
            self.report(
                "WCT004", merge.key.range, "`merge` combines `inputs`: this artifact has none"
            )
        return {
            "source": Production.SOURCE,
            "inputs": Production.DERIVED,
            "reuse": Production.REUSE,
        }[kind]

    # -- components ---------------------------------------------------------------------

    def _component(self, node: YamlMapping, field_name: str) -> NamedSite | None:
        section = self._value_of(field_name)
        if not isinstance(section, YamlMapping):
            return None
        type_node = section.value_of("type")
        if not (isinstance(type_node, YamlScalar) and isinstance(type_node.value, str)):
            return None
        site = NamedSite(type_node.value, type_node.range)
        registry = self.context.registry
        known: Mapping[str, Any]  # the registry's own (not copied per artifact)
        if field_name == "source":
            code, kind, known = "WCT020", "connector", registry.connectors
        else:
            code, kind, known = "WCT021", "processor", registry.processors
        component = known.get(site.name)
        if component is None:
            listing = ", ".join(f"`{name}`" for name in sorted(known)) or "none installed"
            self.report(
                code,
                type_node.range,
                f"unknown {kind} type `{site.name}`{did_you_mean(site.name, known)} "
                f"(known: {listing})",
            )
            return site
        properties_entry = section.get("properties")
        properties_node = properties_entry.value if properties_entry else None
        if not self.sites and _surely_valid_properties(component.Properties, properties_node):
            return site  # (no `${VAR}` in them: their data is the tree's, as written)
        raw, left_out = (
            validated_data(properties_node, component.Properties, unresolved_skipped=True)
            if properties_node is not None
            else ({}, 0)
        )
        # `${VAR:-default}` is checked with its default; `${VAR}` only when it runs. With
        # no `${` in the artifact (no sites), the data has nothing to replace.
        data, unknown = (
            with_defaults(raw if raw is not None else {})
            if self.sites
            else (raw if raw is not None else {}, [])
        )
        try:
            component.Properties.model_validate(data)
        except ValidationError as error:
            anchor = properties_entry.key.range if properties_entry else type_node.range
            target: YamlNode = properties_node if properties_node is not None else section
            self.diagnostics.extend(
                model_diagnostics(
                    error,
                    target,
                    anchor,
                    self.context.file,
                    code="WCT022",
                    where=f"{kind} `{site.name}` properties",
                    model=component.Properties,
                    skip=lambda location: any(
                        location[: len(prefix)] == prefix for prefix in unknown
                    ),
                    left_out=left_out,
                )
            )
        return site

    def _output_schema(self, node: YamlMapping, key_range: Range) -> NamedSite | None:
        entry = self.fields.get("output_schema")
        reuse = self.fields.get("reuse")
        if reuse is not None and entry is None:
            self.report(
                "WCT031",
                reuse.key.range,
                f"artifact `{self.id}` reuses an earlier output: add `output_schema` "
                "(e.g. `personal_data_finding/1.0.0`) so dependents can be checked",
            )
        if entry is None or not isinstance(entry.value, YamlScalar):
            return None
        value = entry.value.value
        if not isinstance(value, str):
            return None
        if resolve_schema(value) is None:
            self.report("WCT030", entry.value.range, unknown_schema_message(value))
        return NamedSite(value, entry.value.range)

    # -- child runbook ------------------------------------------------------------------

    def _child(self, node: YamlMapping) -> ChildRequest | None:
        entry = self.fields.get("child_runbook")
        if entry is None or not isinstance(entry.value, YamlMapping):
            return None
        child = entry.value
        path_node = child.value_of("path")
        if not (isinstance(path_node, YamlScalar) and isinstance(path_node.value, str)):
            return None
        path_allowed = self._check_child_path(path_node)
        mapping_node = child.value_of("input_mapping")
        mapping: list[tuple[NamedSite, Reference]] = []
        if isinstance(mapping_node, YamlMapping):
            for item in mapping_node.entries:
                if isinstance(item.value, YamlScalar) and isinstance(item.value.value, str):
                    mapping.append(
                        (
                            NamedSite(item.key_text, item.key.range),
                            Reference(item.value.value, item.value.range, self.id, "input_mapping"),
                        )
                    )
        output_node = child.get("output")
        output_mapping_entry = child.get("output_mapping")
        output: NamedSite | None = None
        if output_node is not None and isinstance(output_node.value, YamlScalar):
            output = NamedSite(str(output_node.value.value), output_node.value.range)
        output_mapping: tuple[tuple[NamedSite, NamedSite], ...] | None = None
        if output_mapping_entry is not None and isinstance(output_mapping_entry.value, YamlMapping):
            output_mapping = tuple(
                (
                    NamedSite(item.key_text, item.key.range),
                    NamedSite(str(item.value.value), item.value.range),
                )
                for item in output_mapping_entry.value.entries
                if isinstance(item.value, YamlScalar)
            )
        if output_node is not None and output_mapping_entry is not None:
            self.report(
                "WCT045",
                output_mapping_entry.key.range,
                "give either `output` (this artifact becomes that child output) or "
                "`output_mapping` (child outputs under new names), not both",
            )
        elif output_node is None and output_mapping_entry is None:
            self.report(
                "WCT045",
                entry.key.range,
                f"`child_runbook` of `{self.id}` needs `output` (the child output this "
                "artifact becomes) or `output_mapping`",
            )
        return ChildRequest(
            path=path_node.value,
            path_range=path_node.range,
            path_allowed=path_allowed,
            input_mapping=tuple(mapping),
            output=output,
            output_mapping=output_mapping,
            key_range=entry.key.range,
        )

    def _check_child_path(self, path_node: YamlScalar) -> bool:
        text = str(path_node.value)
        problem = child_path_problem(text)
        if problem:
            self.report("WCT040", path_node.range, problem)
            return False
        return True


# Component properties models → their checkers (`model_shape`), made once per model.
_PROPERTIES_CHECKERS: dict[type[BaseModel], Checker | None] = {}
_NO_PROPERTIES = YamlMapping((), DOCUMENT_START)  # `properties` left out: `{}` is validated


def _surely_valid_properties(model: type[BaseModel], node: YamlNode | None) -> bool:
    """Does ``model`` surely accept ``node`` (None: no properties written)? False when
    pydantic must say."""
    if model in _PROPERTIES_CHECKERS:
        checker = _PROPERTIES_CHECKERS[model]
    else:
        checker = _PROPERTIES_CHECKERS[model] = shape_checker(model)
    return checker is not None and checker(node if node is not None else _NO_PROPERTIES)


def _reuse_sites(reuse: YamlNode | None) -> tuple[NamedSite, NamedSite] | None:
    if not isinstance(reuse, YamlMapping):
        return None
    run, artifact = reuse.value_of("from_run"), reuse.value_of("artifact")
    if not (isinstance(run, YamlScalar) and isinstance(artifact, YamlScalar)):
        return None
    return NamedSite(run.text, run.range), NamedSite(artifact.text, artifact.range)


def _yaml_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


def _is_empty(node: YamlNode) -> bool:
    if isinstance(node, YamlSequence):
        return not node.items
    return isinstance(node, YamlScalar) and node.value in (None, "")
