"""`.env` files through the real server: a variable missing from the environment offers a
line in the `.env` beside the runbook (created if need be), a saved `.env` re-analyses the
open runbooks, and hover says where a value comes from."""

from __future__ import annotations

from lsprotocol import types
from test_code_actions import actions
from test_diagnostics import changed_on_disk

from lsp_support import LspSession
from navigation_support import edited_texts

RUNBOOK = """\
name: Dotenv
description: Files from a folder a variable names
artifacts:
  files:
    source:
      type: filesystem
      properties:
        path: ${DOTENV_DATA_DIR}
    output: true
"""


async def test_a_missing_variable_is_added_to_dotenv_and_a_saved_dotenv_counts(
    lsp: LspSession,
) -> None:
    document = lsp.open("runbook.yaml", RUNBOOK)
    [unset] = await lsp.diagnostics(document)
    assert unset.code == "WCT050"
    found = await actions(lsp, document, unset.range, [unset], ["quickfix"])
    titles = [action.title for action in found]
    dotenv = lsp.root / ".env"
    if lsp.client_name == "visual_studio_code":  # it can create the file
        assert titles == [
            "Add `DOTENV_DATA_DIR=` to .env beside the runbook",
            "Give `${DOTENV_DATA_DIR}` a default",
        ]
        create, edit = found[0].edit.document_changes or []  # type: ignore[union-attr]
        assert isinstance(create, types.CreateFile) and create.uri == dotenv.as_uri()
        assert isinstance(edit, types.TextDocumentEdit)
        assert [e.new_text for e in edit.edits] == ["DOTENV_DATA_DIR=\n"]
        assert found[0].is_preferred
    else:
        assert titles == ["Give `${DOTENV_DATA_DIR}` a default"]

    # an existing `.env` gets the line at its end, on a line of its own
    dotenv.write_text("OTHER=1", encoding="utf-8")
    found = await actions(lsp, document, unset.range, [unset], ["quickfix"])
    added = next(action for action in found if ".env" in action.title)
    assert added.edit is not None
    assert edited_texts(lsp, added.edit)[".env"] == "OTHER=1\nDOTENV_DATA_DIR=\n"

    # the user gives the value and saves: the runbook is analysed again
    (lsp.root / "data").mkdir()
    seen = lsp.published_count(document.uri)
    dotenv.write_text("OTHER=1\nDOTENV_DATA_DIR=data\n", encoding="utf-8")
    changed_on_disk(lsp, ".env", types.FileChangeType.Changed)
    published = await lsp.next_publish(document.uri, seen)
    assert published.diagnostics == []

    # and hover says where the value comes from (not a secret: it is shown)
    lines = RUNBOOK.splitlines()
    line = next(i for i, text in enumerate(lines) if "DOTENV_DATA_DIR" in text)
    hovered = await lsp.client.text_document_hover_async(
        types.HoverParams(
            text_document=document.id,
            position=types.Position(line=line, character=lines[line].index("DOTENV") + 2),
        )
    )
    assert hovered is not None and isinstance(hovered.contents, types.MarkupContent)
    assert f"set in `{dotenv}`: `data`" in hovered.contents.value
