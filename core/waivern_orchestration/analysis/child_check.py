"""Child runbooks, from both sides.

As a parent: the names its `child_runbook` artifacts give the child's outputs (aliases,
WCT003 on a clash), finding each child (WCT040, WCT041), chains of child runbooks that
loop (WCT042) or nest too deep (WCT048), the child's own problems (WCT046, and its unset
variables as WCT050), and the mappings against what the child declares (WCT043-045).
As a child (a runbook that declares `inputs`): its data comes from those inputs, never
from a `source` (WCT047).
"""

from __future__ import annotations

from waivern_orchestration.analysis.child_paths import locate_child
from waivern_orchestration.analysis.env_vars import expand
from waivern_orchestration.analysis.facts import (
    Alias,
    Analysis,
    ArtifactInfo,
    ChainKind,
    ChainProblem,
    ChildLink,
    ChildRequest,
    Production,
)
from waivern_orchestration.analysis.scope import RunbookScope, listing
from waivern_orchestration.analysis.suggestions import did_you_mean
from waivern_orchestration.diagnostics import Diagnostic, RelatedInformation, Reporter
from waivern_orchestration.parse.positions import Range
from waivern_orchestration.parse.yaml_tree import YamlMapping
from waivern_orchestration.redaction import Redactor, referenced

MAX_RELATED = 20


def check_sources_of_child(scope: RunbookScope) -> None:
    """WCT047: a runbook that declares `inputs` is a child and takes no `source`."""
    if not scope.header.inputs:
        return
    for info in scope.artifacts.values():
        check_source_of_child(scope, info)


def check_source_of_child(scope: RunbookScope, info: ArtifactInfo) -> None:
    inputs = scope.header.inputs
    if inputs and info.production is Production.SOURCE and info.source_type is not None:
        scope.report(
            "WCT047",
            info.source_type.range,
            f"this runbook declares `inputs`, so it is a child runbook: artifact "
            f"`{info.id}` must take its data from the declared inputs "
            f"({listing(inputs)}), not from a `source`",
        )


def register_aliases(scope: RunbookScope) -> dict[str, Alias]:
    """The names the runbook gives its child runbooks' outputs (`output` keeps the
    artifact's own id, `output_mapping` gives new ones)."""
    aliases: dict[str, Alias] = {}
    for info in scope.artifacts.values():
        request = info.child
        if request is None:
            continue
        if request.output is not None:
            aliases[info.id] = Alias(info.id, info.id, request.output.name, None, info.key_range)
        for output, alias in request.output_mapping or ():
            clash = scope.artifacts.get(alias.name) or aliases.get(alias.name)
            if clash is not None:
                scope.report(
                    "WCT003",
                    alias.range,
                    f"`{alias.name}` from `output_mapping` is already the name of an "
                    "artifact or another output: choose another name",
                )
                continue
            aliases[alias.name] = Alias(alias.name, info.id, output.name, None, alias.range)
    return aliases


def link_children(scope: RunbookScope) -> tuple[dict[str, ChildLink], tuple[ChainProblem, ...]]:
    """Find and analyse every child runbook; what went wrong with chains of them."""
    linker = _ChildLinker(scope)
    children = {
        info.id: linker.link(info, info.child)
        for info in scope.artifacts.values()
        if info.child is not None
    }
    return children, tuple(linker.chain_problems)


def with_child_artifacts(
    aliases: dict[str, Alias], children: dict[str, ChildLink]
) -> dict[str, Alias]:
    """The aliases, each with the child's artifact behind its output where known."""
    resolved = dict(aliases)
    for name, alias in aliases.items():
        link = children.get(alias.artifact)
        child = link.analysis if link is not None else None
        if child is None or child.header is None:
            continue
        declared = child.header.outputs.get(alias.child_output)
        if declared is not None and declared.artifact is not None:
            resolved[name] = Alias(
                alias.name, alias.artifact, alias.child_output, declared.artifact.name, alias.range
            )
    return resolved


class _ChildLinker:
    def __init__(self, scope: RunbookScope) -> None:
        self.scope = scope
        self.context = scope.context
        self.report: Reporter = scope.report
        self.chain_problems: list[ChainProblem] = []
        # Variables in a child path (or `config.template_paths`) lead to files whose names
        # hold their values: what is said of those files never shows the value of a secret
        # one (`${NAME}` in its place).
        template_paths = self.scope.header.config.template_paths
        self.template_variables = [name for path in template_paths for name in referenced(path)]
        self.redact = Redactor.of(self.context.env, self.template_variables)

    def link(self, info: ArtifactInfo, request: ChildRequest) -> ChildLink:
        if not request.path_allowed:
            return ChildLink(info.id, request, None, None)
        env = self.context.env
        self.redact = Redactor.of(env, [*referenced(request.path), *self.template_variables])
        location = locate_child(
            expand(request.path, env),
            self.scope.file.parent,
            [expand(path, env) for path in self.scope.header.config.template_paths],
            self.context.root_templates,
        )
        if location.path is None:
            assert location.code is not None and location.message is not None
            self.report(location.code, request.path_range, self.redact(location.message))
            return ChildLink(info.id, request, None, None)
        real = location.path
        chain = self.context.chain
        if real in chain:
            loop = [*chain[chain.index(real) :], real]
            self._chain_problem(
                ChainKind.CIRCULAR,
                " → ".join(path.name for path in loop),
                request.path_range,
                "circular child runbook reference: ",
                tuple(
                    RelatedInformation(path, Range.of(0, 0, 0, 0), "in this chain")
                    for path in loop[:-1]
                ),
            )
            return ChildLink(info.id, request, real, None)
        if len(chain) > self.context.max_depth:
            self._chain_problem(
                ChainKind.TOO_DEEP,
                " → ".join(path.name for path in (*chain, real)),
                request.path_range,
                f"child runbooks nest deeper than `config.max_child_depth` "
                f"({self.context.max_depth}): ",
            )
            return ChildLink(info.id, request, real, None)
        text = self.context.read_text(real)
        if text is None:
            self.report(
                "WCT041", request.path_range, f"child runbook `{request.path}` cannot be read"
            )
            return ChildLink(info.id, request, real, None)
        child = self.context.analyse_child(text, real, (*chain, real))
        self._surface_problems(request, child)
        if child.header is not None:  # an unreadable child declares nothing we could check
            self._check_mappings(info, request, child)
        return ChildLink(info.id, request, real, child)

    def _chain_problem(
        self,
        kind: ChainKind,
        chain: str,
        range_: Range,
        lead: str,
        related: tuple[RelatedInformation, ...] = (),
    ) -> None:
        # The chain names files found with the variables' values: as this runbook
        # writes them, each runbook above says it again with its own variables redacted.
        chain = self.redact(chain)
        self.report(kind.value, range_, self.redact(lead) + chain, self.redact.related(related))
        self.chain_problems.append(ChainProblem(kind, chain, self.report.diagnostics[-1]))

    def _surface_problems(self, request: ChildRequest, child: Analysis) -> None:
        related = RelatedInformation
        # The chain problem belongs to this runbook too: say it here, in its own code,
        # with the chain as the child saw it (not one "via" more per level).
        for problem in sorted(child.chain_problems, key=lambda p: p.diagnostic.sort_key()):
            what = "a circular reference" if problem.kind is ChainKind.CIRCULAR else "nesting"
            limit = (
                ""
                if problem.kind is ChainKind.CIRCULAR
                else f" deeper than `config.max_child_depth` ({self.context.max_depth})"
            )
            inner = problem.diagnostic
            self._chain_problem(
                problem.kind,
                problem.chain,
                request.path_range,
                f"child runbook `{request.path}` leads into {what}{limit}: ",
                (related(inner.file, inner.range, inner.message),),
            )
        inner_errors: list[Diagnostic] = []
        chain_codes = {kind.value for kind in ChainKind}
        for diagnostic in child.diagnostics:
            if diagnostic.code == "WCT050":
                # Running this runbook runs the child: its unset variables fail this run too.
                self.report(
                    "WCT050",
                    request.path_range,
                    f"child runbook `{request.path}`: {diagnostic.message}",
                    (related(diagnostic.file, diagnostic.range, diagnostic.message),),
                )
            elif diagnostic.is_error and diagnostic.code not in chain_codes:
                inner_errors.append(diagnostic)
        if not inner_errors:
            return
        first = inner_errors[0]
        count = f"{len(inner_errors)} errors" if len(inner_errors) > 1 else "an error"
        self.report(
            "WCT046",
            request.path_range,
            self.redact(
                f"child runbook `{request.path}` has {count}: "
                f"{first.file.name}:{first.range.start.line + 1}: {first.code} {first.message}"
            ),
            self.redact.related(
                RelatedInformation(d.file, d.range, f"{d.code} {d.message}")
                for d in inner_errors[:MAX_RELATED]
            ),
        )

    def _check_mappings(self, info: ArtifactInfo, request: ChildRequest, child: Analysis) -> None:
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
                    f"(declared: {listing(declared_inputs) or 'none'})",
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
                    f"(declared: {listing(declared_outputs) or 'none'})",
                )
