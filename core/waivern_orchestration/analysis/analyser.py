"""`analyse`: a runbook's text → every problem (positioned diagnostics) plus what was
learned (`facts`: artifact index with ranges, reference sites, DAG, schemas, child
links, environment sites).

Never raises on any input. Given the previous analysis of the same file, it re-parses
only the artifact blocks an edit touched and runs the cheap runbook-wide checks again;
the result is identical to a fresh analysis of the same text.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from waivern_orchestration.analysis.artifact_check import ArtifactCheckContext, check_artifact
from waivern_orchestration.analysis.child_paths import real_path, root_template_directories
from waivern_orchestration.analysis.diagnostic_splice import Region, spliced
from waivern_orchestration.analysis.dotenv_files import runbook_environment, variables_of
from waivern_orchestration.analysis.env_vars import expand
from waivern_orchestration.analysis.facts import (
    Analysis,
    ArtifactInfo,
    ChildKey,
    EngineState,
    EnvSite,
    HeaderInfo,
    RunbookFacts,
)
from waivern_orchestration.analysis.header_check import check_header
from waivern_orchestration.analysis.recheck import Rechecked, recheck_runbook
from waivern_orchestration.analysis.reference_check import with_suggestions
from waivern_orchestration.analysis.runbook_check import check_runbook
from waivern_orchestration.analysis.scope import RunbookContext
from waivern_orchestration.analysis.substitution import noted_values
from waivern_orchestration.components import ComponentRegistry
from waivern_orchestration.components.registry import default_registry
from waivern_orchestration.diagnostics import (
    Diagnostic,
    Remade,
    capped,
    one_file,
    sort_diagnostics,
)
from waivern_orchestration.parse.incremental import ArtifactLayout, layout_of, reparse
from waivern_orchestration.parse.positions import DOCUMENT_START, Position, Range, split_lines
from waivern_orchestration.parse.recovery import BrokenBlock, recover
from waivern_orchestration.parse.runbook_file import read_runbook_or_none
from waivern_orchestration.parse.yaml_tree import (
    DEFAULT_LIMITS,
    ParseLimits,
    YamlMapping,
    YamlScalar,
    parse_yaml,
)
from waivern_orchestration.store.lookup import StoreLookup

log = logging.getLogger(__name__)

ReadText = Callable[[Path], "str | None"]


def read_from_disk(path: Path) -> str | None:
    return read_runbook_or_none(path)


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
    file = Path(path)
    usable = previous if previous is not None and previous.path == file else None
    if usable is not None:
        file = usable.path  # the same object as in the diagnostics kept: compared by identity
    analyser = _Analyser(
        registry or default_registry(),
        runbook_environment(file) if env is None else env,
        read_text or read_from_disk,
        limits,
        usable.engine.child_cache if usable is not None else {},
        runs,
    )
    try:
        return analyser.analyse(text, file, (real_path(file),), usable)
    except Exception as error:  # a bug (or memory running out): one diagnostic, no crash
        return failed_analysis(text, file, error)


def failed_analysis(text: str, path: Path | str, error: BaseException) -> Analysis:
    """The analysis of a text whose analysis raised: one WCT001 at its start that says so,
    so that an editor's waiting requests are answered and a command fails cleanly."""
    log.debug("analysis of %s failed", path, exc_info=error)
    file = Path(path)
    message = (
        f"the runbook could not be analysed ({type(error).__name__}); this is a bug in wct: "
        "please report it with the runbook"
    )
    return _only(Diagnostic.of("WCT001", file, DOCUMENT_START, message), text, {})


class _Analyser:
    def __init__(
        self,
        registry: ComponentRegistry,
        env: Mapping[str, str],
        read_text: ReadText,
        limits: ParseLimits,
        child_cache: dict[ChildKey, Analysis],
        runs: StoreLookup | None,
    ) -> None:
        self.runs = runs
        self.registry = registry
        self.env = env
        self.read_text = read_text
        self.limits = limits
        self.old_child_cache = child_cache
        self.child_cache: dict[ChildKey, Analysis] = {}
        self.max_depth: int | None = None
        self.root_templates: tuple[Path, ...] = ()

    def analyse(
        self, text: str, file: Path, chain: tuple[Path, ...], previous: Analysis | None
    ) -> Analysis:
        if previous is not None:
            again = self._reanalysed(previous, text, file, chain)
            if again is not None:
                return again
        parsed = parse_yaml(text, self.limits)
        if parsed.problem is not None:
            recovered = recover(text, self.limits) if parsed.problem.syntax else None
            if recovered is None:
                problem = parsed.problem
                return self._unparsable(file, text, problem.range, problem.message)
            context = self._artifact_context(file, text)
            infos = [
                check_artifact(block, context)
                if not isinstance(block, BrokenBlock)
                else ArtifactInfo.unparsable(
                    block.id,
                    block.key_range,
                    Diagnostic.of("WCT001", file, block.problem_range, block.message),
                )
                for block in recovered.blocks
            ]
            return self._finish(file, text, chain, recovered.header, infos, None, None)
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
        context = self._artifact_context(file, text)
        artifacts_entry = root.get("artifacts")
        entries = (
            artifacts_entry.value.entries
            if artifacts_entry is not None and isinstance(artifacts_entry.value, YamlMapping)
            else ()
        )
        infos = [check_artifact(entry, context) for entry in entries]
        layout = layout_of(root, text) if not parsed.uses_anchors else None
        return self._finish(file, text, chain, root, infos, layout, None)

    def _reanalysed(
        self, previous: Analysis, text: str, file: Path, chain: tuple[Path, ...]
    ) -> Analysis | None:
        """The analysis of ``text`` made from ``previous`` where the edit did not reach;
        None when the whole text must be parsed again."""
        layout = previous.engine.layout
        if layout is None or previous.header is None:
            return None
        if not self._same_variables(previous):
            return None  # values substituted into the artifacts kept changed: all again
        old = list(previous.artifact_list)
        edit = reparse(layout, previous.text, text, len(old), self.limits)
        if edit is None:
            return None
        local = ArtifactCheckContext(file, self.registry, edit.line_text, self.env)
        fresh = [check_artifact(entry, local) for entry in edit.entries]
        replaced = old[edit.first : edit.last + 1]
        after = old[edit.last + 1 :]
        if edit.delta_lines:
            after = [info.shifted(edit.delta_lines) for info in after]
        infos = [*old[: edit.first], *fresh, *after]
        # The runbook-wide checks of `previous` still hold when the edit moved no lines
        # and changed nothing they read (a description, a connector property); they are
        # run again for the edited artifacts only when it changed a few in place.
        in_place = (
            not edit.delta_lines
            and len(replaced) == len(fresh)
            and self._still_valid(previous)  # children, variables and components
        )
        checks = previous.engine.checks
        unchanged = (
            in_place
            and all(a.outline() == b.outline() for a, b in zip(replaced, fresh, strict=True))
            # the run store may have changed since (WCT060)
            and not (
                self.runs is not None
                and (checks.any_reuse if checks else any(info.reuse for info in infos))
            )
        )
        following = old[edit.last + 1] if edit.last + 1 < len(old) else None
        end = (
            following.key_range.start
            if following is not None
            else replaced[-1].range.end
            if replaced
            else Position(0, 0)
        )
        return self._finish(
            file,
            text,
            chain,
            edit.root,
            infos,
            edit.layout,
            len(fresh),
            previous if unchanged else None,
            _InPlace(previous, list(zip(replaced, fresh, strict=True)), end) if in_place else None,
        )

    def _artifact_context(self, file: Path, text: str) -> ArtifactCheckContext:
        lines: list[str] | None = None

        def line_text(number: int) -> str:
            nonlocal lines
            if lines is None:
                lines = split_lines(text)
            return lines[number] if 0 <= number < len(lines) else ""

        return ArtifactCheckContext(file, self.registry, line_text, self.env)

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
        edited: _InPlace | None = None,
    ) -> Analysis:
        context = self._artifact_context(file, text)
        header = check_header(root, file, context.line_text, self.env)
        if self.max_depth is None:  # the root runbook's: they hold at every level
            self.max_depth = header.config.max_child_depth
            self.root_templates = root_template_directories(
                file.parent, [expand(path, self.env) for path in header.config.template_paths]
            )
        runbook = RunbookContext(
            file=file,
            registry=self.registry,
            env=self.env,
            read_text=self.read_text,
            analyse_child=self._analyse_child,
            chain=chain,
            max_depth=self.max_depth,
            runs=self.runs,
            root_templates=self.root_templates,
        )
        rechecked = (
            recheck_runbook(edited.previous, header, edited.changed, edited.end, runbook)
            if edited is not None and unchanged is None
            else None
        )
        facts = (
            _facts_of(unchanged, edited.changed if edited else [], infos)
            if unchanged is not None
            else rechecked.facts
            if rechecked is not None
            else check_runbook(header, infos, runbook)
        )
        regions = (
            edited.regions(rechecked)
            if edited is not None and (unchanged is not None or rechecked is not None)
            else None
        )
        every, single = _sorted(header, infos, facts, regions, edited.previous if edited else None)
        # (made again from the same ones as last time: the same objects)
        remade = Remade(edited.previous.engine.remade if edited is not None else None)
        diagnostics = capped(every, remade=remade, single=single)
        if facts.state is not None:  # the listed unknown names: the closest known ones
            diagnostics = with_suggestions(diagnostics, facts.state.names, remade)
        kept = edited.env_sites(header) if regions is not None and edited is not None else None
        if kept is not None and edited is not None:  # those before, the edited ones again
            env_sites = kept
            env_used = {**edited.previous.engine.env_used, **self._env_used(edited.new_sites())}
        else:
            env_sites = [*header.env_sites]
            for info in infos:
                env_sites.extend(info.env_sites)
            env_used = self._env_used(env_sites)
        diagnostics = noted_values(diagnostics, env_sites, self.env, remade)
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
            chain_problems=facts.chain_problems,
            engine=EngineState(
                layout=layout,
                child_cache=self.child_cache,
                reparsed_blocks=reparsed,
                runbook_diagnostics=_in_order(facts, regions is not None, every, single),
                sorted_diagnostics=tuple(every) if single else None,
                env_used=env_used,
                env_seen=dict(variables_of(self.env)),  # (a copy: a caller may change its own)
                remade=remade,
                registry=self.registry,
                checks=facts.state,
            ),
        )

    def _env_used(self, sites: Iterable[EnvSite]) -> dict[str, str | None]:
        return {site.name: self.env.get(site.name) for site in sites}

    def _analyse_child(self, text: str, real: Path, chain: tuple[Path, ...]) -> Analysis:
        key = (real, text, chain, self.max_depth or 0, self.root_templates)
        known = self.child_cache.get(key) or self.old_child_cache.get(key)
        if known is not None and not self._still_valid(known):
            known = None
        if known is None:
            known = self.analyse(text, real, chain, None)
        self.child_cache[key] = known
        return known

    def _same_variables(self, analysis: Analysis) -> bool:
        """Whether every variable ``analysis`` read has the same value now: at once when
        the environment is the one it saw, else variable by variable."""
        if variables_of(self.env) == analysis.engine.env_seen:
            return True
        env_used = analysis.engine.env_used
        return not any(self.env.get(name) != value for name, value in env_used.items())

    def _still_valid(self, analysis: Analysis) -> bool:
        """Would analysing this child again give the same result? Its own text is the
        cache key; what lies beneath it, its variables and the components are checked."""
        if analysis.engine.registry is not self.registry:
            return False
        if not self._same_variables(analysis):
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
        return _only(Diagnostic.of("WCT001", file, range_, message), text, self.child_cache)


def _only(diagnostic: Diagnostic, text: str, child_cache: dict[ChildKey, Analysis]) -> Analysis:
    """The analysis of a text that says nothing but ``diagnostic``."""
    return Analysis(
        path=diagnostic.file,
        text=text,
        diagnostics=(diagnostic,),
        header=None,
        artifact_list=(),
        artifacts={},
        references=(),
        dependencies={},
        schemas={},
        aliases={},
        children={},
        env_sites=(),
        engine=EngineState(child_cache=child_cache),
    )


@dataclass(frozen=True)
class _InPlace:
    """An edit that replaced artifacts of ``previous`` without moving a line: each as
    it was and as it is, and where the edited blocks' lines end (the next block)."""

    previous: Analysis
    changed: list[tuple[ArtifactInfo, ArtifactInfo]]
    end: Position

    def new_sites(self) -> list[EnvSite]:
        return [site for _old, new in self.changed for site in new.env_sites]

    def env_sites(self, header: HeaderInfo) -> list[EnvSite] | None:
        """The `${VAR}` sites of the runbook, those of the edited artifacts replaced (None
        when the header's are not the ones before)."""
        before = self.previous
        if before.header is None or before.header.env_sites != header.env_sites:
            return None
        head = len(header.env_sites)  # the header's first, then the artifacts' in order
        sites = before.env_sites
        if not self.changed:
            return list(sites)
        start = self.changed[0][0].key_range.start
        first = bisect_left(sites, start, head, key=_site_start)
        last = bisect_left(sites, self.end, first, key=_site_start)
        return [*sites[:first], *self.new_sites(), *sites[last:]]

    def regions(self, rechecked: Rechecked | None) -> list[Region]:
        """Where the diagnostics changed: the edited blocks (their own; with ``rechecked``
        the runbook-wide ones there too), and the artifacts it resolved again."""
        if not self.changed:
            return []
        start = self.changed[0][0].key_range.start
        added = [d for _old, new in self.changed for d in new.diagnostics]
        if rechecked is None:  # the runbook-wide ones there are as they were
            dropped = frozenset(id(d) for old, _new in self.changed for d in old.diagnostics)
            return [Region(start, self.end, dropped, added)]
        added.extend(rechecked.found_edited)
        return [Region(start, self.end, None, added), *rechecked.regions]


def _in_order(
    facts: RunbookFacts, kept: bool, every: list[Diagnostic], single: bool
) -> tuple[Diagnostic, ...]:
    """The runbook-wide diagnostics sorted, as `recheck` splices the next ones into them:
    kept or re-checked ones (``kept``) are; those of a whole check are taken, in order,
    from all of them (or sorted, when those are of several files)."""
    if kept:
        return tuple(facts.diagnostics)
    if not single:
        found = list(facts.diagnostics)
        sort_diagnostics(found)
        return tuple(found)
    wanted = set(map(id, facts.diagnostics))
    return tuple(d for d in every if id(d) in wanted)


def _site_start(site: EnvSite) -> Position:
    return site.range.start


def _sorted(
    header: HeaderInfo,
    infos: list[ArtifactInfo],
    facts: RunbookFacts,
    regions: list[Region] | None,
    previous: Analysis | None,
) -> tuple[list[Diagnostic], bool]:
    """Every diagnostic of the runbook, sorted: the previous ones with the changed regions
    replaced when that is known, else all of them sorted again; and whether they are all
    of one file."""
    before = previous.engine.sorted_diagnostics if previous is not None else None
    same_header = previous is not None and (
        previous.header is not None and previous.header.diagnostics == header.diagnostics
    )
    if regions is not None and before is not None and same_header:
        made = spliced(before, regions)
        if made is not None and all(
            d.file is made[0].file for region in regions for d in region.added
        ):
            return made, True  # (all of one file: `before` was, and so is what was added)
    diagnostics = [*header.diagnostics]
    for info in infos:
        diagnostics.extend(info.diagnostics)
    diagnostics.extend(facts.diagnostics)
    sort_diagnostics(diagnostics)
    return diagnostics, one_file(diagnostics)


def _facts_of(
    previous: Analysis,
    changed: list[tuple[ArtifactInfo, ArtifactInfo]],
    infos: list[ArtifactInfo],
) -> RunbookFacts:
    """The runbook-wide results of ``previous``, for artifacts whose outlines they match
    (``changed``: those an edit replaced in place)."""
    if changed:
        artifacts = dict(previous.artifacts)
        for old, new in changed:
            if artifacts.get(old.id) is old:  # (not a later one of the same id)
                artifacts[old.id] = new
    else:
        artifacts = {}
        for info in infos:
            artifacts.setdefault(info.id, info)
    return RunbookFacts(
        artifacts=artifacts,
        references=previous.references,
        dependencies=previous.dependencies,
        schemas=previous.schemas,
        aliases=previous.aliases,
        children=previous.children,
        chain_problems=previous.chain_problems,
        diagnostics=list(previous.engine.runbook_diagnostics),
        state=previous.engine.checks,
    )
