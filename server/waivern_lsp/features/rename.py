"""Rename (`textDocument/prepareRename`, `textDocument/rename`): rename an artifact id, a
child output alias, or an input or output a child runbook declares, everywhere at once.

`prepareRename` answers with the name's range (inside its quotes, when quoted) and the
name as placeholder, or refuses with a message that says why (a component type, a field
key, a path: nothing a rename could keep consistent). `rename` checks the new name
against the artifact id pattern and against the names already taken in the runbook,
then edits every place the name stands (see `occurrences`): the runbook's own uses, and
for a child runbook's inputs and outputs the `input_mapping`, `output` and
`output_mapping` keys of the runbooks that use it. One `WorkspaceEdit`: versioned
document changes where the client supports them, else plain changes.
"""

from __future__ import annotations

import re

import yaml
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

from waivern_lsp.occurrences import Name, Occurrence, name_at, occurrences
from waivern_lsp.runbook_index import IndexedRunbook, RunbookIndex, runbook_index
from waivern_lsp.server import WaivernServer
from waivern_orchestration.models import ARTIFACT_ID_PATTERN
from waivern_orchestration.positions import Range

_VALID_NAME = re.compile(ARTIFACT_ID_PATTERN)
_WHAT = {
    "artifact": "artifact",
    "input": "runbook input",
    "output": "runbook output",
    "child": "child runbook",
}


class RenameRefused(JsonRpcException):
    """A rename the user asked for that cannot be done; the message says why."""

    CODE = lsp.LSPErrorCodes.RequestFailed


def renamable(here: IndexedRunbook, name: Name | None) -> Name:
    if name is None:
        raise RenameRefused("only an artifact id, a runbook input or output can be renamed")
    if name.kind == "child":
        raise RenameRefused("a child runbook path names a file: rename the file instead")
    if name.kind == "artifact":
        analysis = here.analysis
        if name.name not in analysis.artifacts and name.name not in analysis.aliases:
            raise RenameRefused(f"`{name.name}` is not an artifact of this runbook")
    return name


def check_new_name(owner: IndexedRunbook | None, name: Name, new_name: str) -> None:
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


def replacement(runbook: IndexedRunbook, range_: Range, new_name: str) -> tuple[Range, str]:
    """The edit for one occurrence: inside the quotes when quoted; a plain name that YAML
    would read as something else than text (`yes`, `null`) gets quotes."""
    quoted = _quoted(runbook, range_)
    if quoted is not None:
        return quoted, new_name
    if not isinstance(yaml.safe_load(new_name), str):
        return range_, f'"{new_name}"'
    return range_, new_name


def _quoted(runbook: IndexedRunbook, range_: Range) -> Range | None:
    start, end = range_
    if start.line != end.line or end.character - start.character < 2:
        return None
    if not 0 <= start.line < len(runbook.lines):
        return None
    written = runbook.lines[start.line][start.character : end.character]
    if written[0] in "'\"" and written[-1] == written[0]:
        return Range.of(start.line, start.character + 1, end.line, end.character - 1)
    return None


def workspace_edit(
    index: RunbookIndex, found: list[Occurrence], new_name: str, versioned: bool
) -> lsp.WorkspaceEdit:
    by_file: dict[str, tuple[IndexedRunbook, list[lsp.TextEdit]]] = {}
    for occurrence in found:
        runbook = occurrence.runbook
        range_, text = replacement(runbook, occurrence.range, new_name)
        edit = lsp.TextEdit(range=runbook.codec(index.encoding).range(range_), new_text=text)
        by_file.setdefault(runbook.uri, (runbook, []))[1].append(edit)
    if versioned:
        return lsp.WorkspaceEdit(
            document_changes=[
                lsp.TextDocumentEdit(
                    text_document=lsp.OptionalVersionedTextDocumentIdentifier(
                        uri=uri, version=runbook.version
                    ),
                    edits=list(edits),
                )
                for uri, (runbook, edits) in by_file.items()
            ]
        )
    return lsp.WorkspaceEdit(changes={uri: edits for uri, (_runbook, edits) in by_file.items()})


def register(server: WaivernServer) -> None:
    index = runbook_index(server)

    @server.request(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
    async def prepare_rename(
        params: lsp.PrepareRenameParams,
    ) -> lsp.PrepareRenamePlaceholder | None:
        here = await index.document(params.text_document.uri)
        if here is None:
            return None
        codec = here.codec(index.encoding)
        name = renamable(here, name_at(here, codec.from_client(params.position)))
        range_ = _quoted(here, name.range) or name.range
        return lsp.PrepareRenamePlaceholder(range=codec.range(range_), placeholder=name.name)

    @server.request(lsp.TEXT_DOCUMENT_RENAME)
    async def rename(params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        here = await index.document(params.text_document.uri)
        if here is None:
            return None
        codec = here.codec(index.encoding)
        name = renamable(here, name_at(here, codec.from_client(params.position)))
        owner = here if here.path == name.file else await index.runbook(name.file)
        check_new_name(owner, name, params.new_name)
        if params.new_name == name.name:
            return lsp.WorkspaceEdit(changes={})
        found = await occurrences(index, here, name)
        versioned = server.supports("workspace.workspace_edit.document_changes")
        return workspace_edit(index, found, params.new_name, versioned)
