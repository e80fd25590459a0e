"""What a name at a position stands for, and every place it stands.

A name is an artifact of a runbook (or a parent-side alias of a child runbook's output),
an input or an output a child runbook declares, or a child runbook file. An artifact
lives in its runbook alone; a child runbook's inputs and outputs are also named by the
runbooks that use it (`input_mapping` keys, `output`, `output_mapping` keys), and a child
runbook file by their `child_runbook.path`. References and rename both read this, so
they always agree on what belongs together.

The functions here work on any runbook the caller has at hand (`RunbookText`: its real
path, its analysis, its lines); the caller fetches the runbooks beyond the one asked
about (the child that declares a name, the parents that use the child).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Literal, TypeVar

from waivern_lsp.language.runbook_text import RunbookText
from waivern_lsp.language.sites import (
    ArtifactSite,
    ChildNameSite,
    ChildPathSite,
    artifact_sites,
    runbook_output_at,
    site_at,
)
from waivern_orchestration.analysis.child_paths import real_path
from waivern_orchestration.analysis.facts import ChildLink
from waivern_orchestration.parse.positions import Position, Range

NameKind = Literal["artifact", "input", "output", "child"]


R = TypeVar("R", bound=RunbookText)


@dataclass(frozen=True, slots=True)
class Name:
    kind: NameKind
    file: Path  # the real path of the runbook the name belongs to
    name: str
    range: Range  # where it stands at the position asked about


@dataclass(frozen=True, slots=True)
class Occurrence(Generic[R]):
    runbook: R
    range: Range
    declaration: bool


def name_at(runbook: RunbookText, position: Position) -> Name | None:
    analysis = runbook.analysis
    output = runbook_output_at(analysis, position)
    if output is not None:
        return Name("output", runbook.path, output.name, output.range)
    site = site_at(analysis, runbook.lines, position)
    if isinstance(site, ArtifactSite):
        return Name(_artifact_kind(runbook, site.name), runbook.path, site.name, site.range)
    if isinstance(site, ChildNameSite | ChildPathSite):
        link = analysis.children.get(site.artifact)
        if link is None or link.path is None:
            return None
        if isinstance(site, ChildPathSite):
            return Name("child", real_path(link.path), link.path.name, site.range)
        return Name(site.kind, real_path(link.path), site.name, site.range)
    return None


def _artifact_kind(runbook: RunbookText, name: str) -> NameKind:
    analysis = runbook.analysis
    header = analysis.header
    declared_input = header is not None and name in header.inputs
    if declared_input and name not in analysis.artifacts and name not in analysis.aliases:
        return "input"
    return "artifact"


def in_runbook(runbook: R, name: str) -> list[Occurrence[R]]:
    """The name's declaration(s) and uses as an artifact within one runbook."""
    found: dict[Range, Occurrence[R]] = {}
    for site in artifact_sites(runbook.analysis, name):
        # an artifact with `output:` is also the alias of itself: one place, one occurrence
        if site.range not in found:
            found[site.range] = Occurrence(runbook, site.range, site.declaration)
    return list(found.values())


def reaches_other_runbooks(name: Name) -> bool:
    """Does the name stand in other runbooks than its own (the parents of a child)?"""
    return name.kind != "artifact"


def occurrences(
    here: R, name: Name, owner: R | None, parents: Sequence[tuple[R, ChildLink]]
) -> list[Occurrence[R]]:
    """Every place the name stands: in its runbook and, for what a child runbook declares,
    in the runbooks that use it. ``owner`` is the runbook of ``name.file`` (None when it
    cannot be read), ``parents`` the runbooks that use that file as a child, with the link
    (only read when `reaches_other_runbooks`)."""
    if not reaches_other_runbooks(name):
        return in_runbook(here, name.name)
    found: list[Occurrence[R]] = []
    if owner is not None and name.kind == "input":
        found += in_runbook(owner, name.name)
    if owner is not None and name.kind == "output" and owner.analysis.header is not None:
        declared = owner.analysis.header.outputs.get(name.name)
        if declared is not None:
            found.append(Occurrence(owner, declared.name.range, True))
    for parent, link in parents:
        request = link.request
        if name.kind == "child":
            found.append(Occurrence(parent, request.path_range, False))
        elif name.kind == "input":
            found += [
                Occurrence(parent, key.range, False)
                for key, _value in request.input_mapping
                if key.name == name.name
            ]
        else:
            outputs = [request.output] if request.output is not None else []
            outputs += [output for output, _alias in request.output_mapping or ()]
            found += [
                Occurrence(parent, output.range, False)
                for output in outputs
                if output.name == name.name
            ]
    return found
