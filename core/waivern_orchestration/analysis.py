"""`analyse`: a runbook's text → every problem (positioned diagnostics) plus what was
learned (artifact index with ranges, reference sites, DAG, schemas, child links,
environment sites).

Never raises on any input. Given the previous analysis of the same file, it re-parses
only the artifact blocks an edit touched and runs the cheap runbook-wide checks again;
the result is identical to a fresh analysis of the same text.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from waivern_orchestration.artifact_check import (
    ArtifactContext,
    ArtifactInfo,
    Reference,
    check_artifact,
)
from waivern_orchestration.child_paths import real_path
from waivern_orchestration.components import ComponentRegistry
from waivern_orchestration.components.registry import default_registry
from waivern_orchestration.diagnostics import Diagnostic, Severity
from waivern_orchestration.env_vars import EnvSite
from waivern_orchestration.header_check import HeaderInfo, check_header
from waivern_orchestration.incremental import ArtifactLayout, Reparsed, layout_of, reparse
from waivern_orchestration.message_schemas import SchemaRef
from waivern_orchestration.models import Runbook
from waivern_orchestration.positions import Range, split_lines
from waivern_orchestration.recovery import recover
from waivern_orchestration.run_store import StoreLookup
from waivern_orchestration.runbook_check import (
    Alias,
    ChildLink,
    RunbookContext,
    RunbookFacts,
    check_runbook,
)
from waivern_orchestration.yaml_tree import (
    DEFAULT_LIMITS,
    ParseLimits,
    YamlMapping,
    YamlScalar,
    parse_yaml,
)

ReadText = Callable[[Path], "str | None"]


def read_from_disk(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


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
    layout: ArtifactLayout | None = field(default=None, repr=False)
    child_cache: dict[tuple[Path, str, tuple[Path, ...], int], Analysis] = field(
        default_factory=dict, repr=False
    )
    # How many artifact blocks were parsed again (None: the whole text was parsed).
    reparsed_blocks: int | None = field(default=None, repr=False)
    # The diagnostics of the runbook-wide checks (a subset of `diagnostics`).
    runbook_diagnostics: tuple[Diagnostic, ...] = field(default=(), repr=False)
    # What the result depends on besides the text: the variables it read and the
    # components it knew (a cached child analysis is reused only while they are the same).
    env_used: dict[str, str | None] = field(default_factory=dict, repr=False)
    registry: ComponentRegistry | None = field(default=None, repr=False)

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


def analyse(
    text: str,
    path: Path | str,
    *,
    previous: Analysis | None = None,
    registry: ComponentRegistry | None = None,
    env: Mapping[str, str] | None = None,
    read_text: ReadText | None = None,
    limits: ParseLimits = DEFAULT_LIMITS,
    runs: StoreLookup | None = None,
) -> Analysis:
    """Analyse one runbook. ``previous`` (an analysis of an earlier text of the same file)
    makes re-analysis proportional to what changed."""
    with _collector_paused():
        return _analyse(text, Path(path), previous, registry, env, read_text, limits, runs)


_pause_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Analysis allocates hundreds of thousands of small objects that the cyclic garbage
    collector would scan over and over while they are built, freeing nothing (reference
    counting frees them). Paused while any analysis runs (analyses may overlap in a
    server's threads).

    Afterwards the new objects would all sit in the youngest generation, and the first
    collection would scan every one of them at once. They are moved to the oldest
    generation instead (`freeze` then `unfreeze`, which scans nothing): cyclic garbage among
    them is still found, by the next full collection. A process that uses the permanent
    generation itself (`gc.freeze` before forking) is left alone."""
    global _pauses, _was_enabled
    with _pause_lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                if gc.get_freeze_count() == 0:
                    gc.freeze()
                    gc.unfreeze()
                gc.enable()


def _analyse(
    text: str,
    file: Path,
    previous: Analysis | None,
    registry: ComponentRegistry | None,
    env: Mapping[str, str] | None,
    read_text: ReadText | None,
    limits: ParseLimits,
    runs: StoreLookup | None,
) -> Analysis:
    runner = _Analyser(
        registry or default_registry(),
        dict(os.environ) if env is None else env,
        read_text or read_from_disk,
        limits,
        previous.child_cache if previous is not None and previous.path == file else {},
        runs,
    )
    usable = previous if previous is not None and previous.path == file else None
    return runner.analyse(text, file, (real_path(file),), usable)


class _Analyser:
    def __init__(
        self,
        registry: ComponentRegistry,
        env: Mapping[str, str],
        read_text: ReadText,
        limits: ParseLimits,
        child_cache: dict[tuple[Path, str, tuple[Path, ...], int], Analysis],
        runs: StoreLookup | None,
    ) -> None:
        self.runs = runs
        self.registry = registry
        self.env = env
        self.read_text = read_text
        self.limits = limits
        self.old_child_cache = child_cache
        self.child_cache: dict[tuple[Path, str, tuple[Path, ...], int], Analysis] = {}
        self.max_depth: int | None = None

    def analyse(
        self, text: str, file: Path, chain: tuple[Path, ...], previous: Analysis | None
    ) -> Analysis:
        reused = (
            reparse(previous, text, self._artifact_context(file, text), self.limits)
            if previous
            else None
        )
        reparsed: int | None = None
        layout: ArtifactLayout | None
        unchanged: Analysis | None = None  # a previous result the runbook checks still hold
        if reused is not None:
            header_root, infos, layout = reused.root, reused.infos, reused.layout
            reparsed = len(reused.fresh)
            if previous is not None and self._outline_unchanged(previous, reused):
                unchanged = previous
        else:
            parsed = parse_yaml(text, self.limits)
            if parsed.problem is not None:
                recovered = (
                    recover(text, self._artifact_context(file, text), self.limits)
                    if parsed.problem.syntax
                    else None
                )
                if recovered is None:
                    problem = parsed.problem
                    return self._unparsable(file, text, problem.range, problem.message)
                return self._finish(
                    file, text, chain, recovered.header, recovered.artifacts, None, None
                )
            root = parsed.root
            if not isinstance(root, YamlMapping):
                empty = root is None or (isinstance(root, YamlScalar) and root.value is None)
                message = (
                    "empty document: a runbook needs `name`, `description` and `artifacts`"
                    if empty
                    else "the document must be a mapping with `name`, `description` and `artifacts`"
                )
                where = root.range if root is not None and not empty else Range.of(0, 0, 0, 0)
                return self._unparsable(file, text, where, message)
            header_root = root
            context = self._artifact_context(file, text)
            artifacts_entry = root.get("artifacts")
            entries = (
                artifacts_entry.value.entries
                if artifacts_entry is not None and isinstance(artifacts_entry.value, YamlMapping)
                else ()
            )
            infos = [check_artifact(entry, context) for entry in entries]
            layout = layout_of(root, text) if not parsed.uses_anchors else None
        return self._finish(file, text, chain, header_root, infos, layout, reparsed, unchanged)

    def _artifact_context(self, file: Path, text: str) -> ArtifactContext:
        lines: list[str] | None = None

        def line_text(number: int) -> str:
            nonlocal lines
            if lines is None:
                lines = split_lines(text)
            return lines[number] if 0 <= number < len(lines) else ""

        return ArtifactContext(file, self.registry, line_text)

    def _finish(
        self,
        file: Path,
        text: str,
        chain: tuple[Path, ...],
        root: YamlMapping,
        infos: list[ArtifactInfo],
        layout: ArtifactLayout | None,
        reparsed: int | None,
        unchanged: Analysis | None = None,
    ) -> Analysis:
        context = self._artifact_context(file, text)
        header = check_header(root, file, context.line_text)
        if self.max_depth is None:
            self.max_depth = header.config.max_child_depth
        facts = (
            _facts_of(unchanged, infos)
            if unchanged is not None
            else check_runbook(
                header,
                infos,
                RunbookContext(
                    file=file,
                    registry=self.registry,
                    env=self.env,
                    read_text=self.read_text,
                    analyse_child=self._analyse_child,
                    chain=chain,
                    max_depth=self.max_depth,
                    runs=self.runs,
                ),
            )
        )
        diagnostics = [*header.diagnostics]
        for info in infos:
            diagnostics.extend(info.diagnostics)
        diagnostics.extend(facts.diagnostics)
        diagnostics.sort(key=Diagnostic.sort_key)
        env_sites = [*header.env_sites]
        for info in infos:
            env_sites.extend(info.env_sites)
        return Analysis(
            path=file,
            text=text,
            diagnostics=tuple(diagnostics),
            header=header,
            artifact_list=tuple(infos),
            artifacts=facts.artifacts,
            references=facts.references,
            dependencies=facts.dependencies,
            schemas=facts.schemas,
            aliases=facts.aliases,
            children=facts.children,
            env_sites=tuple(env_sites),
            layout=layout,
            child_cache=self.child_cache,
            reparsed_blocks=reparsed,
            env_used={site.name: self.env.get(site.name) for site in env_sites},
            registry=self.registry,
            runbook_diagnostics=tuple(facts.diagnostics),
        )

    def _analyse_child(self, text: str, real: Path, chain: tuple[Path, ...]) -> Analysis:
        key = (real, text, chain, self.max_depth or 0)
        known = self.child_cache.get(key) or self.old_child_cache.get(key)
        if known is not None and not self._still_valid(known):
            known = None
        if known is None:
            known = self.analyse(text, real, chain, None)
        self.child_cache[key] = known
        return known

    def _outline_unchanged(self, previous: Analysis, reused: Reparsed) -> bool:
        """Can the runbook-wide checks of ``previous`` stand for the new text? Only when
        the edit moved no lines and changed nothing those checks read (a description, a
        connector property), and nothing else they depend on changed either."""
        if reused.delta_lines or len(reused.replaced) != len(reused.fresh):
            return False
        pairs = zip(reused.replaced, reused.fresh, strict=True)
        if any(old.outline() != new.outline() for old, new in pairs):
            return False
        if self.runs is not None and any(info.reuse for info in reused.infos):
            return False  # the run store may have changed since (WCT060)
        return self._still_valid(previous)  # children, variables and components

    def _still_valid(self, analysis: Analysis) -> bool:
        """Would analysing this child again give the same result? Its own text is the
        cache key; what lies beneath it, its variables and the components are checked."""
        if analysis.registry is not self.registry:
            return False
        if any(self.env.get(name) != value for name, value in analysis.env_used.items()):
            return False
        for link in analysis.children.values():
            if link.analysis is None:
                if link.request.path_allowed:
                    return False  # not found or unreadable before: it may be there now
                continue
            if self.read_text(link.analysis.path) != link.analysis.text:
                return False
            if not self._still_valid(link.analysis):
                return False
        return True

    def _unparsable(self, file: Path, text: str, range_: Range, message: str) -> Analysis:
        return Analysis(
            path=file,
            text=text,
            diagnostics=(Diagnostic.of("WCT001", file, range_, message),),
            header=None,
            artifact_list=(),
            artifacts={},
            references=(),
            dependencies={},
            schemas={},
            aliases={},
            children={},
            env_sites=(),
            child_cache=self.child_cache,
        )


def _facts_of(previous: Analysis, infos: list[ArtifactInfo]) -> RunbookFacts:
    """The runbook-wide results of ``previous``, for artifacts whose outlines they match."""
    artifacts: dict[str, ArtifactInfo] = {}
    for info in infos:
        artifacts.setdefault(info.id, info)
    return RunbookFacts(
        artifacts=artifacts,
        references=previous.references,
        dependencies=previous.dependencies,
        schemas=previous.schemas,
        aliases=previous.aliases,
        children=previous.children,
        diagnostics=list(previous.runbook_diagnostics),
    )
