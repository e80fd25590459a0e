"""What the runbook-wide checks share: the runbook's artifacts by id, the names its
child runbooks' outputs take here, its header, what they may consult (`RunbookContext`)
and where they report."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from waivern_orchestration.analysis.facts import (
    Alias,
    Analysis,
    ArtifactInfo,
    ChildLink,
    HeaderInfo,
)
from waivern_orchestration.components import ComponentRegistry
from waivern_orchestration.diagnostics import Reporter
from waivern_orchestration.store.lookup import StoreLookup

# (text, real path, chain of real paths down to it) → the child runbook's analysis
ChildAnalyser = Callable[[str, Path, tuple[Path, ...]], Analysis]


@dataclass
class RunbookContext:
    """What the runbook-wide checks may consult besides the runbook's text."""

    file: Path
    registry: ComponentRegistry
    env: Mapping[str, str]
    read_text: Callable[[Path], str | None]
    analyse_child: ChildAnalyser
    chain: tuple[Path, ...]  # real paths of this runbook and the parents that led here
    max_depth: int
    runs: StoreLookup | None = None  # the run store, for `reuse` (WCT060); None: unchecked
    # The root runbook's `config.template_paths` (absolute, variables substituted): a
    # child runbook at any depth is also looked for there, after its own runbook's paths.
    root_templates: tuple[Path, ...] = ()


@dataclass
class RunbookScope:
    """The runbook as the checks see it; filled in as they go (artifacts and aliases
    first, then child links)."""

    header: HeaderInfo
    context: RunbookContext
    report: Reporter
    artifacts: dict[str, ArtifactInfo]  # the first artifact of each id
    aliases: dict[str, Alias] = field(default_factory=dict)
    children: dict[str, ChildLink] = field(default_factory=dict)

    @property
    def file(self) -> Path:
        return self.context.file

    def producer(self, name: str) -> str | None:
        """The artifact of this runbook that produces what ``name`` stands for."""
        if name in self.artifacts:
            return name
        alias = self.aliases.get(name)
        return alias.artifact if alias else None

    def known_names(self) -> set[str]:
        """Every name an artifact may take as input: artifacts, runbook inputs, aliases."""
        return set(self.artifacts) | set(self.header.inputs) | set(self.aliases)


def listing(names: Mapping[str, object]) -> str:
    return ", ".join(f"`{name}`" for name in names)
