"""What a rename may do and the text it writes: which names can be renamed, which new
names are allowed, and the replacement at each occurrence (inside quotes when quoted;
quoted when YAML would read the plain name as something else than text)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import yaml

from waivern_lsp.language.occurrences import Name, Occurrence, R
from waivern_lsp.language.runbook_text import RunbookText
from waivern_orchestration.models import ARTIFACT_ID_PATTERN
from waivern_orchestration.parse.positions import Range

_VALID_NAME = re.compile(ARTIFACT_ID_PATTERN)


class RenameRefused(Exception):
    """A rename the user asked for that cannot be done; the message says why."""


def renamable(here: RunbookText, name: Name | None) -> Name:
    """The name, if it can be renamed; else RenameRefused."""
    if name is None:
        raise RenameRefused("only an artifact id, a runbook input or output can be renamed")
    if name.kind == "child":
        raise RenameRefused("a child runbook path names a file: rename the file instead")
    if name.kind == "artifact":
        analysis = here.analysis
        if name.name not in analysis.artifacts and name.name not in analysis.aliases:
            raise RenameRefused(f"`{name.name}` is not an artifact of this runbook")
    return name


def check_new_name(owner: RunbookText | None, name: Name, new_name: str) -> None:
    """RenameRefused when ``new_name`` is not a valid name, or is taken in ``owner`` (the
    runbook the name belongs to)."""
    if not _VALID_NAME.match(new_name):
        raise RenameRefused(
            f"`{new_name}` is not a valid name: use letters, digits, `_` and `-`, "
            "starting with a letter or `_`"
        )
    if owner is None or new_name == name.name:
        return
    analysis = owner.analysis
    header = analysis.header
    if name.kind == "output":
        taken = header is not None and new_name in header.outputs
        if taken:
            raise RenameRefused(f"the runbook already declares an output `{new_name}`")
        return
    if new_name in analysis.artifacts or new_name in analysis.aliases:
        raise RenameRefused(f"`{new_name}` is already an artifact of this runbook")
    if header is not None and new_name in header.inputs:
        raise RenameRefused(f"`{new_name}` is already an input of this runbook")


def rename_edits(found: Sequence[Occurrence[R]], new_name: str) -> list[tuple[R, Range, str]]:
    """(runbook, range, new text) for every occurrence."""
    return [
        (occurrence.runbook, *replacement(occurrence.runbook, occurrence.range, new_name))
        for occurrence in found
    ]


def replacement(runbook: RunbookText, range_: Range, new_name: str) -> tuple[Range, str]:
    """The edit for one occurrence: inside the quotes when quoted; a plain name that YAML
    would read as something else than text (`yes`, `null`) gets quotes."""
    quoted = quoted_range(runbook, range_)
    if quoted is not None:
        return quoted, new_name
    if not isinstance(yaml.safe_load(new_name), str):
        return range_, f'"{new_name}"'
    return range_, new_name


def quoted_range(runbook: RunbookText, range_: Range) -> Range | None:
    """The range inside the quotes, when the name at ``range_`` is written quoted."""
    start, end = range_
    if start.line != end.line or end.character - start.character < 2:
        return None
    if not 0 <= start.line < len(runbook.lines):
        return None
    written = runbook.lines[start.line][start.character : end.character]
    if written[0] in "'\"" and written[-1] == written[0]:
        return Range.of(start.line, start.character + 1, end.line, end.character - 1)
    return None
