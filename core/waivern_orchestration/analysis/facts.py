"""Every result type of the analysis: what `analyse` learns about a runbook.

`Analysis` holds it all for one text: the diagnostics, the header (`HeaderInfo`), each
artifact as analysed on its own (`ArtifactInfo`), the places that name artifacts
(`Reference`, `NamedSite`, `EnvSite`), the child runbooks (`ChildLink`, `Alias`) and the
DAG. The analyser's own state for the next analysis of the same file (block layout,
child cache, ...) sits apart, in `Analysis.engine`.

The checks compute these; the planner, the CLI and the language server read them.
Nothing here imports a check.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from waivern_orchestration.diagnostics import Diagnostic, Remade, Severity
from waivern_orchestration.message_schemas import SchemaRef
from waivern_orchestration.models import (
    ANALYSED,
    ArtifactDefinition,
    Runbook,
    RunbookConfig,
    RunbookHeader,
)
from waivern_orchestration.parse.positions import Range
from waivern_orchestration.parse.yaml_tree import (
    YamlEntry,
    YamlMapping,
    YamlNode,
    YamlScalar,
    to_python,
)

if TYPE_CHECKING:
    from waivern_orchestration.analysis.check_state import CheckState
    from waivern_orchestration.components import ComponentRegistry
    from waivern_orchestration.parse.incremental import ArtifactLayout


_T = TypeVar("_T")


def moved(value: _T, lines: int) -> _T:
    """``value`` moved down by ``lines``: anything with positions (a range, a site, a
    diagnostic), a tuple of such values at any depth, or None."""
    if not lines or value is None:
        return value
    mover = getattr(value, "shifted", None)
    if mover is not None:
        result: _T = mover(lines)
        return result
    if isinstance(value, tuple):
        return tuple([moved(item, lines) for item in value])  # type: ignore[return-value]
    return value


class Production(StrEnum):
    SOURCE = "source"
    DERIVED = "derived"
    REUSE = "reuse"
    CHILD = "child_runbook"


@dataclass(frozen=True, slots=True)
class EnvSite:
    """A `${VAR}` or `${VAR:-default}` in a string value, with its range."""

    name: str
    default: str | None
    range: Range

    def shifted(self, lines: int) -> EnvSite:
        return EnvSite(self.name, self.default, self.range.shifted(lines)) if lines else self


@dataclass(frozen=True, slots=True)
class Reference:
    """A place that names an artifact (or a runbook input, or a child output alias)."""

    name: str
    range: Range
    artifact: str | None  # the artifact holding it; None for the runbook's `outputs`
    field: Literal["inputs", "input_mapping", "outputs"]

    def shifted(self, lines: int) -> Reference:
        if not lines:
            return self
        return Reference(self.name, self.range.shifted(lines), self.artifact, self.field)


@dataclass(frozen=True, slots=True)
class NamedSite:
    """A name and where it stands, e.g. an `input_mapping` key or an `output` value."""

    name: str
    range: Range

    def shifted(self, lines: int) -> NamedSite:
        return NamedSite(self.name, self.range.shifted(lines)) if lines else self


@dataclass(frozen=True, slots=True)
class ChildRequest:
    """What the artifact's `child_runbook` asks for, with positions."""

    path: str
    path_range: Range
    path_allowed: bool  # False when WCT040 was already reported on the syntax
    input_mapping: tuple[tuple[NamedSite, Reference], ...]
    output: NamedSite | None
    output_mapping: tuple[tuple[NamedSite, NamedSite], ...] | None
    key_range: Range  # the `child_runbook` key

    def shifted(self, lines: int) -> ChildRequest:
        if not lines:
            return self
        return replace(
            self,
            **{
                name: moved(getattr(self, name), lines)
                for name in ("path_range", "input_mapping", "output", "output_mapping", "key_range")
            },
        )


# The roles of ArtifactInfo's fields. Declaring a field with its role is all it takes:
# moving (`shifted`), outlines and comparison follow from the roles.
_OUTLINE = {"outline": True, "positioned": True}  # read by the runbook-wide checks
_OUTLINE_FLAG = {"outline": True}  # ... and holds no position
_OWN = {"own": True, "positioned": True}  # seen only by the artifact's own checks
_OWN_FLAG = {"own": True}


@dataclass(frozen=True, eq=False)
class ArtifactInfo:
    """One artifact as analysed on its own (from its block of text alone).

    Its YAML tree is shifted lazily: when an edit above it adds or removes lines, only
    the few ranges the runbook-wide checks read are moved at once; the tree follows when
    someone asks for it (`node`)."""

    id: str = field(metadata=_OUTLINE_FLAG)
    key_range: Range = field(metadata=_OUTLINE)
    tree: YamlNode  # as parsed; `node` is this tree moved by `tree_shift` lines
    valid: bool = field(default=False, metadata=_OWN_FLAG)  # passes the model
    production: Production | None = field(default=None, metadata=_OUTLINE_FLAG)
    inputs: tuple[Reference, ...] = field(default=(), metadata=_OUTLINE)
    source_type: NamedSite | None = field(default=None, metadata=_OUTLINE)
    process_type: NamedSite | None = field(default=None, metadata=_OUTLINE)
    output_schema: NamedSite | None = field(default=None, metadata=_OUTLINE)
    output: bool = field(default=False, metadata=_OUTLINE_FLAG)
    child: ChildRequest | None = field(default=None, metadata=_OUTLINE)
    env_sites: tuple[EnvSite, ...] = field(default=(), metadata=_OUTLINE)
    diagnostics: tuple[Diagnostic, ...] = field(default=(), metadata=_OWN)
    description: str | None = field(default=None, metadata=_OWN_FLAG)
    broken: bool = field(default=False, metadata=_OUTLINE_FLAG)  # only its id is known
    # (from_run, artifact) as written
    reuse: tuple[NamedSite, NamedSite] | None = field(default=None, metadata=_OUTLINE)
    tree_shift: int = 0
    _shifted_tree: YamlNode | None = field(default=None, init=False, repr=False)
    _definition: ArtifactDefinition | None = field(default=None, init=False, repr=False)

    @property
    def definition(self) -> ArtifactDefinition | None:
        """The validated model, made when asked for (planning): most analyses (every
        keystroke) never need it, and each would be a dozen more objects per artifact."""
        if not self.valid:
            return None
        if self._definition is None:
            made = ArtifactDefinition.model_validate(to_python(self.node), context=ANALYSED)
            object.__setattr__(self, "_definition", made)
        return self._definition

    @property
    def node(self) -> YamlNode:
        """The artifact's value in the YAML tree, at its current position."""
        if not self.tree_shift:
            return self.tree
        if self._shifted_tree is None:
            object.__setattr__(self, "_shifted_tree", self.tree.shifted(self.tree_shift))
        assert self._shifted_tree is not None
        return self._shifted_tree

    @property
    def range(self) -> Range:
        return Range(self.key_range.start, self.tree.range.end.shifted(self.tree_shift))

    def references(self) -> Iterator[Reference]:
        """Every place the artifact names another: `inputs`, `input_mapping` values."""
        yield from self.inputs
        if self.child is not None:
            for _key, reference in self.child.input_mapping:
                yield reference

    def outline(self) -> tuple[object, ...]:
        """Everything the runbook-wide checks read of this artifact, positions included:
        while the outlines are unchanged, so are those checks' results."""
        node = self.node
        keys = tuple(
            entry.key.range if entry is not None else None
            for entry in (
                node.get("inputs") if isinstance(node, YamlMapping) else None,
                _child_entry(node, "input_mapping"),
            )
        )
        return (*(getattr(self, name) for name in _OUTLINE_FIELDS), keys)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ArtifactInfo):
            return NotImplemented
        return self._compared() == other._compared()

    __hash__ = None  # type: ignore[assignment]

    def _compared(self) -> tuple[object, ...]:
        # The outline, plus what only this artifact's own checks see.
        return (self.outline(), self.node, *(getattr(self, name) for name in _OWN_FIELDS))

    @classmethod
    def unparsable(cls, artifact_id: str, key_range: Range, problem: Diagnostic) -> ArtifactInfo:
        """An artifact whose block has a syntax error: its id still counts as known."""
        return cls(
            id=artifact_id,
            key_range=key_range,
            tree=YamlScalar(None, key_range),
            diagnostics=(problem,),
            broken=True,
        )

    def shifted(self, lines: int) -> ArtifactInfo:
        if not lines:
            return self
        # A copy of the fields, not `dataclasses.replace` (which runs `__init__`): an edit
        # above the middle of a large runbook moves thousands of artifacts.
        state = dict(self.__dict__)
        for name in _POSITIONED_FIELDS:
            state[name] = moved(state[name], lines)
        state["tree_shift"] = self.tree_shift + lines
        state["_shifted_tree"] = None
        state["_definition"] = None
        copy = object.__new__(ArtifactInfo)
        copy.__dict__.update(state)
        return copy


def _fields_with(role: str) -> tuple[str, ...]:
    return tuple(item.name for item in fields(ArtifactInfo) if item.metadata.get(role))


_OUTLINE_FIELDS = _fields_with("outline")
_OWN_FIELDS = _fields_with("own")
_POSITIONED_FIELDS = _fields_with("positioned")


def _child_entry(node: YamlNode, key: str) -> YamlEntry | None:
    child = node.value_of("child_runbook") if isinstance(node, YamlMapping) else None
    return child.get(key) if isinstance(child, YamlMapping) else None


@dataclass(frozen=True, slots=True)
class DeclaredInput:
    """An input a runbook meant as a child declares."""

    name: NamedSite
    schema: str | None
    optional: bool
    sensitive: bool
    description: str | None


@dataclass(frozen=True, slots=True)
class DeclaredOutput:
    """An output a runbook meant as a child declares."""

    name: NamedSite
    artifact: Reference | None
    description: str | None


@dataclass(frozen=True)
class HeaderInfo:
    """Everything in a runbook but its artifacts."""

    header: RunbookHeader | None
    inputs: dict[str, DeclaredInput]
    outputs: dict[str, DeclaredOutput]
    config: RunbookConfig
    artifacts_key: Range | None
    artifacts_is_mapping: bool  # (an empty one is reported with the artifacts)
    env_sites: tuple[EnvSite, ...]
    diagnostics: tuple[Diagnostic, ...]

    @property
    def required_inputs(self) -> list[DeclaredInput]:
        """The inputs only a parent runbook can give (not optional): a runbook that has
        some is a child, never run on its own."""
        return [declared for declared in self.inputs.values() if not declared.optional]


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
    """An artifact's `child_runbook`: where it was found and what its analysis says."""

    artifact: str
    request: ChildRequest
    path: Path | None  # real path; None when not found (or not allowed)
    analysis: Analysis | None


class ChainKind(StrEnum):
    CIRCULAR = "WCT042"  # a child runbook leads back to one of its parents
    TOO_DEEP = "WCT048"  # child runbooks nest deeper than `config.max_child_depth`


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """A problem with a chain of child runbooks, reported (`diagnostic`) on a
    `child_runbook` path; every runbook above says it again with the same chain."""

    kind: ChainKind
    chain: str  # the runbook files, as `a.yaml → b.yaml → a.yaml`
    diagnostic: Diagnostic


# (real path, text, chain, depth limit, the root runbook's template directories)
ChildKey = tuple[Path, str, tuple[Path, ...], int, tuple[Path, ...]]


@dataclass(frozen=True, eq=False)
class EngineState:
    """What the analyser keeps for the next analysis of the same file: not results."""

    layout: ArtifactLayout | None = None  # where the artifact blocks start (None: no reuse)
    child_cache: dict[ChildKey, Analysis] = field(default_factory=dict)
    # How many artifact blocks were parsed again (None: the whole text was parsed).
    reparsed_blocks: int | None = None
    # The diagnostics of the runbook-wide checks (a subset of `diagnostics`).
    runbook_diagnostics: tuple[Diagnostic, ...] = ()
    # Every diagnostic, sorted, before `capped` (None: they are not all of one file).
    sorted_diagnostics: tuple[Diagnostic, ...] | None = None
    # What the result depends on besides the text: the variables it read and the
    # components it knew (a cached child analysis is reused only while they are the same).
    env_used: dict[str, str | None] = field(default_factory=dict)
    env_seen: Mapping[str, str] | None = None  # all the variables it could read
    remade: Remade | None = None  # summaries and suggestions, for the next analysis
    registry: ComponentRegistry | None = None
    # What the runbook-wide checks built over the whole runbook (`recheck`).
    checks: CheckState | None = None


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything known about one runbook text."""

    path: Path
    text: str
    diagnostics: tuple[Diagnostic, ...]
    header: HeaderInfo | None
    artifact_list: tuple[ArtifactInfo, ...]
    artifacts: dict[str, ArtifactInfo]
    references: tuple[Reference, ...]
    dependencies: dict[str, tuple[str, ...]]
    schemas: dict[str, SchemaRef | None]
    aliases: dict[str, Alias]
    children: dict[str, ChildLink]
    env_sites: tuple[EnvSite, ...]
    chain_problems: tuple[ChainProblem, ...] = ()
    engine: EngineState = field(default_factory=EngineState, repr=False)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)

    @cached_property
    def dependents(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {name: [] for name in self.dependencies}
        for artifact, inputs in self.dependencies.items():
            for producer in inputs:
                found.setdefault(producer, []).append(artifact)
        return {name: tuple(users) for name, users in found.items()}

    @cached_property
    def runbook(self) -> Runbook | None:
        """The validated model, when the runbook has no errors."""
        if self.has_errors or self.header is None or self.header.header is None:
            return None
        definitions = {}
        for info in self.artifact_list:
            if info.definition is None:
                return None
            definitions[info.id] = info.definition
        return Runbook.model_construct(**dict(self.header.header), artifacts=definitions)

    def child_at(self, real: Path) -> Analysis | None:
        """The analysis of a child runbook file (a real path) used at any depth below."""
        for link in self.children.values():
            if link.analysis is None:
                continue
            if link.path == real:
                return link.analysis
            found = link.analysis.child_at(real)
            if found is not None:
                return found
        return None


@dataclass
class RunbookFacts:
    """What the runbook-wide checks learn (the rest of an `Analysis`)."""

    artifacts: dict[str, ArtifactInfo]
    references: tuple[Reference, ...]
    dependencies: dict[str, tuple[str, ...]]
    schemas: dict[str, SchemaRef | None]
    aliases: dict[str, Alias]
    children: dict[str, ChildLink]
    chain_problems: tuple[ChainProblem, ...]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    state: CheckState | None = None
