"""Code actions: each quick fix, applied to the text, leaves the runbook without its
diagnostic; "Run" and "Resume" are offered as actions too (for editors without lenses)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Union

from lsprotocol import types

from lsp_support import LspSession, OpenDocument
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


async def test_unknown_artifact_changes_to_the_closest_id(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", SCAN.replace("inputs: [files]", "inputs: [file]"))
    assert await fix(lsp, document, "WCT010") == []
    assert "inputs: [files]" in document.text


async def test_unknown_connector_and_processor_types_change_to_the_closest(
    lsp: LspSession,
) -> None:
    misspelt = SCAN.replace("type: filesystem", "type: filesystm")
    document = lsp.open(
        "runbook.yaml", misspelt.replace("type: personal_data", "type: personal_dat")
    )
    assert await fix(lsp, document, "WCT020") == ["WCT021"]
    assert await fix(lsp, document, "WCT021") == []
    assert document.text == SCAN


async def test_unmapped_child_input_is_mapped_to_the_artifacts_input(lsp: LspSession) -> None:
    lsp.write("child.yaml", CHILD)
    unmapped = PARENT.replace("      input_mapping:\n        documents: files\n", "")
    document = lsp.open("runbook.yaml", unmapped)
    assert await fix(lsp, document, "WCT043") == []
    assert "      input_mapping:\n        documents: files\n" in document.text


async def test_missing_output_schema_is_added_for_a_reused_artifact(lsp: LspSession) -> None:
    reusing = SCAN.replace(
        "    source:\n      type: filesystem\n      properties:\n        path: data\n",
        "    reuse:\n      from_run: 20250101-000000-abcd\n      artifact: files\n",
    )
    document = lsp.open("runbook.yaml", reusing)
    left = await fix(lsp, document, "WCT031")
    assert "WCT031" not in left and not [code for code in left if code < "WCT050"]
    assert "      artifact: files\n    output_schema: standard_input/1.0.0\n" in document.text


async def test_an_unused_artifact_is_marked_as_an_output(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", SCAN.replace("    output: true\n", ""))
    assert await fix(lsp, document, "WCT090") == []
    assert document.text == SCAN


async def test_run_is_offered_and_resume_only_after_a_failed_run(lsp: LspSession) -> None:
    lsp.write("runbook.yaml", SCAN)  # ./data does not exist: the run fails
    document = lsp.open("runbook.yaml", SCAN)
    anywhere = types.Range(
        start=types.Position(line=5, character=0), end=types.Position(line=5, character=0)
    )
    (run_action,) = await actions(lsp, document, anywhere)
    assert run_action.kind == types.CodeActionKind.Source and run_action.command is not None
    assert run_action.command.command == "waivern.run"
    assert list(run_action.command.arguments or ()) == [document.uri]
    assert await actions(lsp, document, anywhere, only=["quickfix"]) == []

    outcome = await run(lsp)
    assert outcome.status == "failed"
    _run, resume = await actions(lsp, document, anywhere, only=["source"])
    assert resume.command is not None and resume.command.command == "waivern.resume"
    assert list(resume.command.arguments or ()) == [document.uri, outcome.run_id]
