"""Message schemas along the DAG (WCT030): each artifact's output schema is resolved
from its connector, processor, inputs, child runbook or `output_schema`, in an order that
puts inputs first; a processor must accept its inputs' schemas, a fan-in without a
processor must join one schema, a child input must be fed the schema it declares. A
schema named in the runbook, or written by a component, that no installed package
provides is WCT030 too (`unknown_schema_message`)."""

from __future__ import annotations

from waivern_orchestration.analysis.facts import Alias, ArtifactInfo, Production
from waivern_orchestration.analysis.scope import RunbookScope
from waivern_orchestration.analysis.suggestions import did_you_mean
from waivern_orchestration.components import Processor
from waivern_orchestration.message_schemas import (
    SchemaRef,
    default_schemas,
    known_schemas,
    resolve_schema,
)
from waivern_orchestration.parse.positions import Range
from waivern_orchestration.parse.yaml_tree import YamlMapping


def resolve_schemas(
    scope: RunbookScope, order: list[str], cyclic: set[str]
) -> dict[str, SchemaRef | None]:
    """The schema of every artifact, runbook input and alias (None: unknown).
    ``order`` puts every artifact off the cycles after its inputs."""
    return SchemaResolver(scope, {}).run(order, cyclic)


class SchemaResolver:
    """Resolves artifacts' schemas into ``schemas`` (which holds their inputs' already:
    `run` fills it in order; `recheck` gives it the schemas of the analysis before)."""

    def __init__(self, scope: RunbookScope, schemas: dict[str, SchemaRef | None]) -> None:
        self.scope = scope
        self.schemas = schemas

    def run(self, order: list[str], cyclic: set[str]) -> dict[str, SchemaRef | None]:
        for name, declared in self.scope.header.inputs.items():
            self.schemas[name] = resolve_schema(declared.schema) if declared.schema else None
        for artifact in order:
            self.schemas[artifact] = self.schema_of(self.scope.artifacts[artifact])
        for name, alias in self.scope.aliases.items():
            if name not in self.schemas:
                self.schemas[name] = self._child_output_schema(alias)
        for artifact in cyclic:
            self.schemas.setdefault(artifact, None)
        return self.schemas

    def schema_of(self, info: ArtifactInfo) -> SchemaRef | None:
        declared = resolve_schema(info.output_schema.name) if info.output_schema else None
        registry = self.scope.context.registry
        if info.production is Production.SOURCE:
            connector = registry.connectors.get(info.source_type.name) if info.source_type else None
            if connector is None:
                return declared
            return self._choose(info, declared, connector.output_schemas, "connector")
        if info.production is Production.REUSE:
            return declared
        if info.production is Production.CHILD:
            self._check_child_input_schemas(info)
            # Names given by `output_mapping` are known from here on, for dependents.
            for name, renamed in self.scope.aliases.items():
                if renamed.artifact == info.id and name != info.id:
                    self.schemas[name] = self._child_output_schema(renamed)
            return self._child_output_schema(self.scope.aliases.get(info.id))
        if info.production is not Production.DERIVED:
            return declared
        input_schemas = [self.schemas.get(reference.name) for reference in info.inputs]
        if info.process_type is not None:
            processor = registry.processors.get(info.process_type.name)
            if processor is None:
                return declared
            self._check_processor_inputs(info, processor, input_schemas)
            return self._choose(info, declared, processor.output_schemas, "processor")
        known = {schema for schema in input_schemas if schema is not None}
        if len(known) > 1:
            self.scope.report(
                "WCT030",
                _key_range(info, "inputs"),
                f"the inputs of `{info.id}` have different schemas "
                f"({', '.join(sorted(map(str, known)))}): without a `process` they cannot "
                "be combined",
            )
            return declared
        if len(known) == 1 and None not in input_schemas:
            passed = next(iter(known))
            if declared is not None and declared != passed:
                self.scope.report(
                    "WCT030",
                    info.output_schema.range if info.output_schema else info.key_range,
                    f"`output_schema` says {declared}, but the inputs give {passed}",
                )
            return passed
        return declared

    def _check_processor_inputs(
        self, info: ArtifactInfo, processor: type[Processor], input_schemas: list[SchemaRef | None]
    ) -> None:
        """The processor must accept the inputs' schemas. With an input of unknown schema
        (an unknown processor, a `reuse` without `output_schema`), the known ones must
        still fit one accepted combination: each known input that fits none is reported."""
        combinations = processor.input_combinations
        accepted = " or ".join(
            "{" + ", ".join(sorted(map(str, combo))) + "}" for combo in combinations
        )
        given = frozenset(schema for schema in input_schemas if schema is not None)
        if not given:
            return
        if None not in input_schemas:
            if given not in combinations:
                self.scope.report(
                    "WCT030",
                    _key_range(info, "inputs"),
                    f"processor `{processor.name}` accepts inputs with schemas {accepted}, "
                    f"but the inputs of `{info.id}` give "
                    "{" + ", ".join(sorted(map(str, given))) + "}",
                )
            return
        if any(given <= combo for combo in combinations):
            return
        unknown = ", ".join(
            f"`{reference.name}`"
            for reference, schema in zip(info.inputs, input_schemas, strict=True)
            if schema is None
        )
        anywhere: frozenset[SchemaRef] = frozenset().union(*combinations)
        wrong = [
            (reference, schema)
            for reference, schema in zip(info.inputs, input_schemas, strict=True)
            if schema is not None and schema not in anywhere
        ]
        for reference, schema in wrong:
            self.scope.report(
                "WCT030",
                reference.range,
                f"processor `{processor.name}` accepts inputs with schemas {accepted}, but "
                f"input `{reference.name}` of `{info.id}` gives {schema}, whatever the schema "
                f"of {unknown} turns out to be",
            )
        if not wrong:  # each fits some combination, but not together
            self.scope.report(
                "WCT030",
                _key_range(info, "inputs"),
                f"processor `{processor.name}` accepts inputs with schemas {accepted}, but "
                f"the inputs of `{info.id}` whose schema is known give "
                "{" + ", ".join(sorted(map(str, given))) + "}",
            )

    def _choose(
        self,
        info: ArtifactInfo,
        declared: SchemaRef | None,
        offered: tuple[SchemaRef, ...],
        kind: str,
    ) -> SchemaRef | None:
        if declared is None:
            produced = offered[0] if offered else None
            site = info.source_type if kind == "connector" else info.process_type
            if produced is not None and produced not in known_schemas() and site is not None:
                broken = default_schemas().why_unavailable(str(produced))
                self.scope.report(
                    "WCT030",
                    site.range,
                    f"this {kind} writes `{produced}`, a message schema no installed package "
                    "provides" + (f": {broken}" if broken else ""),
                )
            return produced
        if declared not in offered and info.output_schema is not None:
            self.scope.report(
                "WCT030",
                info.output_schema.range,
                f"this {kind} produces {', '.join(map(str, offered))}, not {declared}",
            )
        return declared

    def _child_output_schema(self, alias: Alias | None) -> SchemaRef | None:
        if alias is None or alias.child_artifact is None:
            return None
        link = self.scope.children.get(alias.artifact)
        if link is None or link.analysis is None:
            return None
        return link.analysis.schemas.get(alias.child_artifact)

    def _check_child_input_schemas(self, info: ArtifactInfo) -> None:
        link = self.scope.children.get(info.id)
        if link is None or link.analysis is None or link.analysis.header is None:
            return
        declared_inputs = link.analysis.header.inputs
        for key, reference in link.request.input_mapping:
            declared = declared_inputs.get(key.name)
            if declared is None or declared.schema is None:
                continue
            expected = resolve_schema(declared.schema)
            actual = self.schemas.get(reference.name)
            if expected is not None and actual is not None and expected != actual:
                self.scope.report(
                    "WCT030",
                    reference.range,
                    f"child input `{key.name}` expects {expected}, but `{reference.name}` "
                    f"produces {actual}",
                )


def unknown_schema_message(text: str) -> str:
    """Why `text` names no installed message schema: a plug-in that declares it but
    could not provide it, or no package at all (with the closest known names)."""
    broken = default_schemas().why_unavailable(text)
    if broken is not None:
        return f"message schema `{text}` is unavailable: {broken}"
    names = [str(ref) for ref in known_schemas()]
    return (
        f"unknown message schema `{text}`{did_you_mean(text, names)} (installed: "
        f"{', '.join(f'`{name}`' for name in names)}; a plug-in adds more through the "
        "`waivern.schemas` entry points)"
    )


def _key_range(info: ArtifactInfo, key: str) -> Range:
    entry = info.node.get(key) if isinstance(info.node, YamlMapping) else None
    return entry.key.range if entry is not None else info.key_range
