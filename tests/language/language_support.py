"""The in-process tier's way in: a runbook written inline with `<|>` marking the cursor,
and the files beside it, turned into what the server would hand a language service (the
analysis, the lines, the cursor's position); real runs in the folder's run store for the
views that show run status.

No server, no protocol: a test reads as the docs do — a runbook snippet, the call, the
expected result.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lsp_support import at, split_cursor  # noqa: F401 (`at` for the tests: one way in)
from waivern_lsp.language.occurrences import Name, Occurrence, name_at, occurrences
from waivern_orchestration import message_schemas
from waivern_orchestration.analysis import Analysis, analyse
from waivern_orchestration.analysis.child_paths import real_path
from waivern_orchestration.components.registry import default_registry
from waivern_orchestration.execution.events import SilentSink
from waivern_orchestration.execution.outcome import RunOutcome
from waivern_orchestration.execution.runs import RunRequest, execute
from waivern_orchestration.message_schemas import (
    MessageSchema,
    SchemaRef,
    SchemaRegistry,
    UnavailableSchema,
    default_schemas,
)
from waivern_orchestration.parse.positions import Position, split_lines
from waivern_orchestration.store.lookup import StoreLookup
from waivern_orchestration.store.run_states import RunState, latest_run_state, run_state

REGISTRY = default_registry()  # the installed components, as `wct lsp` finds them


@dataclass(frozen=True, eq=False)
class Runbook:
    """A runbook as a language service sees it (a `RunbookText` for `occurrences`)."""

    path: Path  # real path
    analysis: Analysis
    lines: list[str]
    cursor: Position | None
    store_dir: Path

    @property
    def text(self) -> str:
        return self.analysis.text

    def at(self) -> Position:
        assert self.cursor is not None, "the text has no <|> cursor marker"
        return self.cursor

    def latest_run(self) -> RunState | None:
        """The latest run of this runbook in the folder's store, as hover and lenses read it."""
        return latest_run_state(self.store_dir, self.path)

    def run(self, run_id: str) -> RunState | None:
        return run_state(self.store_dir, run_id)


@dataclass
class RunbookFolder:
    """A folder (`tmp_path`) holding runbooks and their child runbooks, with a run store."""

    root: Path
    env: Mapping[str, str] = field(default_factory=dict)  # what `${VAR}` sees: nothing set

    @property
    def store_dir(self) -> Path:
        return self.root / ".waivern"

    def write(self, name: str, text: str) -> Path:
        """A file beside the runbook (a child runbook, data): its dedented text."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def open(self, text: str, name: str = "runbook.yaml") -> Runbook:
        """The runbook (a `<|>` marks the cursor) written to `name` and analysed as the
        server analyses an open document: installed components, files read from disk, the
        run store for `reuse`."""
        plain, cursor = split_cursor(text)
        path = self.write(name, plain).resolve()
        runs = StoreLookup(self.store_dir)
        try:
            analysis = analyse(plain, path, registry=REGISTRY, env=self.env, runs=runs)
        finally:
            runs.close()
        return Runbook(
            path,
            analysis,
            split_lines(plain),
            Position(cursor.line, cursor.character) if cursor is not None else None,
            self.store_dir,
        )

    def run(self, name: str = "runbook.yaml") -> RunOutcome:
        """Run a runbook of the folder into its store, as `wct run` would."""
        request = RunRequest(runbook=self.root / name, store_dir=self.store_dir, env=self.env)
        return execute(request, SilentSink(), lambda notice: None)


# -- names and where they stand (references, rename) ----------------------------------

Spot = tuple[str, int, str]  # file name, line, the text of the range


def everywhere(
    here: Runbook, name: Name, others: Sequence[Runbook] = ()
) -> list[Occurrence[Runbook]]:
    """Every occurrence, the owner and the parents looked up among the runbooks at hand
    (as the server's runbook index does among the workspace's)."""
    known = [here, *others]
    owner = next((runbook for runbook in known if runbook.path == name.file), None)
    parents = [
        (runbook, link)
        for runbook in known
        for link in runbook.analysis.children.values()
        if link.path is not None and real_path(link.path) == name.file
    ]
    return occurrences(here, name, owner, parents)


def spots(found: Sequence[Occurrence[Runbook]], *, declaration: bool = True) -> list[Spot]:
    """Where each occurrence stands (sorted), declarations left out unless asked for."""
    return sorted(
        (
            occurrence.runbook.path.name,
            occurrence.range.start.line,
            occurrence.runbook.lines[occurrence.range.start.line][
                occurrence.range.start.character : occurrence.range.end.character
            ],
        )
        for occurrence in found
        if declaration or not occurrence.declaration
    )


def named(runbook: Runbook) -> Name:
    name = name_at(runbook, runbook.at())
    assert name is not None, "nothing with a name at the cursor"
    return name


def install_plugin_schemas(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the plug-in `waivern-credentials` were installed: its `credential/1.0.0`
    beside the built-in message schemas, and its `token/1.0.0` that could not be loaded."""
    credential = SchemaRef("credential", "1.0.0")
    token = SchemaRef("token", "1.0.0")
    provider = "waivern-credentials"
    schemas = SchemaRegistry(
        {
            **default_schemas().schemas,
            credential: MessageSchema(credential, "Credentials found in text.", {}, provider),
        },
        {token: UnavailableSchema(token, provider, "not JSON (Expecting value at line 1)")},
    )
    monkeypatch.setattr(message_schemas, "_default", schemas)
