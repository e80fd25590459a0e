"""Formatting and semantic tokens through the real server, for both clients: Format
Document orders the known keys and indents two spaces, range formatting touches only the
artifacts of the range, a runbook that does not parse gets no edits (and no error); the
semantic tokens decode to the artifact ids, references, component types and `${VAR}`s
of the runbook. The formatter and the tokens are tested in-process
(tests/language/test_formatter.py, tests/language/test_semantic_tokens.py)."""

from __future__ import annotations

from lsprotocol import types

from lsp_support import LspSession, OpenDocument, apply_edit

UNORDERED = """\
description: Finds personal data
name: Scan
artifacts:
    files:
        source:
            properties:
                path: ${DATA_DIR:-data}
            type: filesystem
        description: 'the files'   # kept as written
    findings:
        output: true
        inputs: [files]
        process:
            type: personal_data
"""

FORMATTED = """\
name: Scan
description: Finds personal data
artifacts:
  files:
    description: 'the files'   # kept as written
    source:
      type: filesystem
      properties:
        path: ${DATA_DIR:-data}
  findings:
    inputs: [files]
    process:
      type: personal_data
    output: true
"""

OPTIONS = types.FormattingOptions(tab_size=4, insert_spaces=True)


def applied(text: str, edits: list[types.TextEdit]) -> str:
    for edit in sorted(
        edits, key=lambda edit: (edit.range.start.line, edit.range.start.character), reverse=True
    ):
        text = apply_edit(text, edit.range, edit.new_text)
    return text


async def format_document(lsp: LspSession, document: OpenDocument) -> list[types.TextEdit]:
    edits = await lsp.client.text_document_formatting_async(
        types.DocumentFormattingParams(text_document=document.id, options=OPTIONS)
    )
    return edits or []


async def test_format_document_orders_keys_and_indents_two_spaces(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", UNORDERED)
    await lsp.diagnostics(document)
    edits = await format_document(lsp, document)
    assert applied(UNORDERED, edits) == FORMATTED
    # formatted again: nothing to do
    lsp.replace(document, FORMATTED)
    assert await format_document(lsp, document) == []


async def test_range_formatting_formats_the_artifacts_the_range_touches(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", UNORDERED)
    edits = await lsp.client.text_document_range_formatting_async(
        types.DocumentRangeFormattingParams(
            text_document=document.id,
            range=types.Range(
                start=types.Position(line=10, character=0), end=types.Position(line=11, character=3)
            ),
            options=OPTIONS,
        )
    )
    result = applied(UNORDERED, edits or [])
    assert result.split("\n")[:9] == UNORDERED.split("\n")[:9]  # `files` as it was
    assert result.split("\n")[9:] == [
        "    findings:",
        "      inputs: [files]",
        "      process:",
        "        type: personal_data",
        "      output: true",
        "",
    ]


async def test_a_runbook_that_does_not_parse_gets_no_edits(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", "name: Scan\nartifacts:\n  files: [unclosed\n")
    await lsp.diagnostics(document)
    assert await format_document(lsp, document) == []


async def test_semantic_tokens_decode_to_the_runbook_names(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", FORMATTED)
    await lsp.diagnostics(document)
    answer = await lsp.client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=document.id)
    )
    assert answer is not None
    legend = ("variable", "parameter", "property", "type", "macro")
    lines = FORMATTED.split("\n")
    decoded: list[tuple[int, str, str, int]] = []
    line = start = 0
    data = answer.data
    for index in range(0, len(data), 5):
        delta, column, length, kind, modifiers = data[index : index + 5]
        line += delta
        start = start + column if delta == 0 else column
        decoded.append((line, lines[line][start : start + length], legend[kind], modifiers))
    assert decoded == [
        (3, "files", "variable", 1),
        (6, "filesystem", "type", 0),
        (8, "${DATA_DIR:-data}", "macro", 0),
        (9, "findings", "variable", 1),
        (10, "files", "variable", 0),
        (12, "personal_data", "type", 0),
    ]
    ranged = await lsp.client.text_document_semantic_tokens_range_async(
        types.SemanticTokensRangeParams(
            text_document=document.id,
            range=types.Range(
                start=types.Position(line=9, character=0), end=types.Position(line=10, character=0)
            ),
        )
    )
    assert ranged is not None
    assert list(ranged.data) == [9, 2, 8, 0, 1, 1, 13, 5, 0, 0]
