"""Text synchronisation (`textDocument/didOpen`, `didChange`, `didClose`, `didSave`) and
files changed on disk (`workspace/didChangeWatchedFiles`): the workspace learns each
buffer's text and which files changed, and analyses what they affect."""

from __future__ import annotations

from lsprotocol import types as lsp

from waivern_lsp.conversions import uri_to_path
from waivern_lsp.server import WaivernServer


def register(server: WaivernServer) -> None:
    @server.notification(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: lsp.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        server.runbooks.opened(item.uri, uri_to_path(item.uri), item.version, item.text)

    @server.notification(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: lsp.DidChangeTextDocumentParams) -> None:
        # pygls has applied the changes to its copy of the text
        uri = params.text_document.uri
        document = server.workspace.get_text_document(uri)
        version = params.text_document.version
        server.runbooks.changed(uri, uri_to_path(uri), version, document.source)

    @server.notification(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        server.protocol.text_changes.forget(uri)
        server.runbooks.closed(uri, uri_to_path(uri))

    @server.notification(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: lsp.DidSaveTextDocumentParams) -> None:
        if (path := uri_to_path(params.text_document.uri)) is not None:
            server.runbooks.files_changed([path])

    @server.notification(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(params: lsp.DidChangeWatchedFilesParams) -> None:
        paths = [path for change in params.changes if (path := uri_to_path(change.uri))]
        created = any(change.type == lsp.FileChangeType.Created for change in params.changes)
        server.runbooks.files_changed(paths, created=created)
