"""Diagnostics (`textDocument/publishDiagnostics`, `textDocument/diagnostic`): every
problem the analysis finds, as the user types.

Pushed to every client after each analysis of a document's newest text (edits that
arrive during an analysis are coalesced, so an older version is never published over a
newer one); answered on pull too, with a result id per analysis so an unchanged document
costs the client nothing. A change to a child runbook re-analyses its parents, which are
pushed again (and pull clients are asked to refresh). Closing a document, or a document
ceasing to be a runbook, clears what was published for it.

The failures of runs started from the editor (WCT070, `run_failures`) are published with
the analysis' diagnostics, and again whenever they change.
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp

from waivern_lsp.conversions import to_lsp_diagnostic
from waivern_lsp.server import WaivernServer
from waivern_lsp.workspace import RunbookDocument
from waivern_orchestration.analysis.child_paths import real_path


class PublishedDiagnostics:
    """The LSP form of each document's latest diagnostics, made once per analysis."""

    def __init__(self, server: WaivernServer) -> None:
        self.server = server
        self._made: dict[str, tuple[int, list[lsp.Diagnostic]]] = {}
        self._published_version: dict[str, int | None] = {}
        self._published: dict[str, list[lsp.Diagnostic]] = {}

    def of(self, document: RunbookDocument) -> list[lsp.Diagnostic]:
        failed = self.server.failures.diagnostics(document, self.server.codec(document))
        return self._of_analysis(document) + failed

    def _of_analysis(self, document: RunbookDocument) -> list[lsp.Diagnostic]:
        made = self._made.get(document.uri)
        if made is not None and made[0] == document.generation:
            return made[1]
        analysis = document.analysis
        if analysis is None:
            return []
        codec = self.server.codec(document)
        items = [
            to_lsp_diagnostic(diagnostic, codec)
            for diagnostic in analysis.diagnostics
            if diagnostic.file == analysis.path
        ]
        self._made[document.uri] = (document.generation, items)
        return items

    def analysed(self, document: RunbookDocument) -> None:
        previous_version = self._published_version.get(document.uri, -1)
        previous = self._published.get(document.uri)
        items = self.of(document)
        if previous_version == document.analysed_version and previous == items:
            return  # re-analysed (a child was opened, say) with the same result
        self._published_version[document.uri] = document.analysed_version
        self._published[document.uri] = items
        self.server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(
                uri=document.uri, diagnostics=items, version=document.analysed_version
            )
        )
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
            items = self.of(document)
            if self._published.get(document.uri) == items:
                continue
            self._published_version[document.uri] = document.analysed_version
            self._published[document.uri] = items
            self.server.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(
                    uri=document.uri, diagnostics=items, version=document.analysed_version
                )
            )
            if self.server.supports("workspace.diagnostics.refresh_support"):
                self.server.workspace_diagnostic_refresh(None)

    def forgotten(self, uri: str) -> None:
        self._made.pop(uri, None)
        self._published_version.pop(uri, None)
        self._published.pop(uri, None)
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
        result_id = f"{document.analysed_version}.{document.generation}.{runs}"
        if params.previous_result_id == result_id:
            return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return lsp.RelatedFullDocumentDiagnosticReport(
            items=published.of(document), result_id=result_id
        )
