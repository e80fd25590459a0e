"""Find references (`textDocument/references`): every place that names what is under the
cursor.

- an artifact id (its key or any use: `inputs`, `input_mapping` values,
  `outputs.*.artifact`) or a child output alias → every use in the runbook;
- an input a child runbook declares (its declaration, a use in the child, or an
  `input_mapping` key of a parent) → the uses in the child and the `input_mapping` keys
  that feed it in every runbook of the workspace that uses the child;
- an output a child runbook declares (or a parent's `output` / `output_mapping` key) →
  the parents' `output` and `output_mapping` keys that take it;
- a `child_runbook.path` → every `child_runbook.path` that leads to that file.

Declarations are included when the client asks for them (`includeDeclaration`).
"""

from __future__ import annotations

from lsprotocol import types as lsp

from waivern_lsp.language.occurrences import name_at
from waivern_lsp.server import WaivernServer


def register(server: WaivernServer) -> None:
    index = server.index

    @server.request(lsp.TEXT_DOCUMENT_REFERENCES)
    async def references(params: lsp.ReferenceParams) -> list[lsp.Location] | None:
        here = await index.document(params.text_document.uri)
        if here is None:
            return None
        name = name_at(here, here.codec(index.encoding).from_client(params.position))
        if name is None:
            return None
        wanted = params.context.include_declaration
        return [
            index.location(found.runbook, found.range)
            for found in await index.occurrences(here, name)
            if wanted or not found.declaration
        ]
