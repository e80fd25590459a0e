"""Runbook-wide checks over the artifacts analysed one by one: duplicate ids, child
runbooks and their mappings, references, cycles, schemas, environment variables and
unused artifacts. Cheap enough to run again after every edit."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from waivern_orchestration.artifact_check import (
    ArtifactInfo,
    ChildRequest,
    Production,
    Reference,
)
from waivern_orchestration.child_paths import locate_child
from waivern_orchestration.components import ComponentRegistry
from waivern_orchestration.cycles import find_cycle_edges, topological_order
from waivern_orchestration.diagnostics import Diagnostic, RelatedInformation
from waivern_orchestration.env_vars import expand
from waivern_orchestration.header_check import HeaderInfo
from waivern_orchestration.message_schemas import SchemaRef, resolve_schema
from waivern_orchestration.positions import Range
from waivern_orchestration.run_store import StoreLookup
from waivern_orchestration.suggestions import did_you_mean
from waivern_orchestration.yaml_tree import YamlMapping

if TYPE_CHECKING:
    from waivern_orchestration.analysis import Analysis

MAX_RELATED = 20


@dataclass(frozen=True, slots=True)
class Alias:
    """A parent-side name for a child runbook's output."""

    name: str
    artifact: str  # the parent artifact that has the `child_runbook`
    child_output: str
    child_artifact: str | None  # the child's artifact behind that output, when known
    range: Range


@dataclass(frozen=True)
class ChildLink:
    artifact: str
    request: ChildRequest
    path: Path | None
    analysis: Analysis | None


ChildAnalyser = Callable[[str, Path, tuple[Path, ...]], "Analysis"]


@dataclass
class RunbookContext:
    file: Path
    registry: ComponentRegistry
    env: Mapping[str, str]
    read_text: Callable[[Path], str | None]
    analyse_child: ChildAnalyser
    chain: tuple[Path, ...]  # real paths of this runbook and the parents that led here
    max_depth: int
    runs: StoreLookup | None = None  # the run store, for `reuse` (WCT060); None: unchecked


@dataclass
class RunbookFacts:
    artifacts: dict[str, ArtifactInfo]
    references: tuple[Reference, ...]
    dependencies: dict[str, tuple[str, ...]]
    schemas: dict[str, SchemaRef | None]
    aliases: dict[str, Alias]
    children: dict[str, ChildLink]
    diagnostics: list[Diagnostic] = field(default_factory=list)


def check_runbook(
    header: HeaderInfo, infos: Sequence[ArtifactInfo], context: RunbookContext
) -> RunbookFacts:
    return _RunbookCheck(header, infos, context).run()


class _RunbookCheck:
    def __init__(
        self, header: HeaderInfo, infos: Sequence[ArtifactInfo], context: RunbookContext
    ) -> None:
        self.header = header
        self.infos = infos
        self.context = context
        self.file = context.file
        self.diagnostics: list[Diagnostic] = []
        self.artifacts: dict[str, ArtifactInfo] = {}
        self.aliases: dict[str, Alias] = {}
        self.children: dict[str, ChildLink] = {}
        self.schemas: dict[str, SchemaRef | None] = {}
        self._suggestions: dict[str, str] = {}

    def report(
        self,
        code: str,
        range_: Range,
        message: str,
        related: tuple[RelatedInformation, ...] = (),
    ) -> None:
        self.diagnostics.append(Diagnostic.of(code, self.file, range_, message, related))

    def run(self) -> RunbookFacts:
        self._index_artifacts()
        self._check_sources_in_child_runbook()
        self._register_aliases()
        for info in self.artifacts.values():
            if info.child is not None:
                self.children[info.id] = self._link_child(info, info.child)
        references = self._check_references()
        dependencies = self._dependencies()
        order, unordered = topological_order(dependencies)
        cyclic: set[str] = set()
        if unordered:  # order again without the cycles, for the artifacts behind them
            cyclic = self._check_cycles(dependencies, unordered)
            order = topological_order(dependencies, skip=cyclic)[0]
        self._resolve_schemas(order, cyclic)
        self._check_environment()
        self._check_reuse()
        self._check_unused(references)
        return RunbookFacts(
            artifacts=self.artifacts,
            references=references,
            dependencies=dependencies,
            schemas=self.schemas,
            aliases=self.aliases,
            children=self.children,
            diagnostics=self.diagnostics,
        )

    # -- ids -----------------------------------------------------------------------------

    def _index_artifacts(self) -> None:
        key = self.header.artifacts_key
        if not self.infos and key is not None and self.header.artifacts_is_mapping:
            self.report("WCT002", key, "`artifacts` is empty: declare at least one artifact")
        for info in self.infos:
            first = self.artifacts.get(info.id)
            if first is None:
                self.artifacts[info.id] = info
                continue
            self.report(
                "WCT003",
                info.key_range,
                f"duplicate artifact id `{info.id}`: YAML would silently keep only the last "
                "one; rename one of them",
                (RelatedInformation(self.file, first.key_range, "first definition"),),
            )
        for name, declared in self.header.inputs.items():
            if name in self.artifacts:
                self.report(
                    "WCT003",
                    self.artifacts[name].key_range,
                    f"artifact id `{name}` is also a declared runbook input: rename one",
                    (RelatedInformation(self.file, declared.name.range, "declared input"),),
                )

    def _check_sources_in_child_runbook(self) -> None:
        if not self.header.inputs:
            return
        for info in self.artifacts.values():
            if info.production is Production.SOURCE and info.source_type is not None:
                self.report(
                    "WCT047",
                    info.source_type.range,
                    f"this runbook declares `inputs`, so it is a child runbook: artifact "
                    f"`{info.id}` must take its data from the declared inputs "
                    f"({_listing(self.header.inputs)}), not from a `source`",
                )

    # -- child runbooks ------------------------------------------------------------------

    def _register_aliases(self) -> None:
        for info in self.artifacts.values():
            request = info.child
            if request is None:
                continue
            if request.output is not None:
                self.aliases[info.id] = Alias(
                    info.id, info.id, request.output.name, None, info.key_range
                )
            for output, alias in request.output_mapping or ():
                clash = self.artifacts.get(alias.name) or self.aliases.get(alias.name)
                if clash is not None:
                    self.report(
                        "WCT003",
                        alias.range,
                        f"`{alias.name}` from `output_mapping` is already the name of an "
                        "artifact or another output: choose another name",
                    )
                    continue
                self.aliases[alias.name] = Alias(
                    alias.name, info.id, output.name, None, alias.range
                )

    def _link_child(self, info: ArtifactInfo, request: ChildRequest) -> ChildLink:
        if not request.path_allowed:
            return ChildLink(info.id, request, None, None)
        runbook_dir = self.file.parent
        env = self.context.env
        location = locate_child(
            expand(request.path, env),
            runbook_dir,
            [expand(path, env) for path in self.header.config.template_paths],
        )
        if location.path is None:
            assert location.code is not None and location.message is not None
            self.report(location.code, request.path_range, location.message)
            return ChildLink(info.id, request, None, None)
        real = location.path
        chain = self.context.chain
        if real in chain:
            loop = [*chain[chain.index(real) :], real]
            self.report(
                "WCT042",
                request.path_range,
                "circular child runbook reference: " + " → ".join(path.name for path in loop),
                tuple(
                    RelatedInformation(path, Range.of(0, 0, 0, 0), "in this chain")
                    for path in loop[:-1]
                ),
            )
            return ChildLink(info.id, request, real, None)
        if len(chain) > self.context.max_depth:
            self.report(
                "WCT048",
                request.path_range,
                f"child runbooks nest deeper than `config.max_child_depth` "
                f"({self.context.max_depth}): " + " → ".join(path.name for path in (*chain, real)),
            )
            return ChildLink(info.id, request, real, None)
        text = self.context.read_text(real)
        if text is None:
            self.report(
                "WCT041", request.path_range, f"child runbook `{request.path}` cannot be read"
            )
            return ChildLink(info.id, request, real, None)
        child = self.context.analyse_child(text, real, (*chain, real))
        self._surface_child_problems(request, child)
        if child.header is not None:  # an unreadable child declares nothing we could check
            self._check_child_mappings(info, request, child)
        return ChildLink(info.id, request, real, child)

    def _surface_child_problems(self, request: ChildRequest, child: Analysis) -> None:
        inner: list[Diagnostic] = []
        related = RelatedInformation
        for diagnostic in child.diagnostics:
            if diagnostic.code == "WCT050":
                # Running this runbook runs the child: its unset variables fail this run too.
                self.report(
                    "WCT050",
                    request.path_range,
                    f"child runbook `{request.path}`: {diagnostic.message}",
                    (related(diagnostic.file, diagnostic.range, diagnostic.message),),
                )
                continue
            if not diagnostic.is_error:
                continue
            if diagnostic.code in ("WCT042", "WCT048"):
                # The chain problem belongs to this runbook too: say it here, in its own code,
                # with the chain as the child saw it (not one "via" more per level).
                chain = diagnostic.message.partition(": ")[2] or diagnostic.message
                what = "a circular reference" if diagnostic.code == "WCT042" else "nesting"
                limit = (
                    ""
                    if diagnostic.code == "WCT042"
                    else f" deeper than `config.max_child_depth` ({self.context.max_depth})"
                )
                self.report(
                    diagnostic.code,
                    request.path_range,
                    f"child runbook `{request.path}` leads into {what}{limit}: {chain}",
                    (related(diagnostic.file, diagnostic.range, diagnostic.message),),
                )
                continue
            inner.append(diagnostic)
        if not inner:
            return
        first = inner[0]
        count = f"{len(inner)} errors" if len(inner) > 1 else "an error"
        self.report(
            "WCT046",
            request.path_range,
            f"child runbook `{request.path}` has {count}: "
            f"{first.file.name}:{first.range.start.line + 1}: {first.code} {first.message}",
            tuple(
                RelatedInformation(d.file, d.range, f"{d.code} {d.message}")
                for d in inner[:MAX_RELATED]
            ),
        )

    def _check_child_mappings(
        self, info: ArtifactInfo, request: ChildRequest, child: Analysis
    ) -> None:
        declared_inputs = child.header.inputs if child.header else {}
        declared_outputs = child.header.outputs if child.header else {}
        mapped: set[str] = set()
        for key, _reference in request.input_mapping:
            mapped.add(key.name)
            if key.name not in declared_inputs:
                self.report(
                    "WCT044",
                    key.range,
                    f"child runbook `{request.path}` declares no input `{key.name}`"
                    f"{did_you_mean(key.name, declared_inputs)} "
                    f"(declared: {_listing(declared_inputs) or 'none'})",
                )
        missing = [
            name
            for name, declared in declared_inputs.items()
            if not declared.optional and name not in mapped
        ]
        if missing:
            anchor = request.key_range
            child_node = (
                info.node.value_of("child_runbook") if isinstance(info.node, YamlMapping) else None
            )
            if isinstance(child_node, YamlMapping):
                mapping_entry = child_node.get("input_mapping")
                if mapping_entry is not None:
                    anchor = mapping_entry.key.range
            names = ", ".join(f"`{name}`" for name in missing)
            self.report(
                "WCT043",
                anchor,
                f"required input{'s' if len(missing) > 1 else ''} {names} of child runbook "
                f"`{request.path}` not mapped: add `{missing[0]}: <artifact>` to `input_mapping`",
            )
        outputs = [request.output] if request.output else []
        outputs += [output for output, _alias in request.output_mapping or ()]
        for output in outputs:
            if output.name not in declared_outputs:
                self.report(
                    "WCT045",
                    output.range,
                    f"child runbook `{request.path}` declares no output `{output.name}`"
                    f"{did_you_mean(output.name, declared_outputs)} "
                    f"(declared: {_listing(declared_outputs) or 'none'})",
                )
        for name, alias in list(self.aliases.items()):
            if alias.artifact != info.id:
                continue
            declared = declared_outputs.get(alias.child_output)
            if declared is not None and declared.artifact is not None:
                self.aliases[name] = Alias(
                    alias.name,
                    alias.artifact,
                    alias.child_output,
                    declared.artifact.name,
                    alias.range,
                )

    # -- references and cycles -----------------------------------------------------------

    def _check_references(self) -> tuple[Reference, ...]:
        references: list[Reference] = []
        known = set(self.artifacts) | set(self.header.inputs) | set(self.aliases)
        candidates = sorted(known)
        grouped = {
            info.id
            for info in self.artifacts.values()
            if info.child is not None
            and info.child.output is None
            and info.child.output_mapping is not None
        }
        for info in self.artifacts.values():
            sites = list(info.inputs)
            if info.child is not None:
                sites += [reference for _key, reference in info.child.input_mapping]
            for reference in sites:
                references.append(reference)
                self._check_reference(reference, known, candidates, grouped)
            if info.child is not None and info.production is Production.CHILD:
                self._check_mapped_inputs(info, info.child, known)
        for output in self.header.outputs.values():
            if output.artifact is not None:
                references.append(output.artifact)
                self._check_reference(output.artifact, known, candidates, grouped)
        return tuple(references)

    def _check_mapped_inputs(
        self, info: ArtifactInfo, request: ChildRequest, known: set[str]
    ) -> None:
        listed = {reference.name for reference in info.inputs}
        for _key, reference in request.input_mapping:
            if reference.name in known and reference.name not in listed:
                self.report(
                    "WCT049",
                    reference.range,
                    f"`{reference.name}` feeds the child runbook but is not in the `inputs` "
                    f"of `{info.id}`: add it there",
                )

    def _check_reference(
        self, reference: Reference, known: set[str], candidates: list[str], grouped: set[str]
    ) -> None:
        name = reference.name
        if name in grouped and name not in self.aliases:
            names = [alias for alias, value in self.aliases.items() if value.artifact == name]
            self.report(
                "WCT010",
                reference.range,
                f"artifact `{name}` offers its child runbook's outputs under the names "
                f"{', '.join(f'`{n}`' for n in names) or '(none)'}: reference one of those",
            )
            return
        if name in known:
            return
        where = "in `outputs`" if reference.field == "outputs" else f"in `{reference.field}`"
        suggestion = self._suggestions.get(name)
        if suggestion is None:  # a renamed artifact leaves many references to one name
            suggestion = self._suggestions[name] = did_you_mean(name, candidates)
        self.report("WCT010", reference.range, f"unknown artifact `{name}` {where}{suggestion}")

    def _producer(self, name: str) -> str | None:
        if name in self.artifacts:
            return name
        alias = self.aliases.get(name)
        return alias.artifact if alias else None

    def _dependencies(self) -> dict[str, tuple[str, ...]]:
        dependencies: dict[str, tuple[str, ...]] = {}
        for info in self.artifacts.values():
            names = [reference.name for reference in info.inputs]
            if info.child is not None:
                names += [reference.name for _key, reference in info.child.input_mapping]
            producers = (self._producer(name) for name in names)
            dependencies[info.id] = tuple(dict.fromkeys(p for p in producers if p is not None))
        return dependencies

    def _check_cycles(
        self, dependencies: dict[str, tuple[str, ...]], unordered: set[str]
    ) -> set[str]:
        cyclic: set[str] = set()
        for edge in find_cycle_edges(dependencies, unordered):
            cyclic.update(edge.component)
            if edge.cycle is not None and len(edge.cycle) - 1 == edge.cycle_length:
                message = "dependency cycle: " + " → ".join(edge.cycle)
            elif edge.cycle is not None:
                shown = " → ".join(edge.cycle[:-1])
                message = (
                    f"dependency cycle of {edge.cycle_length} artifacts: {shown} → … → "
                    f"{edge.cycle[-1]}"
                )
            else:
                shown = ", ".join(edge.component[:10])
                more = "…" if len(edge.component) > 10 else ""
                message = (
                    f"dependency cycle among {len(edge.component)} artifacts ({shown}{more}): "
                    f"`{edge.target}` takes `{edge.source}` as input"
                )
            target = self.artifacts[edge.target]
            sites = list(target.inputs)
            if target.child is not None:
                sites += [reference for _key, reference in target.child.input_mapping]
            for reference in sites:
                if self._producer(reference.name) == edge.source:
                    self.report("WCT011", reference.range, message)
        return cyclic

    # -- schemas -------------------------------------------------------------------------

    def _resolve_schemas(self, order: list[str], cyclic: set[str]) -> None:
        """``order`` puts every artifact off the cycles after its inputs."""
        for name, declared in self.header.inputs.items():
            self.schemas[name] = resolve_schema(declared.schema) if declared.schema else None
        for artifact in order:
            info = self.artifacts[artifact]
            self.schemas[artifact] = self._schema_of(info)
        for name, alias in self.aliases.items():
            if name not in self.schemas:
                self.schemas[name] = self._child_output_schema(alias)
        for artifact in cyclic:
            self.schemas.setdefault(artifact, None)

    def _declared_schema(self, info: ArtifactInfo) -> SchemaRef | None:
        return resolve_schema(info.output_schema.name) if info.output_schema else None

    def _schema_of(self, info: ArtifactInfo) -> SchemaRef | None:
        declared = self._declared_schema(info)
        registry = self.context.registry
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
            for name, renamed in self.aliases.items():
                if renamed.artifact == info.id and name != info.id:
                    self.schemas[name] = self._child_output_schema(renamed)
            return self._child_output_schema(self.aliases.get(info.id))
        if info.production is not Production.DERIVED:
            return declared
        input_schemas = [self.schemas.get(reference.name) for reference in info.inputs]
        if info.process_type is not None:
            processor = registry.processors.get(info.process_type.name)
            if processor is None:
                return declared
            if input_schemas and all(schema is not None for schema in input_schemas):
                given = frozenset(schema for schema in input_schemas if schema is not None)
                if given not in processor.input_combinations:
                    accepted = " or ".join(
                        "{" + ", ".join(sorted(map(str, combo))) + "}"
                        for combo in processor.input_combinations
                    )
                    self.report(
                        "WCT030",
                        _key_range(info, "inputs"),
                        f"processor `{processor.name}` accepts inputs with schemas {accepted}, "
                        f"but the inputs of `{info.id}` give "
                        "{" + ", ".join(sorted(map(str, given))) + "}",
                    )
            return self._choose(info, declared, processor.output_schemas, "processor")
        known = {schema for schema in input_schemas if schema is not None}
        if len(known) > 1:
            self.report(
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
                self.report(
                    "WCT030",
                    info.output_schema.range if info.output_schema else info.key_range,
                    f"`output_schema` says {declared}, but the inputs give {passed}",
                )
            return passed
        return declared

    def _choose(
        self,
        info: ArtifactInfo,
        declared: SchemaRef | None,
        offered: tuple[SchemaRef, ...],
        kind: str,
    ) -> SchemaRef | None:
        if declared is None:
            return offered[0] if offered else None
        if declared not in offered and info.output_schema is not None:
            self.report(
                "WCT030",
                info.output_schema.range,
                f"this {kind} produces {', '.join(map(str, offered))}, not {declared}",
            )
        return declared

    def _child_output_schema(self, alias: Alias | None) -> SchemaRef | None:
        if alias is None or alias.child_artifact is None:
            return None
        link = self.children.get(alias.artifact)
        if link is None or link.analysis is None:
            return None
        return link.analysis.schemas.get(alias.child_artifact)

    def _check_child_input_schemas(self, info: ArtifactInfo) -> None:
        link = self.children.get(info.id)
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
                self.report(
                    "WCT030",
                    reference.range,
                    f"child input `{key.name}` expects {expected}, but `{reference.name}` "
                    f"produces {actual}",
                )

    # -- environment and use -------------------------------------------------------------

    def _check_environment(self) -> None:
        env = self.context.env
        sites = [*self.header.env_sites]
        for info in self.artifacts.values():
            sites.extend(info.env_sites)
        for site in sites:
            if site.default is None and site.name not in env:
                self.report(
                    "WCT050",
                    site.range,
                    f"environment variable `{site.name}` is not set and has no default "
                    f"(write `${{{site.name}:-value}}`); running this runbook will fail",
                )

    def _check_reuse(self) -> None:
        runs = self.context.runs
        if runs is None:
            return
        for info in self.artifacts.values():
            if info.reuse is None:
                continue
            run, artifact = info.reuse
            if not run.name or not artifact.name:
                continue  # an empty value is a structure problem (WCT002), said already
            produced = runs.run_artifacts(run.name)
            if produced is None:
                where = "the run store" if runs.available() else "the run store (none yet)"
                self.report(
                    "WCT060",
                    run.range,
                    f"run `{run.name}` is not in {where} at {runs.directory}: check the id "
                    "with `wct runs` (a run from another store will fail here)",
                )
            elif artifact.name not in produced:
                self.report(
                    "WCT060",
                    artifact.range,
                    f"run `{run.name}` has no stored output for `{artifact.name}`"
                    f"{did_you_mean(artifact.name, produced)}",
                )

    def _check_unused(self, references: tuple[Reference, ...]) -> None:
        if any(info.broken for info in self.artifacts.values()):
            return  # what the unreadable artifact uses is unknown: no guesses
        used = {self._producer(reference.name) for reference in references}
        for info in self.artifacts.values():
            if info.output or info.broken or info.id in used:
                continue
            self.report(
                "WCT090",
                info.key_range,
                f"artifact `{info.id}` is neither `output: true` nor used by another "
                "artifact: mark it as an output or remove it",
            )


def _listing(names: Mapping[str, object]) -> str:
    return ", ".join(f"`{name}`" for name in names)


def _key_range(info: ArtifactInfo, key: str) -> Range:
    entry = info.node.get(key) if isinstance(info.node, YamlMapping) else None
    return entry.key.range if entry is not None else info.key_range
