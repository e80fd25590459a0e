"""A runbook's outline: its artifacts in document order, each with a kind and a detail
saying how it is produced (`artifact_kinds`); the names a child runbook's
`output_mapping` makes beneath their artifact; a child runbook's declared inputs and
outputs. And how well a name matches what is searched for (`pdf` finds
`personal_data_findings`; exact, prefix and substring matches come first)."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass

from waivern_lsp.language.artifact_kinds import (
    ALIAS_KIND,
    INPUT_KIND,
    OUTPUT_KIND,
    SymbolKind,
    artifact_detail,
    artifact_kind,
)
from waivern_orchestration.analysis import Analysis
from waivern_orchestration.analysis.facts import ArtifactInfo
from waivern_orchestration.parse.positions import Range


@dataclass(frozen=True, slots=True)
class RunbookSymbol:
    name: str
    kind: SymbolKind
    detail: str
    range: Range
    selection: Range
    children: tuple[RunbookSymbol, ...] = ()


_outlines: weakref.WeakKeyDictionary[Analysis, list[RunbookSymbol]] = weakref.WeakKeyDictionary()


def runbook_symbols(analysis: Analysis) -> list[RunbookSymbol]:
    """The outline of a runbook, in document order (made once per analysis)."""
    outline = _outlines.get(analysis)
    if outline is None:
        outline = _outlines[analysis] = _outline(analysis)
    return outline


def _outline(analysis: Analysis) -> list[RunbookSymbol]:
    found: list[RunbookSymbol] = []
    header = analysis.header
    if header is not None:
        for name, declared in header.inputs.items():
            detail = f"input: {declared.schema}" if declared.schema else "input"
            range_ = declared.name.range
            found.append(RunbookSymbol(name, INPUT_KIND, detail, range_, range_))
        for name, offered in header.outputs.items():
            detail = f"output → {offered.artifact.name}" if offered.artifact else "output"
            range_ = offered.name.range
            found.append(RunbookSymbol(name, OUTPUT_KIND, detail, range_, range_))
    found += (_artifact_symbol(info) for info in analysis.artifact_list)
    found.sort(key=lambda symbol: symbol.selection.start)
    return [symbol for symbol in found if symbol.name]  # clients refuse nameless symbols


def _artifact_symbol(info: ArtifactInfo) -> RunbookSymbol:
    children: tuple[RunbookSymbol, ...] = ()
    if info.child is not None:
        children = tuple(
            RunbookSymbol(alias.name, ALIAS_KIND, f"output {output.name}", alias.range, alias.range)
            for output, alias in info.child.output_mapping or ()
        )
    return RunbookSymbol(
        info.id, artifact_kind(info), artifact_detail(info), info.range, info.key_range, children
    )


def match_score(query: str, name: str) -> int | None:
    """How well the name matches the query, lower is better; None: no match."""
    if not query:
        return 0
    query, name = query.lower(), name.lower()
    if name == query:
        return 0
    if name.startswith(query):
        return 1
    if query in name:
        return 2
    position = 0
    for char in query:
        position = name.find(char, position) + 1
        if position == 0:
            return None
    return 3


def every_symbol(
    symbols: tuple[RunbookSymbol, ...] | list[RunbookSymbol], parent: str | None = None
) -> Iterator[tuple[RunbookSymbol, str | None]]:
    for symbol in symbols:
        yield symbol, parent
        yield from every_symbol(symbol.children, symbol.name)
