"""A runbook as a language service needs it: its real path, its analysis, its lines. The
server hands in what it has at hand (an open document, a file of the runbook index, a
child runbook as its parent's analysis read it); `AnalysedRunbook` is the plain one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from waivern_orchestration.analysis import Analysis
from waivern_orchestration.analysis.child_paths import real_path
from waivern_orchestration.analysis.facts import ChildLink
from waivern_orchestration.parse.positions import split_lines


class RunbookText(Protocol):
    @property
    def path(self) -> Path: ...  # real path

    @property
    def analysis(self) -> Analysis: ...

    @property
    def lines(self) -> list[str]: ...


@dataclass(frozen=True, eq=False)
class AnalysedRunbook:
    path: Path  # real path
    analysis: Analysis
    lines: list[str]


def child_runbook(link: ChildLink | None) -> AnalysedRunbook | None:
    """The child runbook of a link as its parent's analysis read it (buffer or disk)."""
    if link is None or link.path is None or link.analysis is None:
        return None
    analysis = link.analysis
    return AnalysedRunbook(real_path(link.path), analysis, split_lines(analysis.text))
