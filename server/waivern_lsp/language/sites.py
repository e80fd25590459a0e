"""What stands at a position of a runbook, from its analysis: an artifact id (where it is
declared or used), a component type, a child runbook path or one of its input/output
names, an environment variable, a schema name, a `reuse` site, or a field key.

Hover, definition, references and rename all start here, so they agree on what the user
pointed at. Ranges come from the parse, never from searching the text.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Literal

from waivern_lsp.language.yaml_path import key_on_line, parents
from waivern_orchestration.analysis import Analysis
from waivern_orchestration.analysis.facts import ArtifactInfo, EnvSite, Reference
from waivern_orchestration.parse.positions import Position, Range
from waivern_orchestration.parse.yaml_tree import YamlMapping, node_at


@dataclass(frozen=True, slots=True)
class ArtifactSite:
    """An artifact id (or a child output alias, or a runbook input) as written."""

    name: str
    range: Range
    declaration: bool  # the artifact's own key (or the alias in `output_mapping`)
    reference: Reference | None = None  # set when it is a use


@dataclass(frozen=True, slots=True)
class ComponentSite:
    kind: Literal["connector", "processor"]
    name: str
    range: Range
    artifact: str


@dataclass(frozen=True, slots=True)
class ChildPathSite:
    artifact: str
    path: str
    range: Range


@dataclass(frozen=True, slots=True)
class ChildNameSite:
    """An `input_mapping` key (a child input) or an `output`/`output_mapping` key (a
    child output)."""

    kind: Literal["input", "output"]
    artifact: str
    name: str
    range: Range


@dataclass(frozen=True, slots=True)
class EnvVarSite:
    site: EnvSite

    @property
    def range(self) -> Range:
        return self.site.range


@dataclass(frozen=True, slots=True)
class SchemaSite:
    artifact: str
    name: str
    range: Range


@dataclass(frozen=True, slots=True)
class ReuseSite:
    kind: Literal["run", "artifact"]
    artifact: str
    run_id: str
    name: str
    range: Range


@dataclass(frozen=True, slots=True)
class KeySite:
    """A field key; `path` is the chain of keys down to it (`["artifacts", "a",
    "source", "type"]`)."""

    path: tuple[str, ...]
    range: Range


Site = (
    ArtifactSite
    | ComponentSite
    | ChildPathSite
    | ChildNameSite
    | EnvVarSite
    | SchemaSite
    | ReuseSite
    | KeySite
)


def artifact_at(analysis: Analysis, line: int) -> ArtifactInfo | None:
    """The artifact whose block holds the line (blocks are in document order)."""
    infos = analysis.artifact_list
    index = bisect_right(infos, line, key=lambda info: info.key_range.start.line) - 1
    if index < 0:
        return None
    info = infos[index]
    end = info.node.range.end.line if not info.broken else _next_start(infos, index)
    return info if line <= end else None


def _next_start(infos: tuple[ArtifactInfo, ...], index: int) -> int:
    return infos[index + 1].key_range.start.line - 1 if index + 1 < len(infos) else 1 << 30


def site_at(analysis: Analysis, lines: list[str], position: Position) -> Site | None:
    info = artifact_at(analysis, position.line)
    if info is not None:
        found = _site_in_artifact(analysis, info, position)
        if found is not None:
            return found
    for reference in analysis.references:
        if reference.artifact is None and reference.range.contains(position):
            return ArtifactSite(reference.name, reference.range, False, reference)
    header = analysis.header
    if header is not None:
        for declared in header.inputs.values():
            if declared.name.range.contains(position):
                return ArtifactSite(declared.name.name, declared.name.range, True)
        for site in header.env_sites:
            if site.range.contains(position):
                return EnvVarSite(site)
    return _key_site(lines, position)


def _site_in_artifact(analysis: Analysis, info: ArtifactInfo, position: Position) -> Site | None:
    if info.key_range.contains(position):
        return ArtifactSite(info.id, info.key_range, True)
    for reference in info.inputs:
        if reference.range.contains(position):
            return ArtifactSite(reference.name, reference.range, False, reference)
    for env in info.env_sites:
        if env.range.contains(position):
            return EnvVarSite(env)
    for kind, named in (("connector", info.source_type), ("processor", info.process_type)):
        if named is not None and named.range.contains(position):
            return ComponentSite(kind, named.name, named.range, info.id)  # type: ignore[arg-type]
    if info.output_schema is not None and info.output_schema.range.contains(position):
        return SchemaSite(info.id, info.output_schema.name, info.output_schema.range)
    if info.reuse is not None:
        run, artifact = info.reuse
        for kind, named in (("run", run), ("artifact", artifact)):
            if named.range.contains(position):
                return ReuseSite(kind, info.id, run.name, named.name, named.range)  # type: ignore[arg-type]
    child = info.child
    if child is not None:
        if child.path_range.contains(position):
            return ChildPathSite(info.id, child.path, child.path_range)
        for key, value in child.input_mapping:
            if key.range.contains(position):
                return ChildNameSite("input", info.id, key.name, key.range)
            if value.range.contains(position):
                return ArtifactSite(value.name, value.range, False, value)
        if child.output is not None and child.output.range.contains(position):
            return ChildNameSite("output", info.id, child.output.name, child.output.range)
        for output, alias in child.output_mapping or ():
            if output.range.contains(position):
                return ChildNameSite("output", info.id, output.name, output.range)
            if alias.range.contains(position):
                return ArtifactSite(alias.name, alias.range, True)
    return _tree_key_site(info, position)


def _tree_key_site(info: ArtifactInfo, position: Position) -> KeySite | None:
    """A key inside a parsed artifact, from its tree (exact ranges)."""
    if info.broken:
        return None
    path: list[str] = ["artifacts", info.id]
    mapping: YamlMapping | None = info.node if isinstance(info.node, YamlMapping) else None
    while mapping is not None:
        entry = next((e for e in mapping.entries if e.range.contains(position)), None)
        if entry is None:
            return None
        path.append(entry.key_text)
        if entry.key.range.contains(position):
            return KeySite(tuple(path), entry.key.range)
        # the nearest mapping inside the value (list items in between are passed over)
        chain = node_at(entry.value, position)
        mapping = next((n for n in chain if isinstance(n, YamlMapping)), None)
    return None


def _key_site(lines: list[str], position: Position) -> KeySite | None:
    """A key outside the artifacts (header fields), read from the text."""
    if not 0 <= position.line < len(lines):
        return None
    key = key_on_line(lines[position.line])
    if key is None:
        return None
    end = key.column + len(key.key)
    if not key.column <= position.character <= end:
        return None
    path = (*parents(lines, position.line, key.column), key.key)
    return KeySite(path, Range.of(position.line, key.column, position.line, end))


def artifact_sites(analysis: Analysis, name: str) -> list[ArtifactSite]:
    """Every place the name stands as an artifact: its declaration(s) and every use."""
    sites: list[ArtifactSite] = []
    info = analysis.artifacts.get(name)
    if info is not None:
        sites.append(ArtifactSite(name, info.key_range, True))
    alias = analysis.aliases.get(name)
    if alias is not None:
        sites.append(ArtifactSite(name, alias.range, True))
    header = analysis.header
    if header is not None and name in header.inputs:
        declared = header.inputs[name].name
        sites.append(ArtifactSite(name, declared.range, True))
    sites.extend(
        ArtifactSite(name, reference.range, False, reference)
        for reference in analysis.references
        if reference.name == name
    )
    return sites


@dataclass(frozen=True, slots=True)
class RunbookOutputSite:
    """The name of an output a (child) runbook declares under `outputs`."""

    name: str
    range: Range


def runbook_output_at(analysis: Analysis, position: Position) -> RunbookOutputSite | None:
    """A declared output's name at the position (kept apart from `site_at`, where the
    same spot is a field key)."""
    header = analysis.header
    if header is None:
        return None
    for declared in header.outputs.values():
        if declared.name.range.contains(position):
            return RunbookOutputSite(declared.name.name, declared.name.range)
    return None
