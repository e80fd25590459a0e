"""Code actions through the real server: a quick fix is a workspace edit in the form the
client takes (versioned `documentChanges` or plain `changes`) that, applied, leaves the
runbook without its diagnostic; "Run" and "Resume" are offered as actions too (for
editors without lenses). Each fix's edits are tested in-process
(tests/language/test_quick_fixes.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Union

from lsprotocol import types

from lsp_support import LspSession, OpenDocument, one_client
from navigation_support import edited_texts
from run_support import run
from runbook_samples import CHILD, PARENT, SCAN


def decode_actions_as_clients_do(lsp: LspSession) -> None:
    """lsprotocol's client side decodes every code action that carries a `command` as a
    Command; editors tell them apart as the protocol says (a Command's `command` is a
    string, a CodeAction's an object). Decode as they do."""
    converter = lsp.client.protocol._converter

    def structure(value: Any, _: type) -> types.Command | types.CodeAction:
        if isinstance(value.get("command"), str):
            return converter.structure(value, types.Command)
        return converter.structure(value, types.CodeAction)

    # keyed as lsprotocol registered it: typing.Union, not `|`
    union: Any = Union[types.Command, types.CodeAction]  # noqa: UP007
    converter.register_structure_hook(union, structure)


async def actions(
    lsp: LspSession,
    document: OpenDocument,
    range_: types.Range,
    diagnostics: Sequence[types.Diagnostic] = (),
    only: Sequence[str] | None = None,
) -> list[types.CodeAction]:
    decode_actions_as_clients_do(lsp)
    found = await lsp.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=document.id,
            range=range_,
            context=types.CodeActionContext(diagnostics=list(diagnostics), only=only),
        )
    )
    assert found is not None
    assert all(isinstance(action, types.CodeAction) for action in found)
    return [action for action in found if isinstance(action, types.CodeAction)]


async def fix(lsp: LspSession, document: OpenDocument, code: str) -> list[str]:
    """Apply the preferred (else first) quick fix for `code`; the codes left afterwards."""
    diagnostic = next(d for d in await lsp.diagnostics(document) if d.code == code)
    found = await actions(lsp, document, diagnostic.range, [diagnostic], ["quickfix"])
    assert found, f"no quick fix for {code}"
    best = next((a for a in found if a.is_preferred), found[0])
    assert best.kind == types.CodeActionKind.QuickFix
    assert best.diagnostics and best.diagnostics[0].code == code
    assert best.edit is not None
    if lsp.client_name == "visual_studio_code":  # versioned documentChanges
        assert best.edit.document_changes and not best.edit.changes
        (change,) = best.edit.document_changes
        assert isinstance(change, types.TextDocumentEdit)
        assert change.text_document.version == document.version
    else:  # Neovim declares no documentChanges
        assert best.edit.changes and not best.edit.document_changes
    lsp.replace(document, edited_texts(lsp, best.edit)[document.path.name])
    return [str(d.code) for d in await lsp.diagnostics(document)]


async def test_a_quick_fix_is_a_workspace_edit_of_the_version_it_was_made_for(
    lsp: LspSession,
) -> None:
    # the child runbook is read from disk through the workspace
    lsp.write("child.yaml", CHILD)
    unmapped = PARENT.replace("      input_mapping:\n        documents: files\n", "")
    document = lsp.open("runbook.yaml", unmapped)
    assert await fix(lsp, document, "WCT043") == []
    assert "      input_mapping:\n        documents: files\n" in document.text


@one_client
async def test_the_actions_offered_where_asked(lsp: LspSession) -> None:
    lsp.write("runbook.yaml", SCAN)  # ./data does not exist: a run fails
    misspelt = SCAN.replace("type: personal_data", "type: findings_sumary")
    document = lsp.open("runbook.yaml", misspelt, on_disk=False)  # being edited
    diagnostic = next(d for d in await lsp.diagnostics(document) if d.code == "WCT021")

    # on the problem: its fix, carrying the diagnostic the client sent
    found = await actions(lsp, document, diagnostic.range, [diagnostic], ["quickfix"])
    assert [(a.title, a.is_preferred) for a in found] == [("Change to `findings_summary`", True)]
    assert list(found[0].diagnostics or ()) == [diagnostic]

    # elsewhere: no fix; running the runbook, and resuming only after a failed run
    anywhere = types.Range(
        start=types.Position(line=5, character=0), end=types.Position(line=5, character=0)
    )
    assert await actions(lsp, document, anywhere, only=["quickfix"]) == []
    (run_action,) = await actions(lsp, document, anywhere)
    assert run_action.kind == types.CodeActionKind.Source and run_action.command is not None
    assert run_action.command.command == "waivern.run"
    assert list(run_action.command.arguments or ()) == [document.uri]

    outcome = await run(lsp)
    assert outcome.status == "failed"
    _run, resume = await actions(lsp, document, anywhere, only=["source"])
    assert resume.command is not None and resume.command.command == "waivern.resume"
    assert list(resume.command.arguments or ()) == [document.uri, outcome.run_id]
