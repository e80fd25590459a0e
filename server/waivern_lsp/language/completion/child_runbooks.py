"""Child runbooks: files for `child_runbook.path` (from the runbook's directory, then each
of `config.template_paths`, as the analyser looks them up), folders for
`config.template_paths`, the inputs a child declares for `input_mapping` keys and its
outputs for `output` / `output_mapping` keys.

Paths offered are relative and never climb out (`..`) nor name the runbook itself. What a
child declares comes from its analysis, which the runbook's analysis already holds; while
the parent's artifact does not parse, the child named by the `path:` line is looked up
among the children analysed before.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator
from pathlib import Path, PurePosixPath

from waivern_lsp.language.completion.choice import Choice, ChoiceKind
from waivern_lsp.language.completion.context import CompletionContext
from waivern_lsp.language.cursor import Cursor
from waivern_lsp.language.yaml_path import keys_under, value_on_line
from waivern_orchestration.analysis import Analysis
from waivern_orchestration.analysis.child_paths import locate_child, real_path, search_directories

# Entries listed per folder at most (a completion list is not a file browser).
MAX_ENTRIES = 200
_RUNBOOK_SUFFIXES = (".yaml", ".yml")


def path_choices(
    cursor: Cursor, context: CompletionContext, folders_only: bool = False
) -> list[Choice]:
    """Child runbook files (and the folders that lead to them) matching what is typed;
    with `folders_only`, folders under the runbook's directory (`template_paths`)."""
    typed = PurePosixPath(cursor.word) if cursor.word else PurePosixPath()
    folder = cursor.word.rpartition("/")[0]
    if cursor.word.startswith(("/", "~")) or ".." in typed.parts or "\\" in cursor.word:
        return []
    runbook_dir = context.runbook.parent
    directories = (
        [runbook_dir] if folders_only else search_directories(runbook_dir, _templates(context))
    )
    itself = real_path(context.runbook)
    found: dict[str, Choice] = {}
    for rank, directory in enumerate(directories):
        where = _where(directory, runbook_dir)
        for entry, is_dir in _entries(directory / folder):
            if is_dir:
                text = f"{folder}/{entry.name}/" if folder else f"{entry.name}/"
                kind = ChoiceKind.FOLDER
            elif folders_only or not entry.name.endswith(_RUNBOOK_SUFFIXES):
                continue
            elif real_path(entry) == itself:
                continue  # a runbook that runs itself is a cycle (WCT042)
            else:
                text = f"{folder}/{entry.name}" if folder else entry.name
                kind = ChoiceKind.FILE
            if folders_only:
                text = text.rstrip("/")
            if text not in found:
                found[text] = Choice(
                    text, kind, text, detail=where, order=f"{rank:02}{0 if is_dir else 1}"
                )
    return list(found.values())


def child_input_choices(child: Analysis, written: Collection[str], closed: bool) -> list[Choice]:
    """The inputs the child declares, for `input_mapping` keys (required ones first)."""
    header = child.header
    if header is None:
        return []
    found: list[Choice] = []
    for name, declared in header.inputs.items():
        if name in written:
            continue
        detail = " · ".join(
            part
            for part in ("child input", declared.schema, "optional" if declared.optional else None)
            if part
        )
        found.append(
            Choice(
                name,
                ChoiceKind.CHILD_NAME,
                name if closed else f"{name}: ",
                snippet=None if closed else f"{name}: $0",
                detail=detail,
                documentation=declared.description,
                order="1" if declared.optional else "0",
            )
        )
    return found


def child_output_choices(
    child: Analysis, written: Collection[str], as_key: bool, closed: bool = False
) -> list[Choice]:
    """The outputs the child declares: for `output` (a value) or `output_mapping` keys."""
    header = child.header
    if header is None:
        return []
    found: list[Choice] = []
    for name, declared in header.outputs.items():
        if name in written:
            continue
        text = f"{name}: " if as_key and not closed else name
        artifact = declared.artifact.name if declared.artifact is not None else None
        found.append(
            Choice(
                name,
                ChoiceKind.CHILD_NAME,
                text,
                snippet=f"{name}: $0" if as_key and not closed else None,
                detail=f"child output · artifact {artifact}" if artifact else "child output",
                documentation=declared.description,
            )
        )
    return found


def child_analysis(cursor: Cursor, context: CompletionContext) -> Analysis | None:
    """The analysis of the child runbook of the artifact `cursor.path[1]`, whose
    `child_runbook` key is on `cursor.key_lines[2]`."""
    if len(cursor.path) < 3 or len(cursor.key_lines) < 3:
        return None
    analysis = context.analysis
    link = analysis.children.get(cursor.path[1])
    if link is not None and link.analysis is not None:
        return link.analysis
    path_line = keys_under(context.lines, cursor.key_lines[2]).get("path")
    written = value_on_line(context.lines[path_line]) if path_line is not None else None
    if not written:
        return None
    for other in analysis.children.values():
        if other.request.path == written and other.analysis is not None:
            return other.analysis
    located = locate_child(written, context.runbook.parent, _templates(context)).path
    if located is None:
        return None
    return analysis.child_at(located)


def _templates(context: CompletionContext) -> list[str]:
    header = context.analysis.header
    return list(header.config.template_paths) if header is not None else []


def _where(directory: Path, runbook_dir: Path) -> str:
    if directory == runbook_dir:
        return "next to this runbook"
    try:
        return f"in {directory.relative_to(runbook_dir).as_posix()}/ (template path)"
    except ValueError:
        return f"in {directory} (template path)"


def _entries(directory: Path) -> Iterator[tuple[Path, bool]]:
    try:
        with os.scandir(directory) as listing:
            for count, entry in enumerate(listing):
                if count >= MAX_ENTRIES:
                    return
                if entry.name.startswith("."):
                    continue  # hidden, and the run store (`.waivern`)
                try:
                    yield Path(entry.path), entry.is_dir()
                except OSError:
                    continue
    except OSError:
        return
