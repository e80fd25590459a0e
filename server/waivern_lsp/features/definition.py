"""Go to definition (`textDocument/definition`): from a name in a runbook to where it is
declared.

- an artifact id in `inputs`, an `input_mapping` value or `outputs.*.artifact` → the
  artifact; a name made by a child's `output_mapping` → that alias; a runbook input used
  like an artifact → its declaration under `inputs`;
- the alias itself (an `output_mapping` value, or the id of an artifact with `output:`) →
  the child runbook's artifact behind it, one step further down;
- `child_runbook.path` → the child runbook file; an `input_mapping` key → the input the
  child declares; `output` and `output_mapping` keys → the output the child declares;
- a declared output's name (`outputs:` of a child runbook) → the artifact it offers.

Clients that support links get the whole artifact block as the target and the name
under the cursor underlined; others get plain locations.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types as lsp

from waivern_lsp.conversions import path_to_uri
from waivern_lsp.language.sites import (
    ArtifactSite,
    ChildNameSite,
    ChildPathSite,
    runbook_output_at,
    site_at,
)
from waivern_lsp.runbook_index import IndexedRunbook, RunbookIndex
from waivern_lsp.server import WaivernServer
from waivern_orchestration.analysis.child_paths import real_path
from waivern_orchestration.analysis.facts import ChildLink
from waivern_orchestration.parse.positions import Position, Range, split_lines

FILE_START = Range.of(0, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class Target:
    uri: str
    runbook: IndexedRunbook | None  # None: a file whose text is not known (its start)
    range: Range  # the whole declaration (an artifact's block)
    selection: Range  # its name


def definitions(here: IndexedRunbook, position: Position) -> tuple[Range, list[Target]] | None:
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
            uri = path_to_uri(link.path)
            return site.range, [Target(uri, None, FILE_START, FILE_START)]
        return site.range, _declared_in_child(link, site)
    return None


def _artifact(here: IndexedRunbook, name: str, fallback: Range | None = None) -> list[Target]:
    analysis = here.analysis
    info = analysis.artifacts.get(name)
    if info is not None:
        return [Target(here.uri, here, info.range, info.key_range)]
    alias = analysis.aliases.get(name)
    if alias is not None:
        return [Target(here.uri, here, alias.range, alias.range)]
    header = analysis.header
    if header is not None and name in header.inputs:
        declared = header.inputs[name].name.range
        return [Target(here.uri, here, declared, declared)]
    if fallback is not None:
        return [Target(here.uri, here, fallback, fallback)]
    return []


def _behind(here: IndexedRunbook, site: ArtifactSite) -> list[Target]:
    """The child runbook's artifact behind an alias, at the alias' declaration."""
    analysis = here.analysis
    alias = analysis.aliases.get(site.name)
    if alias is None or alias.range != site.range or alias.child_artifact is None:
        return []
    child = _child(analysis.children.get(alias.artifact))
    if child is None:
        return []
    info = child.analysis.artifacts.get(alias.child_artifact)
    if info is None:
        return []
    return [Target(child.uri, child, info.range, info.key_range)]


def _declared_in_child(link: ChildLink, site: ChildNameSite) -> list[Target]:
    child = _child(link)
    if child is None or child.analysis.header is None:
        return []
    header = child.analysis.header
    declared = (header.inputs if site.kind == "input" else header.outputs).get(site.name)
    if declared is None:
        return []
    return [Target(child.uri, child, declared.name.range, declared.name.range)]


def _child(link: ChildLink | None) -> IndexedRunbook | None:
    """The child runbook as its parent's analysis read it (buffer or disk)."""
    if link is None or link.path is None or link.analysis is None:
        return None
    analysis = link.analysis
    return IndexedRunbook(
        path_to_uri(link.path), real_path(link.path), analysis, split_lines(analysis.text), None
    )


def _lsp_range(index: RunbookIndex, runbook: IndexedRunbook | None, range_: Range) -> lsp.Range:
    if runbook is None:
        start = lsp.Position(line=range_.start.line, character=range_.start.character)
        end = lsp.Position(line=range_.end.line, character=range_.end.character)
        return lsp.Range(start=start, end=end)
    return runbook.codec(index.encoding).range(range_)


def register(server: WaivernServer) -> None:
    index = server.index

    @server.request(lsp.TEXT_DOCUMENT_DEFINITION)
    async def definition(
        params: lsp.DefinitionParams,
    ) -> list[lsp.Location] | list[lsp.LocationLink] | None:
        here = await index.document(params.text_document.uri)
        if here is None:
            return None
        codec = here.codec(index.encoding)
        found = definitions(here, codec.from_client(params.position))
        if found is None or not found[1]:
            return None
        origin, targets = found
        if server.supports("text_document.definition.link_support"):
            return [
                lsp.LocationLink(
                    target_uri=target.uri,
                    target_range=_lsp_range(index, target.runbook, target.range),
                    target_selection_range=_lsp_range(index, target.runbook, target.selection),
                    origin_selection_range=codec.range(origin),
                )
                for target in targets
            ]
        return [
            lsp.Location(uri=target.uri, range=_lsp_range(index, target.runbook, target.selection))
            for target in targets
        ]
