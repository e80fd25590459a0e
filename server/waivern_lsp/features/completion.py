"""Completion (`textDocument/completion`): what may be typed at the cursor, on the line as
typed, even while the runbook is not valid YAML.

Field keys with their documentation, enum and `true`/`false` values, connector and
processor types, component settings, artifact ids for `inputs` (never one that would
close a cycle), child runbook files and the names a child declares, runs for `reuse`,
message schemas and `${VAR}` names (never their values). `waivern_lsp.language.cursor` reads what
is typed, `waivern_lsp.language.completion` decides what to offer; this module only translates:
client units, snippets or plain text, Markdown or plain documentation, and a trigger
character where nothing applies answers nothing.
"""

from __future__ import annotations

import asyncio
import logging

from lsprotocol import types as lsp

from waivern_lsp.conversions import LineCodec
from waivern_lsp.language.completion import (
    Choice,
    ChoiceKind,
    CompletionContext,
    StoredRuns,
    complete,
    matching,
    pops_up,
    reads_run_store,
)
from waivern_lsp.language.completion.runs import read_runs
from waivern_lsp.language.cursor import Cursor, cursor_at
from waivern_lsp.server import WaivernServer

log = logging.getLogger(__name__)

TRIGGER_CHARACTERS = [":", " ", "$", "{", "/", ",", "["]
# Past this many choices only those matching what is typed are sent, and the client is
# told to ask again as typing goes on (a runbook may have thousands of artifacts).
MAX_ITEMS = 300
# How long completion waits for the run store (`reuse`): a busy store offers no runs.
STORE_PATIENCE_SECONDS = 1.0

_KINDS = {
    ChoiceKind.FIELD: lsp.CompletionItemKind.Property,
    ChoiceKind.VALUE: lsp.CompletionItemKind.Value,
    ChoiceKind.ARTIFACT: lsp.CompletionItemKind.Reference,
    ChoiceKind.CONNECTOR: lsp.CompletionItemKind.Class,
    ChoiceKind.PROCESSOR: lsp.CompletionItemKind.Function,
    ChoiceKind.CHILD_NAME: lsp.CompletionItemKind.Field,
    ChoiceKind.FILE: lsp.CompletionItemKind.File,
    ChoiceKind.FOLDER: lsp.CompletionItemKind.Folder,
    ChoiceKind.RUN: lsp.CompletionItemKind.Event,
    ChoiceKind.SCHEMA: lsp.CompletionItemKind.Interface,
    ChoiceKind.VARIABLE: lsp.CompletionItemKind.Variable,
}


def register(server: WaivernServer) -> None:
    @server.request(
        lsp.TEXT_DOCUMENT_COMPLETION,
        lsp.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS, resolve_provider=False),
    )
    async def completion(params: lsp.CompletionParams) -> lsp.CompletionList | None:
        document = await server.document(params.text_document.uri)
        if document is None or document.analysis is None:
            return None
        codec = server.codec(document)
        cursor = cursor_at(document.lines, codec.from_client(params.position))
        trigger = _trigger_character(params.context)
        if cursor is None or (trigger is not None and not pops_up(cursor, trigger)):
            return None
        store = StoredRuns()
        run_id = reads_run_store(cursor, document.lines)
        if run_id is not None:
            store = await _read_store(server, run_id or None)
        context = CompletionContext(
            analysis=document.analysis,
            lines=document.lines,
            registry=server.runbooks.registry,
            env=server.runbooks.environment(document.path),
            store=store,
        )
        choices = complete(cursor, context)
        if not choices:
            return None
        incomplete = len(choices) > MAX_ITEMS
        if incomplete:
            choices = matching(choices, cursor.word)[:MAX_ITEMS]
        items = _Items(server, codec, cursor)
        return lsp.CompletionList(
            is_incomplete=incomplete, items=[items.item(choice) for choice in choices]
        )


def _trigger_character(context: lsp.CompletionContext | None) -> str | None:
    """The character that triggered the request (None: the user asked, or typed a word)."""
    if context is None or context.trigger_kind != lsp.CompletionTriggerKind.TriggerCharacter:
        return None
    return context.trigger_character


async def _read_store(server: WaivernServer, run_id: str | None) -> StoredRuns:
    store_dir = server.runbooks.store_dir
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(read_runs, store_dir, run_id), STORE_PATIENCE_SECONDS
        )
    except TimeoutError:
        log.warning("the run store at %s is busy: completion offers no runs", store_dir)
        return StoredRuns(readable=False)


class _Items:
    """Choices → LSP items, as this client takes them."""

    def __init__(self, server: WaivernServer, codec: LineCodec, cursor: Cursor) -> None:
        prefix = "text_document.completion.completion_item."
        self.snippets = server.supports(prefix + "snippet_support")
        self.markdown = _accepts_markdown(server)
        self.adjusts_indentation = _adjusts_indentation(server)
        self.range = codec.range(cursor.span)

    def item(self, choice: Choice) -> lsp.CompletionItem:
        snippet = self.snippets and choice.snippet is not None
        text = choice.snippet if snippet and choice.snippet is not None else choice.text
        documentation: str | lsp.MarkupContent | None = choice.documentation
        if choice.documentation is not None and self.markdown:
            documentation = lsp.MarkupContent(
                kind=lsp.MarkupKind.Markdown, value=choice.documentation
            )
        return lsp.CompletionItem(
            label=choice.label,
            kind=_KINDS[choice.kind],
            detail=choice.detail,
            documentation=documentation,
            sort_text=f"{choice.order}{choice.label}",
            filter_text=choice.filter,
            text_edit=lsp.TextEdit(range=self.range, new_text=text),
            insert_text_format=lsp.InsertTextFormat.Snippet
            if snippet
            else lsp.InsertTextFormat.PlainText,
            insert_text_mode=lsp.InsertTextMode.AdjustIndentation
            if snippet and choice.multiline and self.adjusts_indentation
            else None,
        )


def _accepts_markdown(server: WaivernServer) -> bool:
    formats = server.capability("text_document.completion.completion_item.documentation_format")
    return lsp.MarkupKind.Markdown in (formats or ())


def _adjusts_indentation(server: WaivernServer) -> bool:
    modes = server.capability(
        "text_document.completion.completion_item.insert_text_mode_support.value_set"
    )
    return lsp.InsertTextMode.AdjustIndentation in (modes or ())
