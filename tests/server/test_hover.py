"""Hover: what an artifact is and how it went in the latest run, what a field, a
component, a child runbook or an environment variable is; nothing on whitespace; never a
secret's value."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from lsp_support import LspSession, OpenDocument, start_session
from run_support import run

RUNBOOK = """\
name: Scan
description: Finds personal data
artifacts:
  files:
    name: Customer files
    description: Every file under ./data
    source:
      type: filesystem
      properties:
        path: data
  findings:
    description: Personal data found in the files
    inputs: [files]
    process:
      type: personal_data
    output: true
"""


def at(text: str, needle: str, offset: int = 0) -> str:
    """The runbook with the cursor `<|>` at the first `needle` (plus `offset`)."""
    index = text.index(needle) + offset
    return text[:index] + "<|>" + text[index:]


async def hover(lsp: LspSession, document: OpenDocument) -> str:
    result = await lsp.hover(document)
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    assert result.contents.kind == types.MarkupKind.Markdown
    return result.contents.value


# -- artifacts ---------------------------------------------------------------------------


async def test_an_artifact_says_what_it_is_and_that_it_has_not_run(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", at(RUNBOOK, "files:", 1))
    result = await lsp.hover(document)
    assert result is not None and result.range is not None
    assert (result.range.start.line, result.range.start.character) == (3, 2)
    assert (result.range.end.line, result.range.end.character) == (3, 7)

    text = await hover(lsp, document)
    assert "`files`" in text and "Customer files" in text
    assert "Every file under ./data" in text
    assert "extracted by the connector `filesystem`" in text
    assert "output schema `standard_input/1.0.0`" in text
    assert "used by: `findings`" in text
    assert "not run yet" in text


async def test_a_reference_shows_the_artifact_it_names(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", at(RUNBOOK, "[files]", 2))
    result = await lsp.hover(document)
    assert result is not None and result.range is not None
    assert (result.range.start.line, result.range.start.character) == (12, 13)
    text = await hover(lsp, document)
    assert "Every file under ./data" in text


async def test_a_derived_artifact_shows_its_processor_schema_and_inputs(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", at(RUNBOOK, "findings:"))
    text = await hover(lsp, document)
    assert "derived by the processor `personal_data`" in text
    assert "output schema `personal_data_finding/1.0.0`" in text
    assert "inputs: `files`" in text
    assert "used by no other artifact" in text
    assert "a result of the runbook" in text


async def test_a_completed_run_shows_status_duration_and_run_id(lsp: LspSession) -> None:
    (lsp.root / "data").mkdir()
    (lsp.root / "data" / "notes.txt").write_text("write to ada@example.com\n")
    lsp.write("runbook.yaml", RUNBOOK)
    outcome = await run(lsp)
    assert outcome.status == "completed"

    document = lsp.open("runbook.yaml", at(RUNBOOK, "findings:"))
    text = await hover(lsp, document)
    assert f"Latest run** `{outcome.run_id}` · completed" in text
    assert "`findings`: **completed** in " in text
    assert "finished " in text
    assert "not run yet" not in text


async def test_a_failed_artifact_shows_its_error_and_its_dependents_skipped(
    lsp: LspSession,
) -> None:
    lsp.write("runbook.yaml", RUNBOOK)  # ./data does not exist
    outcome = await run(lsp)
    assert outcome.status == "failed"

    document = lsp.open("runbook.yaml", at(RUNBOOK, "files:"))
    text = await hover(lsp, document)
    assert f"`{outcome.run_id}` · failed" in text
    assert "`files`: **failed**" in text
    assert "does not exist" in text  # the error, as recorded

    lsp.replace(document, at(RUNBOOK, "findings:"))
    assert "`findings`: **skipped**" in await hover(lsp, document)


async def test_the_status_follows_new_runs(lsp: LspSession) -> None:
    lsp.write("runbook.yaml", RUNBOOK)
    document = lsp.open("runbook.yaml", at(RUNBOOK, "files:"))
    assert "not run yet" in await hover(lsp, document)

    first = await run(lsp)
    assert f"`{first.run_id}` · failed" in await hover(lsp, document)

    (lsp.root / "data").mkdir()
    (lsp.root / "data" / "a.txt").write_text("nothing personal\n")
    second = await run(lsp)
    text = await hover(lsp, document)
    assert f"`{second.run_id}` · completed" in text
    assert first.run_id not in text


async def test_an_artifact_added_since_the_run_is_not_run_yet(lsp: LspSession) -> None:
    lsp.write("runbook.yaml", RUNBOOK)
    await run(lsp)
    added = (
        RUNBOOK + "  summary:\n    inputs: findings\n    process:\n      type: findings_summary\n"
    )
    document = lsp.open("runbook.yaml", at(added, "summary:"))
    text = await hover(lsp, document)
    assert "`summary`: not run yet" in text
    assert "The runbook has changed since this run started." in text


async def test_an_unreadable_run_store_means_no_status(lsp: LspSession) -> None:
    store = lsp.root / ".waivern"
    store.mkdir()
    (store / "runs.db").write_bytes(b"this is not a database" * 100)
    document = lsp.open("runbook.yaml", at(RUNBOOK, "files:"))
    assert "not run yet" in await hover(lsp, document)


async def test_a_locked_run_store_costs_only_the_status(lsp: LspSession) -> None:
    lsp.write("runbook.yaml", RUNBOOK)
    outcome = await run(lsp)
    document = lsp.open("runbook.yaml", at(RUNBOOK, "files:"))
    await lsp.diagnostics(document)

    # another process holds the store exclusively (not something wct does, but possible)
    holder = sqlite3.connect(lsp.root / ".waivern" / "runs.db", isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE runs SET reason = reason")
    try:
        text = await hover(lsp, document)
        assert "Every file under ./data" in text
        assert "not run yet" in text
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert f"`{outcome.run_id}` · failed" in await hover(lsp, document)


# -- child runbooks ----------------------------------------------------------------------

PARENT = """\
name: Parent
description: Uses a child runbook
artifacts:
  files:
    source:
      type: filesystem
      properties:
        path: data
  analysed:
    inputs: files
    child_runbook:
      path: child.yaml
      input_mapping:
        documents: files
      output_mapping:
        findings: child_findings
  report:
    inputs: child_findings
    process:
      type: findings_summary
    output: true
"""

CHILD = """\
name: Child
description: Analyses documents
inputs:
  documents:
    input_schema: standard_input/1.0.0
    description: The documents to analyse
outputs:
  findings:
    artifact: found
    description: What was found in the documents
artifacts:
  found:
    inputs: documents
    process:
      type: personal_data
"""


async def test_a_child_path_shows_the_file_and_what_it_declares(lsp: LspSession) -> None:
    child = lsp.write("child.yaml", CHILD)
    document = lsp.open("parent.yaml", at(PARENT, "child.yaml", 3))
    text = await hover(lsp, document)
    assert str(child.resolve()) in text
    assert "`documents`: `standard_input/1.0.0`, required — The documents to analyse" in text
    assert "`findings`: artifact `found`, `personal_data_finding/1.0.0`" in text
    assert "What was found in the documents" in text


async def test_an_input_mapping_key_is_the_child_input(lsp: LspSession) -> None:
    lsp.write("child.yaml", CHILD)
    document = lsp.open("parent.yaml", at(PARENT, "documents:"))
    text = await hover(lsp, document)
    assert "`documents`** · input of the child runbook `child.yaml`" in text
    assert "The documents to analyse" in text
    assert "fed by this runbook's artifact `files`" in text


async def test_a_child_output_name_and_its_alias_say_what_they_stand_for(
    lsp: LspSession,
) -> None:
    lsp.write("child.yaml", CHILD)
    document = lsp.open("parent.yaml", at(PARENT, "findings: child_findings"))
    text = await hover(lsp, document)
    assert "output of the child runbook `child.yaml`" in text
    assert "What was found in the documents" in text
    assert "available here as `child_findings`" in text

    lsp.replace(document, at(PARENT, "inputs: child_findings", 9))
    text = await hover(lsp, document)
    assert "`child_findings`** · child runbook output" in text
    assert "the output `findings` of the child runbook `child.yaml`" in text
    assert "the child's artifact `found`" in text
    assert "used by: `report`" in text


async def test_a_runbook_input_says_it_comes_from_the_parent(lsp: LspSession) -> None:
    sensitive = CHILD.replace("    description: The", "    sensitive: true\n    description: The")
    document = lsp.open("child.yaml", at(sensitive, "documents:"))
    text = await hover(lsp, document)
    assert "`documents`** · runbook input" in text
    assert "sensitive" in text
    assert "input_mapping" in text


# -- components, fields, schemas ---------------------------------------------------------


async def test_a_connector_type_shows_its_description_schema_and_settings(
    lsp: LspSession,
) -> None:
    document = lsp.open("runbook.yaml", at(RUNBOOK, "filesystem"))
    text = await hover(lsp, document)
    assert "`filesystem`** · connector" in text
    assert "Reads text files under a directory" in text
    assert "output schema `standard_input/1.0.0`" in text
    assert "- `path` (text, required): File or directory to read" in text
    assert "- `max_files` (whole number, default `1000`)" in text


async def test_a_processor_type_shows_the_inputs_it_accepts(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", at(RUNBOOK, "personal_data"))
    text = await hover(lsp, document)
    assert "`personal_data`** · processor" in text
    assert "accepts inputs `standard_input/1.0.0`" in text


async def test_a_header_field_shows_its_documentation(lsp: LspSession) -> None:
    runbook = RUNBOOK.replace("artifacts:", "config:\n  timeout: 60\nartifacts:")
    document = lsp.open("runbook.yaml", at(runbook, "timeout"))
    result = await lsp.hover(document)
    assert result is not None and result.range is not None
    assert (result.range.start.character, result.range.end.character) == (2, 9)
    text = await hover(lsp, document)
    assert "`config.timeout`** · runbook field" in text
    assert "Wall-clock limit for a run, in seconds" in text

    lsp.replace(document, at(runbook, "name"))
    assert "Name of the runbook." in await hover(lsp, document)


async def test_an_artifact_field_shows_its_documentation(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", at(RUNBOOK, "output: true"))
    text = await hover(lsp, document)
    assert "`output`** · artifact field" in text
    assert "The artifact is a result of the runbook" in text
    assert "default `false`" in text


async def test_a_component_setting_shows_the_components_documentation(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", at(RUNBOOK, "path: data"))
    text = await hover(lsp, document)
    assert "`path`** · setting of the `filesystem` connector" in text
    assert "File or directory to read" in text


async def test_a_message_schema_name_shows_the_schema(lsp: LspSession) -> None:
    runbook = RUNBOOK.replace("    output: true", "    output_schema: personal_data_finding")
    document = lsp.open("runbook.yaml", at(runbook, "personal_data_finding"))
    text = await hover(lsp, document)
    assert "`personal_data_finding/1.0.0`** · message schema" in text
    assert "newest version of `personal_data_finding`" in text


async def test_reuse_shows_the_earlier_run_and_its_artifact(lsp: LspSession) -> None:
    (lsp.root / "data").mkdir()
    (lsp.root / "data" / "a.txt").write_text("hello\n")
    lsp.write("runbook.yaml", RUNBOOK)
    earlier = await run(lsp)
    reusing = f"""\
name: Again
description: Reuses the files of an earlier run
artifacts:
  files:
    reuse:
      from_run: {earlier.run_id}
      artifact: files
    output_schema: standard_input/1.0.0
    output: true
"""
    document = lsp.open("again.yaml", at(reusing, earlier.run_id))
    text = await hover(lsp, document)
    assert f"Run** `{earlier.run_id}` · completed" in text
    assert str(lsp.root / "runbook.yaml") in text

    lsp.replace(document, at(reusing, "artifact: files", 10))
    text = await hover(lsp, document)
    assert f"`files`** · artifact of run `{earlier.run_id}` · completed" in text
    assert "**completed** in " in text


async def test_an_unknown_name_says_so(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", at(RUNBOOK.replace("[files]", "[filez]"), "filez"))
    assert "`filez`: no artifact, child output or runbook input has this name" in await hover(
        lsp, document
    )


# -- environment variables ---------------------------------------------------------------

ENV_RUNBOOK = """\
name: Env
description: Uses variables
artifacts:
  db:
    source:
      type: sqlite
      properties:
        path: ${DB_PASSWORD}
  files:
    source:
      type: filesystem
      properties:
        path: ${DATA_DIR:-data}
"""


@pytest.mark.server_env({"DB_PASSWORD": "hunter2-do-not-show"})
async def test_a_set_variable_is_set_and_its_value_is_never_shown(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", at(ENV_RUNBOOK, "DB_PASSWORD"))
    result = await lsp.hover(document)
    assert result is not None and result.range is not None
    assert (result.range.start.character, result.range.end.character) == (14, 28)
    text = await hover(lsp, document)
    assert "`${DB_PASSWORD}`** · environment variable" in text
    assert "set in the editor's environment" in text
    assert "hunter2" not in text


async def test_an_unset_variable_shows_its_default(lsp: LspSession) -> None:
    document = lsp.open("runbook.yaml", at(ENV_RUNBOOK, "DATA_DIR"))
    text = await hover(lsp, document)
    assert "not set: the default is used" in text
    assert "default `data`" in text

    lsp.replace(document, at(ENV_RUNBOOK, "DB_PASSWORD"))
    assert "not set and no default" in await hover(lsp, document)


async def test_the_range_is_in_the_clients_units(lsp: LspSession) -> None:
    runbook = ENV_RUNBOOK.replace("${DB_PASSWORD}", '"🗄️/${DB_PASSWORD}"')
    document = lsp.open("runbook.yaml", runbook)
    line = runbook.splitlines()[7]
    start = line.index("${")
    end = line.index("}") + 1

    # what pygls chose: the client's first encoding (Neovim: UTF-8), else UTF-16
    general = lsp.client.capabilities.general if lsp.client.capabilities else None
    encoding = (general.position_encodings or ("utf-16",))[0] if general else "utf-16"

    def units(column: int) -> int:
        return len(line[:column].encode("utf-8" if encoding == "utf-8" else "utf-16-le")) // (
            1 if encoding == "utf-8" else 2
        )

    document.cursor = types.Position(line=7, character=units(start + 3))
    result = await lsp.hover(document)
    assert result is not None and result.range is not None
    assert (result.range.start.character, result.range.end.character) == (units(start), units(end))
    assert units(start) > start  # the emoji counts more than one unit in either encoding


# -- nothing to say ----------------------------------------------------------------------


async def test_whitespace_and_plain_values_have_no_hover(lsp: LspSession) -> None:
    spaced = RUNBOOK.replace("  findings:", "\n  findings:")
    document = lsp.open("runbook.yaml", at(spaced, "\n\n", 1))
    assert await lsp.hover(document) is None

    lsp.replace(document, at(spaced, "Finds personal data", 3))
    assert await lsp.hover(document) is None


# -- clients without Markdown ------------------------------------------------------------


async def test_a_client_without_markdown_gets_plain_text(tmp_path: Path) -> None:
    capabilities = client_capabilities("neovim")
    assert capabilities.text_document is not None
    capabilities.text_document.hover = types.HoverClientCapabilities(
        content_format=[types.MarkupKind.PlainText]
    )
    root = tmp_path / "workspace"
    root.mkdir()
    session = await start_session("neovim", root, capabilities=capabilities)
    try:
        document = session.open("runbook.yaml", at(RUNBOOK, "files:"))
        result = await session.hover(document)
        assert result is not None
        assert isinstance(result.contents, types.MarkupContent)
        assert result.contents.kind == types.MarkupKind.PlainText
        assert "**" not in result.contents.value
        assert "Every file under ./data" in result.contents.value
    finally:
        await session.client.shutdown_session()
        await session.client.stop()
