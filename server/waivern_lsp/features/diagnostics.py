"""Diagnostics (`textDocument/publishDiagnostics`, `textDocument/diagnostic`): every
problem the analysis finds, as the user types.

Pushed to every client after each analysis of a document's newest text whose diagnostics
differ from the ones last pushed (edits that arrive during an analysis are coalesced, so an
older version is never published over a newer one; an edit that leaves the diagnostics as
they were, ranges included, publishes nothing); at most `maxDiagnostics` per file, errors
first, then one that counts the rest by code (`diagnostic_cap`). Each publish converts and
serialises only the diagnostics the edit changed (`diagnostic_forms`). Answered on pull
too, with a result id per analysis so an unchanged document costs the client nothing. A
change to a child runbook re-analyses its parents, which are pushed again when their
diagnostics changed (and pull clients are asked to refresh). Closing a document, or a
document ceasing to be a runbook, clears what was published for it.

The failures of runs started from the editor (WCT070, `run_failures`) are published with
the analysis' diagnostics, and again whenever they change.
"""

from __future__ import annotations

import json
from pathlib import Path

from lsprotocol import types as lsp

from waivern_lsp.diagnostic_cap import capped_for_editor
from waivern_lsp.diagnostic_forms import DocumentDiagnostics
from waivern_lsp.server import WaivernServer
from waivern_lsp.workspace import RunbookDocument
from waivern_orchestration.analysis.child_paths import real_path
from waivern_orchestration.diagnostics import Diagnostic


class PublishedDiagnostics:
    """What was last published for each document, in LSP form (`DocumentDiagnostics`:
    kept between publishes, so an update converts and serialises only what changed)."""

    def __init__(self, server: WaivernServer) -> None:
        self.server = server
        self._documents: dict[str, DocumentDiagnostics] = {}
        # per document: the (analysis generation, failures revision, cap) the forms are of
        self._made: dict[str, tuple[int, int, int]] = {}
        self._published_version: dict[str, int | None] = {}

    def of(self, document: RunbookDocument) -> list[lsp.Diagnostic]:
        return self._updated(document)[0].items

    def _updated(self, document: RunbookDocument) -> tuple[DocumentDiagnostics, bool]:
        """The document's forms for its latest analysis, and whether they changed."""
        forms = self._documents.setdefault(document.uri, DocumentDiagnostics())
        limit = self.server.options.max_diagnostics
        made = (document.generation, self.server.failures.revision, limit)
        analysis = document.analysis
        if self._made.get(document.uri) == made or analysis is None:
            return forms, False
        self._made[document.uri] = made
        path = analysis.path
        found = [d for d in analysis.diagnostics if d.file is path or d.file == path]
        failed = self.server.failures.diagnostics(document)
        if failed:
            found = sorted([*found, *failed], key=Diagnostic.sort_key)
        listed, unlisted = capped_for_editor(found, limit)
        return forms, forms.update(listed, unlisted, analysis.text, self.server.position_encoding)

    def analysed(self, document: RunbookDocument) -> None:
        first = document.uri not in self._published_version
        previous_version = self._published_version.get(document.uri, -1)
        forms, changed = self._updated(document)
        if not (changed or first):
            return  # the client has them already (for an earlier version: they are the same)
        self._publish(document, forms)
        # Re-analysed for another reason than its own edit (a child changed): clients that
        # pull diagnostics are told to ask again.
        if previous_version == document.analysed_version and self.server.supports(
            "workspace.diagnostics.refresh_support"
        ):
            self.server.workspace_diagnostic_refresh(None)

    def runs_changed(self, runbook: Path) -> None:
        """A run's failures changed: publish again the documents of that runbook."""
        for document in self.server.runbooks.analyses():
            if document.analysis is None or real_path(document.path) != runbook:
                continue
            forms, changed = self._updated(document)
            if not changed:
                continue
            self._publish(document, forms)
            if self.server.supports("workspace.diagnostics.refresh_support"):
                self.server.workspace_diagnostic_refresh(None)

    def _publish(self, document: RunbookDocument, forms: DocumentDiagnostics) -> None:
        """`textDocument/publishDiagnostics`, its JSON made of each diagnostic's kept text."""
        version = document.analysed_version
        self._published_version[document.uri] = version
        head = f'{{"uri": {json.dumps(document.uri)}, "version": {json.dumps(version)}, '
        params = [
            f'{head}"diagnostics": ['.encode(),
            b", ".join([form.encoded for form in forms.forms]),
            b"]}",
        ]
        self.server.protocol.notify_serialized(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, params)

    def forgotten(self, uri: str) -> None:
        self._documents.pop(uri, None)
        self._made.pop(uri, None)
        self._published_version.pop(uri, None)
        self.server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )


def register(server: WaivernServer) -> None:
    published = PublishedDiagnostics(server)

    server.runbooks.on_analysed(published.analysed)
    server.runbooks.on_forgotten(published.forgotten)
    server.failures.on_changed(published.runs_changed)

    @server.request(
        lsp.TEXT_DOCUMENT_DIAGNOSTIC,
        lsp.DiagnosticOptions(
            identifier="waivern", inter_file_dependencies=True, workspace_diagnostics=False
        ),
    )
    async def pull(params: lsp.DocumentDiagnosticParams) -> lsp.DocumentDiagnosticReport:
        document = await server.document(params.text_document.uri)
        if document is None:
            return lsp.RelatedFullDocumentDiagnosticReport(items=[], result_id="none")
        runs = server.failures.revision
        limit = server.options.max_diagnostics
        result_id = f"{document.analysed_version}.{document.generation}.{runs}.{limit}"
        if params.previous_result_id == result_id:
            return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return lsp.RelatedFullDocumentDiagnosticReport(
            items=published.of(document), result_id=result_id
        )
