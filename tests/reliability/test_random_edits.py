"""Thousands of random edits (deletions, insertions, pasted garbage) against the running
server: every request answered, the server alive, and the diagnostics of the final text
equal to `wct validate` on that text."""

from __future__ import annotations

import json
import os
import random
import subprocess
from pathlib import Path

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from lsp_support import WCT, LspSession, OpenDocument, from_client

SEED_TEXT = (Path(__file__).parents[2] / "examples" / "customer_scan" / "runbook.yaml").read_text()

FRAGMENTS = (
    "  extra:\n    inputs: [customer_files]\n    process:\n      type: personal_data\n",
    "    inputs: [nope]\n",
    "inputs:",
    "- ",
    ": ",
    "{",
    "[",
    "]",
    '"',
    "'",
    "${CUSTOMER_DATA_DIR",
    "${UNSET_VARIABLE}",
    "child_runbook:\n      path: pd_analysis.yaml\n",
    "  customer_db:\n    source: {type: sqlite}\n",
    "&a ",
    "*a",
    "\t",
    "é中ü",
    "#",
    "\n",
    "\n\n  ",
    "---\n",
    "|\n  x",
    "output_schema: standard_input/9.9.9\n",
    "reuse:\n      from_run: 20260101-000000-abcdef\n      artifact: x\n",
)
REQUESTS = ("hover", "completion", "definition", "symbols", "diagnostic")
EDITS = int(os.environ.get("WCT_RANDOM_EDITS", "3000"))


def random_edit(rng: random.Random, text: str) -> tuple[types.Range, str]:
    lines = text.split("\n")

    def position() -> types.Position:
        line = rng.randrange(len(lines))
        return types.Position(line=line, character=rng.randint(0, len(lines[line])))

    start, end = sorted((position(), position()), key=lambda p: (p.line, p.character))
    kind = rng.random()
    if kind < 0.35:  # delete a short span
        end = types.Position(
            line=start.line,
            character=min(len(lines[start.line]), start.character + rng.randint(1, 6)),
        )
        return types.Range(start=start, end=end), ""
    if kind < 0.45 and end.line - start.line < 8:  # delete across lines
        return types.Range(start=start, end=end), ""
    if kind < 0.85:  # type or paste a fragment
        return types.Range(start=start, end=start), rng.choice(FRAGMENTS)
    garbage = "".join(rng.choice("abc:-[]{}#&*!|>'\" \n\t0129é") for _ in range(rng.randint(1, 30)))
    return types.Range(start=start, end=start), garbage


async def request(lsp: LspSession, document: OpenDocument, kind: str, rng: random.Random) -> None:
    lines = document.text.split("\n")
    line = rng.randrange(len(lines))
    position = types.Position(line=line, character=rng.randint(0, len(lines[line])))
    where = types.TextDocumentPositionParams(text_document=document.id, position=position)
    client = lsp.client
    try:
        if kind == "hover":
            await client.text_document_hover_async(
                types.HoverParams(text_document=document.id, position=position)
            )
        elif kind == "completion":
            await client.text_document_completion_async(
                types.CompletionParams(text_document=document.id, position=position)
            )
        elif kind == "definition":
            await client.text_document_definition_async(
                types.DefinitionParams(text_document=where.text_document, position=position)
            )
        elif kind == "symbols":
            await client.text_document_document_symbol_async(
                types.DocumentSymbolParams(text_document=document.id)
            )
        else:
            await client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(text_document=document.id)
            )
    except JsonRpcException as error:
        # the only acceptable refusal: the text changed while the request waited
        assert error.code == types.LSPErrorCodes.ContentModified, (kind, error)


def validate(path: Path) -> set[tuple[str, int, int, int, int, str]]:
    done = subprocess.run(
        [WCT, "validate", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=path.parent,
    )
    assert done.returncode in (0, 1), done.stderr
    return {
        (
            d["code"],
            d["range"]["start"]["line"],
            d["range"]["start"]["character"],
            d["range"]["end"]["line"],
            d["range"]["end"]["character"],
            d["message"],
        )
        for d in json.loads(done.stdout)["diagnostics"]
        if Path(d["file"]) == path
    }


async def test_random_edits_never_break_the_server(lsp: LspSession) -> None:
    seed = int(os.environ.get("WCT_RANDOM_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    example = Path(__file__).parents[2] / "examples" / "customer_scan"
    (lsp.root / "templates").mkdir()
    (lsp.root / "templates" / "pd_analysis.yaml").write_text(
        (example / "templates" / "pd_analysis.yaml").read_text()
    )
    document = lsp.open("runbook.yaml", SEED_TEXT)
    for step in range(EDITS):
        range_, new_text = random_edit(rng, document.text)
        lsp.edit(document, range_, new_text)
        if step % 25 == 0:
            await request(lsp, document, rng.choice(REQUESTS), rng)
        if len(document.text) > 20_000:  # keep it a runbook-sized text
            lsp.replace(document, SEED_TEXT)

    final = await lsp.diagnostics(document)
    document.path.write_text(document.text, encoding="utf-8")
    expected = validate(document.path)
    seen = set()
    for d in final:  # back from the client's units to characters
        start = from_client(document.text, d.range.start, lsp.encoding)
        end = from_client(document.text, d.range.end, lsp.encoding)
        seen.add((str(d.code), start.line, start.character, end.line, end.character, d.message))
    assert seen == expected, f"seed {seed}: the server and `wct validate` disagree"
