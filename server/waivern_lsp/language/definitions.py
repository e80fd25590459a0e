"""Where a name is declared (go to definition), from one runbook and a position.

- an artifact id in `inputs`, an `input_mapping` value or `outputs.*.artifact` → the
  artifact; a name made by a child's `output_mapping` → that alias; a runbook input used
  like an artifact → its declaration under `inputs`;
- the alias itself (an `output_mapping` value, or the id of an artifact with `output:`) →
  the child runbook's artifact behind it, one step further down;
- `child_runbook.path` → the child runbook file; an `input_mapping` key → the input the
  child declares; `output` and `output_mapping` keys → the output the child declares;
- a declared output's name (`outputs:` of a child runbook) → the artifact it offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from waivern_lsp.language.runbook_text import RunbookText, child_runbook
from waivern_lsp.language.sites import (
    ArtifactSite,
    ChildNameSite,
    ChildPathSite,
    runbook_output_at,
    site_at,
)
from waivern_orchestration.analysis.child_paths import real_path
from waivern_orchestration.analysis.facts import ChildLink
from waivern_orchestration.parse.positions import Position, Range

FILE_START = Range.of(0, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class Target:
    path: Path  # the file declared in (real path)
    runbook: RunbookText | None  # None: a file whose text is not known (its start)
    range: Range  # the whole declaration (an artifact's block)
    selection: Range  # its name


def definitions(here: RunbookText, position: Position) -> tuple[Range, list[Target]] | None:
    """Where the name at the position is declared, and the name's own range."""
    analysis = here.analysis
    output = runbook_output_at(analysis, position)
    if output is not None:
        declared = analysis.header.outputs[output.name] if analysis.header else None
        if declared is None or declared.artifact is None:
            return None
        return output.range, _artifact(here, declared.artifact.name)
    site = site_at(analysis, here.lines, position)
    if isinstance(site, ArtifactSite):
        if site.declaration:
            return site.range, _behind(here, site) or _artifact(here, site.name, site.range)
        return site.range, _artifact(here, site.name)
    if isinstance(site, ChildPathSite | ChildNameSite):
        link = analysis.children.get(site.artifact)
        if link is None or link.path is None:
            return None
        if isinstance(site, ChildPathSite):
            return site.range, [Target(real_path(link.path), None, FILE_START, FILE_START)]
        return site.range, _declared_in_child(link, site)
    return None


def _artifact(here: RunbookText, name: str, fallback: Range | None = None) -> list[Target]:
    analysis = here.analysis
    info = analysis.artifacts.get(name)
    if info is not None:
        return [Target(here.path, here, info.range, info.key_range)]
    alias = analysis.aliases.get(name)
    if alias is not None:
        return [Target(here.path, here, alias.range, alias.range)]
    header = analysis.header
    if header is not None and name in header.inputs:
        declared = header.inputs[name].name.range
        return [Target(here.path, here, declared, declared)]
    if fallback is not None:
        return [Target(here.path, here, fallback, fallback)]
    return []


def _behind(here: RunbookText, site: ArtifactSite) -> list[Target]:
    """The child runbook's artifact behind an alias, at the alias' declaration."""
    analysis = here.analysis
    alias = analysis.aliases.get(site.name)
    if alias is None or alias.range != site.range or alias.child_artifact is None:
        return []
    child = child_runbook(analysis.children.get(alias.artifact))
    if child is None:
        return []
    info = child.analysis.artifacts.get(alias.child_artifact)
    if info is None:
        return []
    return [Target(child.path, child, info.range, info.key_range)]


def _declared_in_child(link: ChildLink, site: ChildNameSite) -> list[Target]:
    child = child_runbook(link)
    if child is None or child.analysis.header is None:
        return []
    header = child.analysis.header
    declared = (header.inputs if site.kind == "input" else header.outputs).get(site.name)
    if declared is None:
        return []
    return [Target(child.path, child, declared.name.range, declared.name.range)]
