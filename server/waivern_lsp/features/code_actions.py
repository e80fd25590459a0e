"""Code actions (`textDocument/codeAction`): quick fixes for the diagnostics under the
cursor, and running the runbook.

Quick fixes (kind `quickfix`, made by `quick_fixes`) carry the diagnostic they resolve
and a workspace edit of the document version they were computed for (`documentChanges`
where the client takes them, else `changes`); the single best one is preferred. "Run
the runbook" (`waivern.run [uri]`) and, when its latest run failed or was interrupted,
"Resume run …" (`waivern.resume [uri, run_id]`) are offered everywhere in the runbook as
`source` actions: the same as its code lenses, for editors that show no lenses (Neovim).
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types as lsp

from waivern_lsp.conversions import LineCodec, to_lsp_diagnostic
from waivern_lsp.features.code_lens import latest_run
from waivern_lsp.language.lens_titles import resumable
from waivern_lsp.language.quick_fixes import FIXABLE, QuickFix, quick_fixes, unset_variable
from waivern_lsp.server import WaivernServer
from waivern_lsp.workspace import RunbookDocument
from waivern_orchestration.analysis.dotenv_files import DOTENV, dotenv_paths
from waivern_orchestration.parse.positions import Range

QUICK_FIX = lsp.CodeActionKind.QuickFix
SOURCE = lsp.CodeActionKind.Source

Answer = list[lsp.Command | lsp.CodeAction]


def register(server: WaivernServer) -> None:
    options = lsp.CodeActionOptions(code_action_kinds=[QUICK_FIX, SOURCE], resolve_provider=False)

    @server.request(lsp.TEXT_DOCUMENT_CODE_ACTION, options)
    async def code_action(params: lsp.CodeActionParams) -> Answer | None:
        document = await server.document(params.text_document.uri)
        if document is None or document.analysis is None:
            return None
        literals = server.supports("text_document.code_action.code_action_literal_support")
        only = params.context.only
        actions: Answer = []
        if literals and _wanted(QUICK_FIX, only):
            actions.extend(_fixes(server, document, params))
        if _wanted(SOURCE, only):
            actions.extend(await _run_actions(server, document, literals))
        return actions


def _wanted(kind: str, only: Sequence[str] | None) -> bool:
    return only is None or any(kind == asked or kind.startswith(f"{asked}.") for asked in only)


def _fixes(
    server: WaivernServer, document: RunbookDocument, params: lsp.CodeActionParams
) -> list[lsp.CodeAction]:
    analysis = document.analysis
    assert analysis is not None
    codec = server.codec(document)
    asked = Range(codec.from_client(params.range.start), codec.from_client(params.range.end))
    sent = {_key(d.code, d.range): d for d in params.context.diagnostics if d.source == "waivern"}
    preferred = server.supports("text_document.code_action.is_preferred_support")
    actions: list[lsp.CodeAction] = []
    for diagnostic in analysis.diagnostics:
        if diagnostic.code not in FIXABLE or not _overlaps(diagnostic.range, asked):
            continue
        fixes = quick_fixes(analysis, diagnostic, document.lines, server.runbooks.registry)
        if not fixes:
            continue
        shown = codec.range(diagnostic.range)
        attached = sent.get(_key(diagnostic.code, shown)) or to_lsp_diagnostic(diagnostic, codec)
        if diagnostic.code == "WCT050":
            added = _add_to_dotenv(server, document, unset_variable(analysis, diagnostic))
            if added is not None:
                title, edit = added
                actions.append(
                    lsp.CodeAction(
                        title=title,
                        kind=QUICK_FIX,
                        diagnostics=[attached],
                        edit=edit,
                        is_preferred=True if preferred else None,
                    )
                )
        actions.extend(
            lsp.CodeAction(
                title=fix.title,
                kind=QUICK_FIX,
                diagnostics=[attached],
                edit=_edit(server, document, codec, fix),
                is_preferred=True if fix.preferred and preferred else None,
            )
            for fix in fixes
        )
    return actions


def _add_to_dotenv(
    server: WaivernServer, document: RunbookDocument, name: str | None
) -> tuple[str, lsp.WorkspaceEdit] | None:
    """A line `NAME=` at the end of the `.env` beside the runbook (created when there is
    none and the client can create files); the user types the value after it."""
    if name is None:
        return None
    path = dotenv_paths(document.path, document.path.parent)[0]
    uri = path.as_uri()
    title = f"Add `{name}=` to {DOTENV} beside the runbook"
    if not path.exists():
        operations = server.capability("workspace.workspace_edit.resource_operations") or []
        if "create" not in operations or not server.supports(
            "workspace.workspace_edit.document_changes"
        ):
            return None
        insert = lsp.TextEdit(range=lsp.Range(start=_START, end=_START), new_text=f"{name}=\n")
        return title, lsp.WorkspaceEdit(
            document_changes=[
                lsp.CreateFile(uri=uri, options=lsp.CreateFileOptions(ignore_if_exists=True)),
                lsp.TextDocumentEdit(
                    text_document=lsp.OptionalVersionedTextDocumentIdentifier(
                        uri=uri, version=None
                    ),
                    edits=[insert],
                ),
            ]
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None  # (a file we cannot read is not one to edit)
    lines = text.split("\n")
    end = lsp.Position(line=len(lines) - 1, character=len(lines[-1]))  # (ASCII names)
    separator = "" if not text or text.endswith("\n") else "\n"
    insert = lsp.TextEdit(range=lsp.Range(start=end, end=end), new_text=f"{separator}{name}=\n")
    if server.supports("workspace.workspace_edit.document_changes"):
        return title, lsp.WorkspaceEdit(
            document_changes=[lsp.TextDocumentEdit(text_document=_unversioned(uri), edits=[insert])]
        )
    return title, lsp.WorkspaceEdit(changes={uri: [insert]})


def _unversioned(uri: str) -> lsp.OptionalVersionedTextDocumentIdentifier:
    return lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None)


_START = lsp.Position(line=0, character=0)


def _key(code: object, range_: lsp.Range) -> tuple[object, ...]:
    start, end = range_.start, range_.end
    return (code, start.line, start.character, end.line, end.character)


def _overlaps(diagnostic: Range, asked: Range) -> bool:
    return diagnostic.start <= asked.end and asked.start <= diagnostic.end


def _edit(
    server: WaivernServer, document: RunbookDocument, codec: LineCodec, fix: QuickFix
) -> lsp.WorkspaceEdit:
    edits = [
        lsp.TextEdit(range=codec.range(change.range), new_text=change.text)
        for change in fix.changes
    ]
    if server.supports("workspace.workspace_edit.document_changes"):
        versioned = lsp.OptionalVersionedTextDocumentIdentifier(
            uri=document.uri, version=document.version
        )
        return lsp.WorkspaceEdit(
            document_changes=[lsp.TextDocumentEdit(text_document=versioned, edits=list(edits))]
        )
    return lsp.WorkspaceEdit(changes={document.uri: list(edits)})


async def _run_actions(server: WaivernServer, document: RunbookDocument, literals: bool) -> Answer:
    run = await latest_run(server.runbooks.store_dir, document.path)
    header = document.analysis.header if document.analysis is not None else None
    child = header is not None and bool(header.required_inputs)  # its parent runs it
    commands = []
    if not child:
        commands.append(
            lsp.Command(title="Run the runbook", command="waivern.run", arguments=[document.uri])
        )
    if run is not None and resumable(run):
        commands.append(
            lsp.Command(
                title=f"Resume run {run.run_id} ({run.status})",
                command="waivern.resume",
                arguments=[document.uri, run.run_id],
            )
        )
    if not literals:
        return list(commands)
    return [
        lsp.CodeAction(title=command.title, kind=SOURCE, command=command) for command in commands
    ]
