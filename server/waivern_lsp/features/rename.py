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

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

from waivern_lsp.language.occurrences import Occurrence, name_at
from waivern_lsp.language.renames import (
    RenameRefused,
    check_new_name,
    quoted_range,
    renamable,
    rename_edits,
)
from waivern_lsp.runbook_index import IndexedRunbook, RunbookIndex
from waivern_lsp.server import WaivernServer


class RenameFailed(JsonRpcException):
    """A refused rename, as the client shows it (the message says why)."""

    CODE = lsp.LSPErrorCodes.RequestFailed


def workspace_edit(
    index: RunbookIndex,
    found: list[Occurrence[IndexedRunbook]],
    new_name: str,
    versioned: bool,
) -> lsp.WorkspaceEdit:
    by_file: dict[str, tuple[IndexedRunbook, list[lsp.TextEdit]]] = {}
    for runbook, range_, text in rename_edits(found, new_name):
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
    index = server.index

    @server.request(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
    async def prepare_rename(
        params: lsp.PrepareRenameParams,
    ) -> lsp.PrepareRenamePlaceholder | None:
        here = await index.document(params.text_document.uri)
        if here is None:
            return None
        codec = here.codec(index.encoding)
        try:
            name = renamable(here, name_at(here, codec.from_client(params.position)))
        except RenameRefused as refused:
            raise RenameFailed(str(refused)) from None
        range_ = quoted_range(here, name.range) or name.range
        return lsp.PrepareRenamePlaceholder(range=codec.range(range_), placeholder=name.name)

    @server.request(lsp.TEXT_DOCUMENT_RENAME)
    async def rename(params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        here = await index.document(params.text_document.uri)
        if here is None:
            return None
        codec = here.codec(index.encoding)
        try:
            name = renamable(here, name_at(here, codec.from_client(params.position)))
            owner = here if here.path == name.file else await index.runbook(name.file)
            check_new_name(owner, name, params.new_name)
        except RenameRefused as refused:
            raise RenameFailed(str(refused)) from None
        if params.new_name == name.name:
            return lsp.WorkspaceEdit(changes={})
        found = await index.occurrences(here, name)
        versioned = server.supports("workspace.workspace_edit.document_changes")
        return workspace_edit(index, found, params.new_name, versioned)
