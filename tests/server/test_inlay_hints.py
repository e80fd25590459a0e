"""Inlay hints through the real server: each artifact's resolved output schema after its
id, only on the lines asked for, nothing for a client that declares no inlay hints (VS
Code 1.65). Which hints are made is tested in-process (tests/language/test_schema_hints.py)."""

from __future__ import annotations

from lsprotocol import types

from lsp_support import LspSession, OpenDocument
from runbook_samples import SCAN


async def hints(
    lsp: LspSession, document: OpenDocument, first: int = 0, last: int = 100
) -> list[tuple[int, int, str]] | None:
    found = await lsp.client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=document.id,
            range=types.Range(
                start=types.Position(line=first, character=0),
                end=types.Position(line=last, character=0),
            ),
        )
    )
    if found is None:
        return None
    for hint in found:
        # a schema is a type; a variable's value is neither a type nor a parameter
        assert hint.kind == (None if str(hint.label).startswith("=") else types.InlayHintKind.Type)
    return [(h.position.line, h.position.character, str(h.label)) for h in found]


async def test_each_artifact_shows_its_output_schema(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", SCAN)
    shown = await hints(lsp, document)
    if lsp.client_name == "visual_studio_code":  # VS Code 1.65 declares no inlay hints
        assert not shown
        return
    assert shown == [
        (3, 8, "→ standard_input/1.0.0"),  # just after `files:`
        (8, 11, "→ personal_data_finding/1.0.0"),
    ]
    assert await hints(lsp, document, 0, 5) == [(3, 8, "→ standard_input/1.0.0")]


async def test_a_variable_set_in_a_dotenv_file_shows_its_value(lsp: LspSession) -> None:
    lsp.write(".env", "HINTED_DIR=./data\n")
    document = lsp.open("runbook.yaml", SCAN.replace("path: data", "path: ${HINTED_DIR}"))
    shown = await hints(lsp, document)
    if lsp.client_name == "visual_studio_code":  # VS Code 1.65 declares no inlay hints
        assert not shown
        return
    assert shown is not None
    line = next(i for i, text in enumerate(document.text.splitlines()) if "HINTED_DIR" in text)
    end = document.text.splitlines()[line].index("}") + 1
    assert (line, end, "= ./data") in shown
