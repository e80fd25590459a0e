"""Diagnostics as you type: pushed after each edit, pulled where the client can, related
information, documentation links and tags, child runbooks re-publishing their parents,
and nothing stale left behind. With one client, but for what depends on its capabilities
(asking to hear of files changing on disk)."""

from __future__ import annotations

from lsprotocol import types

from lsp_support import LspSession, one_client
from runbook_samples import CHILD, PARENT, SCAN


def changed_on_disk(lsp: LspSession, name: str, change: types.FileChangeType) -> None:
    """Tell the server a file of the workspace changed, as the client's watcher would."""
    lsp.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=(lsp.root / name).as_uri(), type=change)]
        )
    )


@one_client
async def test_problems_are_flagged_as_they_are_typed_and_cleared_when_fixed(
    lsp: LspSession,
) -> None:
    document = lsp.open("runbook.yaml", SCAN)
    assert await lsp.diagnostics(document) == []

    lsp.replace(document, SCAN.replace("inputs: [files]", "inputs: [filez]"))
    problem, unused = sorted(await lsp.diagnostics(document), key=lambda d: str(d.code))
    assert problem.code == "WCT010"
    assert problem.severity == types.DiagnosticSeverity.Error
    assert "did you mean `files`" in problem.message
    assert (problem.range.start.line, problem.range.start.character) == (9, 13)
    assert problem.source == "waivern"
    assert problem.code_description is not None
    assert problem.code_description.href.endswith("diagnostics.md#wct010")

    # `files` is no longer used: a hint the editor greys out
    assert unused.code == "WCT090"
    assert unused.severity == types.DiagnosticSeverity.Hint
    assert list(unused.tags or ()) == [types.DiagnosticTag.Unnecessary]
    assert unused.range.start.line == 3

    # a duplicate points at the other site
    lsp.replace(
        document,
        SCAN.replace("  findings:\n", "  files:\n    source: {type: filesystem}\n  findings:\n"),
    )
    duplicates = [d for d in await lsp.diagnostics(document) if d.code == "WCT003"]
    assert duplicates
    related = duplicates[0].related_information
    assert related
    assert related[0].location.uri == document.uri
    assert {related[0].location.range.start.line, duplicates[0].range.start.line} == {3, 8}

    lsp.replace(document, SCAN)
    assert await lsp.diagnostics(document) == []


@one_client
async def test_pulled_diagnostics_have_a_result_id_per_version(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", SCAN.replace("inputs: [files]", "inputs: [nope]"))
    params = types.DocumentDiagnosticParams(text_document=document.id)
    first = await lsp.client.text_document_diagnostic_async(params)
    assert isinstance(first, types.RelatedFullDocumentDiagnosticReport)
    assert sorted(str(d.code) for d in first.items) == ["WCT010", "WCT090"]

    params.previous_result_id = first.result_id
    again = await lsp.client.text_document_diagnostic_async(params)
    assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)
    assert again.result_id == first.result_id

    lsp.replace(document, SCAN)
    changed = await lsp.client.text_document_diagnostic_async(params)
    assert isinstance(changed, types.RelatedFullDocumentDiagnosticReport)
    assert list(changed.items) == []
    assert changed.result_id != first.result_id


@one_client
async def test_an_edit_to_an_open_child_runbook_republishes_its_parent(lsp: LspSession) -> None:
    parent = lsp.open("parent.yaml", PARENT)
    child = lsp.open("child.yaml", CHILD)
    assert await lsp.diagnostics(parent) == []
    assert await lsp.diagnostics(child) == []
    seen = lsp.published_count(parent.uri)

    # the child no longer declares the output the parent asks for
    lsp.replace(
        child, CHILD.replace("  findings:\n    artifact: found", "  results:\n    artifact: found")
    )
    published = await lsp.next_publish(parent.uri, seen)
    assert [d.code for d in published.diagnostics] == ["WCT045"]
    assert published.diagnostics[0].range.start.line == 14  # `output: findings`

    lsp.replace(child, CHILD)
    fixed = await lsp.next_publish(parent.uri, seen + 1)
    assert fixed.diagnostics == []


@one_client
async def test_a_child_runbook_created_or_changed_on_disk_republishes_its_parent(
    lsp: LspSession,
) -> None:
    parent = lsp.open("parent.yaml", PARENT)
    [missing] = await lsp.diagnostics(parent)
    assert missing.code == "WCT041"
    seen = lsp.published_count(parent.uri)

    lsp.write("child.yaml", CHILD)
    changed_on_disk(lsp, "child.yaml", types.FileChangeType.Created)
    published = await lsp.next_publish(parent.uri, seen)
    assert published.diagnostics == []

    lsp.write(
        "child.yaml", CHILD.replace("documents:\n    input_schema", "docs:\n    input_schema")
    )
    changed_on_disk(lsp, "child.yaml", types.FileChangeType.Changed)
    published = await lsp.next_publish(parent.uri, seen + 1)
    # the parent maps an input the child no longer declares, misses the one it does, and
    # the child itself is now broken
    assert sorted(str(d.code) for d in published.diagnostics) == ["WCT043", "WCT044", "WCT046"]


@one_client
async def test_only_runbooks_get_diagnostics_and_none_are_left_stale(lsp: LspSession) -> None:
    # other YAML files get nothing, pushed or pulled
    other = lsp.open(".github/workflows/ci.yaml", "on: push\njobs:\n  build: {runs-on: x}\n")
    # a runbook by its name is served before it has artifacts
    named = lsp.open("new.runbook.yaml", "name: New\n")
    problems = await lsp.diagnostics(named)
    assert [d.code for d in problems] == ["WCT002", "WCT002"]
    assert {"`artifacts`", "`description`"} <= {w for d in problems for w in d.message.split()}
    assert lsp.published_count(other.uri) == 0
    report = await lsp.client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=other.id)
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert list(report.items) == []

    # a document that stops being a runbook is cleared
    notes = lsp.open("notes.yaml", SCAN.replace("inputs: [files]", "inputs: [nope]"))
    assert await lsp.diagnostics(notes) != []
    seen = lsp.published_count(notes.uri)
    lsp.replace(notes, "title: just notes\nitems: [1, 2]\n")
    cleared = await lsp.next_publish(notes.uri, seen)
    assert cleared.diagnostics == []

    # so is a runbook closed
    seen = lsp.published_count(named.uri)
    lsp.close(named)
    cleared = await lsp.next_publish(named.uri, seen)
    assert cleared.diagnostics == []


async def test_the_server_asks_to_hear_of_yaml_and_env_files_changing_on_disk(
    lsp: LspSession,
) -> None:
    document = lsp.open("runbook.yaml", SCAN)
    await lsp.diagnostics(document)
    caps = lsp.client.capabilities
    assert caps is not None
    watched = caps.workspace and caps.workspace.did_change_watched_files
    if not (watched and watched.dynamic_registration):
        assert lsp.client.registrations == []
        return
    [registration] = lsp.client.registrations
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    options = registration.register_options
    patterns = [w["globPattern"] for w in options["watchers"]]  # type: ignore[index]
    assert patterns == ["**/*.yaml", "**/*.yml", "**/.env"]
