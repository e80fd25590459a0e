"""Call hierarchy (`textDocument/prepareCallHierarchy`, `callHierarchy/incomingCalls`,
`callHierarchy/outgoingCalls`): an artifact's lineage, in any editor with a call
hierarchy view.

Prepare on an artifact (its id or any use of it; a child output alias stands for the
artifact with the `child_runbook`; a child runbook's declared input is an item too).
Incoming calls are the artifacts that take its output (its dependents); outgoing calls
are the artifacts it takes input from. Each call carries the ranges of the references
in the calling artifact (`inputs` entries, `input_mapping` values), so the editor
highlights where the dependency is written.
"""

from __future__ import annotations

from collections.abc import Callable

from lsprotocol import types as lsp

from waivern_lsp.conversions import symbol_kind, uri_to_path
from waivern_lsp.language.artifact_graph import inputs_of, node_of, users_of
from waivern_lsp.language.artifact_kinds import INPUT_KIND, artifact_detail, artifact_kind
from waivern_lsp.language.sites import ArtifactSite, site_at
from waivern_lsp.runbook_index import IndexedRunbook, RunbookIndex
from waivern_lsp.server import WaivernServer
from waivern_orchestration.analysis import Analysis
from waivern_orchestration.analysis.facts import Reference


def item(runbook: IndexedRunbook, node: str, encoding: str) -> lsp.CallHierarchyItem | None:
    analysis = runbook.analysis
    codec = runbook.codec(encoding)
    info = analysis.artifacts.get(node)
    if info is not None:
        return lsp.CallHierarchyItem(
            name=node,
            kind=symbol_kind(artifact_kind(info)),
            detail=artifact_detail(info) or None,
            uri=runbook.uri,
            range=codec.range(info.range),
            selection_range=codec.range(info.key_range),
        )
    header = analysis.header
    if header is not None and node in header.inputs:
        declared = header.inputs[node]
        range_ = codec.range(declared.name.range)
        return lsp.CallHierarchyItem(
            name=node,
            kind=symbol_kind(INPUT_KIND),
            detail=f"input: {declared.schema}" if declared.schema else "input",
            uri=runbook.uri,
            range=range_,
            selection_range=range_,
        )
    return None


async def _runbook_of(index: RunbookIndex, uri: str) -> IndexedRunbook | None:
    runbook = await index.document(uri)
    if runbook is None and (path := uri_to_path(uri)) is not None:
        runbook = await index.runbook(path)
    return runbook


def register(server: WaivernServer) -> None:
    index = server.index

    @server.request(lsp.TEXT_DOCUMENT_PREPARE_CALL_HIERARCHY)
    async def prepare(params: lsp.CallHierarchyPrepareParams) -> list[lsp.CallHierarchyItem] | None:
        here = await index.document(params.text_document.uri)
        if here is None:
            return None
        position = here.codec(index.encoding).from_client(params.position)
        site = site_at(here.analysis, here.lines, position)
        if not isinstance(site, ArtifactSite):
            return None
        node = node_of(here.analysis, site.name)
        found = item(here, node, index.encoding) if node is not None else None
        return [found] if found is not None else None

    async def neighbours(
        item_: lsp.CallHierarchyItem, which: Callable[[Analysis, str], dict[str, list[Reference]]]
    ) -> list[tuple[lsp.CallHierarchyItem, list[lsp.Range]]] | None:
        """The artifacts next to the item's (its users or its inputs), each with the
        reference sites that link them."""
        runbook = await _runbook_of(index, item_.uri)
        if runbook is None:
            return None
        codec = runbook.codec(index.encoding)
        found = []
        for name, sites in which(runbook.analysis, item_.name).items():
            other = item(runbook, name, index.encoding)
            if other is not None:
                found.append((other, [codec.range(site.range) for site in sites]))
        return found

    @server.request(lsp.CALL_HIERARCHY_INCOMING_CALLS)
    async def incoming(
        params: lsp.CallHierarchyIncomingCallsParams,
    ) -> list[lsp.CallHierarchyIncomingCall] | None:
        found = await neighbours(params.item, users_of)
        if found is None:
            return None
        return [lsp.CallHierarchyIncomingCall(from_=i, from_ranges=r) for i, r in found]

    @server.request(lsp.CALL_HIERARCHY_OUTGOING_CALLS)
    async def outgoing(
        params: lsp.CallHierarchyOutgoingCallsParams,
    ) -> list[lsp.CallHierarchyOutgoingCall] | None:
        found = await neighbours(params.item, inputs_of)
        if found is None:
            return None
        return [lsp.CallHierarchyOutgoingCall(to=i, from_ranges=r) for i, r in found]
