"""Go to definition (`textDocument/definition`): from a name in a runbook to where it is
declared (`language.definitions` says where).

Clients that support links get the whole artifact block as the target and the name
under the cursor underlined; others get plain locations.
"""

from __future__ import annotations

from lsprotocol import types as lsp

from waivern_lsp.conversions import LineCodec, path_to_uri
from waivern_lsp.language.definitions import Target, definitions
from waivern_lsp.runbook_index import IndexedRunbook
from waivern_lsp.server import WaivernServer
from waivern_orchestration.parse.positions import Range


def register(server: WaivernServer) -> None:
    index = server.index

    @server.request(lsp.TEXT_DOCUMENT_DEFINITION)
    async def definition(
        params: lsp.DefinitionParams,
    ) -> list[lsp.Location] | list[lsp.LocationLink] | None:
        here = await index.document(params.text_document.uri)
        if here is None:
            return None
        codec = here.codec(index.encoding)
        found = definitions(here, codec.from_client(params.position))
        if found is None or not found[1]:
            return None
        origin, targets = found
        if server.supports("text_document.definition.link_support"):
            return [
                lsp.LocationLink(
                    target_uri=_uri(here, target),
                    target_range=_range(target, target.range, index.encoding),
                    target_selection_range=_range(target, target.selection, index.encoding),
                    origin_selection_range=codec.range(origin),
                )
                for target in targets
            ]
        return [
            lsp.Location(
                uri=_uri(here, target),
                range=_range(target, target.selection, index.encoding),
            )
            for target in targets
        ]


def _uri(here: IndexedRunbook, target: Target) -> str:
    # the document's own URI as the client knows it (symlinks kept)
    return here.uri if target.runbook is here else path_to_uri(target.path)


def _range(target: Target, range_: Range, encoding: str) -> lsp.Range:
    if target.runbook is None:  # a file whose text is not known: its start
        start = lsp.Position(line=range_.start.line, character=range_.start.character)
        end = lsp.Position(line=range_.end.line, character=range_.end.character)
        return lsp.Range(start=start, end=end)
    return LineCodec(target.runbook.lines, encoding).range(range_)
