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

from lsprotocol import types as lsp

from waivern_lsp.artifact_graph import inputs_of, node_of, users_of
from waivern_lsp.artifact_kinds import INPUT_KIND, artifact_detail, artifact_kind
from waivern_lsp.conversions import uri_to_path
from waivern_lsp.runbook_index import IndexedRunbook, RunbookIndex, runbook_index
from waivern_lsp.server import WaivernServer
from waivern_lsp.sites import ArtifactSite, site_at


def item(runbook: IndexedRunbook, node: str, encoding: str) -> lsp.CallHierarchyItem | None:
    analysis = runbook.analysis
    codec = runbook.codec(encoding)
    info = analysis.artifacts.get(node)
    if info is not None:
        return lsp.CallHierarchyItem(
            name=node,
            kind=artifact_kind(info),
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
            kind=INPUT_KIND,
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
    index = runbook_index(server)

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

    @server.request(lsp.CALL_HIERARCHY_INCOMING_CALLS)
    async def incoming(
        params: lsp.CallHierarchyIncomingCallsParams,
    ) -> list[lsp.CallHierarchyIncomingCall] | None:
        runbook = await _runbook_of(index, params.item.uri)
        if runbook is None:
            return None
        codec = runbook.codec(index.encoding)
        calls: list[lsp.CallHierarchyIncomingCall] = []
        for user, sites in users_of(runbook.analysis, params.item.name).items():
            caller = item(runbook, user, index.encoding)
            if caller is not None:
                ranges = [codec.range(site.range) for site in sites]
                calls.append(lsp.CallHierarchyIncomingCall(from_=caller, from_ranges=ranges))
        return calls

    @server.request(lsp.CALL_HIERARCHY_OUTGOING_CALLS)
    async def outgoing(
        params: lsp.CallHierarchyOutgoingCallsParams,
    ) -> list[lsp.CallHierarchyOutgoingCall] | None:
        runbook = await _runbook_of(index, params.item.uri)
        if runbook is None:
            return None
        codec = runbook.codec(index.encoding)
        calls: list[lsp.CallHierarchyOutgoingCall] = []
        for producer, sites in inputs_of(runbook.analysis, params.item.name).items():
            callee = item(runbook, producer, index.encoding)
            if callee is not None:
                ranges = [codec.range(site.range) for site in sites]
                calls.append(lsp.CallHierarchyOutgoingCall(to=callee, from_ranges=ranges))
        return calls
