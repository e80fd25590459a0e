"""Completion as you type, `<|>` marking the cursor: field keys, values, components and
their settings, artifact ids (never one that would close a cycle), child runbooks, runs to
reuse, message schemas and environment variables; on lines that are not valid YAML yet,
with snippets only for editors that take them, and nothing where nothing applies."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from lsp_support import LspSession, OpenDocument, from_client, start_session, to_client
from waivern_orchestration.execution.events import SilentSink
from waivern_orchestration.execution.runs import RunRequest, execute

HEADER = """\
name: Scan
description: Finds personal data
artifacts:
"""

FILES = """\
  files:
    description: Every file under ./data
    source:
      type: filesystem
      properties:
        path: data
"""

CHAIN = (
    HEADER
    + FILES
    + """\
  findings:
    inputs: files
    process:
      type: personal_data
  summary:
    inputs: findings
    process:
      type: findings_summary
    output: true
"""
)


def labels(items: Sequence[types.CompletionItem]) -> list[str]:
    return [item.label for item in items]


def item(items: Sequence[types.CompletionItem], label: str) -> types.CompletionItem:
    found = [candidate for candidate in items if candidate.label == label]
    assert found, f"{label!r} not offered; offered: {labels(items)}"
    return found[0]


def accept(lsp: LspSession, document: OpenDocument, chosen: types.CompletionItem) -> str:
    """The cursor's line once the item is accepted (its text edit applied)."""
    edit = chosen.text_edit
    assert isinstance(edit, types.TextEdit)
    assert edit.range.start.line == edit.range.end.line == document.at().line
    start = from_client(document.text, edit.range.start, lsp.encoding).character
    end = from_client(document.text, edit.range.end, lsp.encoding).character
    line = document.text.split("\n")[document.at().line]
    return line[:start] + edit.new_text + line[end:]


async def complete_at(
    lsp: LspSession, text: str
) -> tuple[OpenDocument, list[types.CompletionItem]]:
    document = lsp.open("runbook.yaml", text)
    return document, await lsp.completion(document)


# -- field keys ----------------------------------------------------------------------


async def test_an_artifact_is_offered_the_fields_its_production_still_allows(
    lsp: LspSession,
) -> None:
    _, items = await complete_at(lsp, HEADER + FILES + "    <|>\n")
    offered = labels(items)
    assert {"name", "contact", "output", "optional", "output_schema"} <= set(offered)
    # written already, or excluded by `source` (WCT004)
    for absent in ("description", "source", "inputs", "process", "reuse", "child_runbook"):
        assert absent not in offered


async def test_a_key_is_completed_on_a_line_that_is_not_yaml_yet(lsp: LspSession) -> None:
    document, items = await complete_at(
        lsp, CHAIN.replace("    inputs: findings\n", "    inpu<|>\n")
    )
    inputs = item(items, "inputs")
    assert accept(lsp, document, inputs) in ("    inputs: ", "    inputs: $0")
    assert inputs.detail == "text or list of text"
    assert isinstance(inputs.documentation, types.MarkupContent)
    assert "Artifact id(s) this artifact is derived from" in inputs.documentation.value


async def test_a_key_already_followed_by_a_colon_is_replaced_alone(lsp: LspSession) -> None:
    document, items = await complete_at(lsp, CHAIN.replace("    output: true", "    out<|>: true"))
    assert accept(lsp, document, item(items, "output")) == "    output: true"
    assert accept(lsp, document, item(items, "optional")) == "    optional: true"


async def test_the_top_level_offers_the_runbook_fields_not_written_yet(lsp: LspSession) -> None:
    _, items = await complete_at(lsp, "<|>\n" + CHAIN)
    assert labels(items) == ["contact", "framework", "config", "inputs", "outputs"]


async def test_a_new_artifact_id_is_the_users_to_choose(lsp: LspSession) -> None:
    _, items = await complete_at(lsp, CHAIN + "  <|>\n")
    assert items == []


async def test_a_mapping_field_inserts_its_required_keys_as_a_snippet(lsp: LspSession) -> None:
    _, items = await complete_at(lsp, HEADER + "  files:\n    <|>\n")
    source = item(items, "source")
    assert source.insert_text_format == types.InsertTextFormat.Snippet
    assert isinstance(source.text_edit, types.TextEdit)
    assert source.text_edit.new_text == "source:\n  type: $1"
    output = item(items, "output")
    assert isinstance(output.text_edit, types.TextEdit)
    assert output.text_edit.new_text == "output: ${1|true,false|}"


async def test_editors_without_snippets_get_plain_text(tmp_path: Path) -> None:
    root = tmp_path / "workspace"
    root.mkdir()
    lsp = await start_session("neovim", root, capabilities=client_capabilities("neovim@v0.9.1"))
    try:
        document, items = await complete_at(lsp, HEADER + "  files:\n    sou<|>\n")
        source = item(items, "source")
        assert source.insert_text_format in (None, types.InsertTextFormat.PlainText)
        assert accept(lsp, document, source) == "    source:"
        assert all(i.insert_text_format != types.InsertTextFormat.Snippet for i in items)
    finally:
        await lsp.client.shutdown_session()
        await lsp.client.stop()


# -- values --------------------------------------------------------------------------


async def test_booleans_and_enums_offer_their_values(lsp: LspSession) -> None:
    _, items = await complete_at(lsp, CHAIN.replace("output: true", "output: <|>"))
    assert labels(items) == ["true", "false"]
    _, items = await complete_at(lsp, CHAIN.replace("    output: true", "    merge: <|>"))
    assert labels(items) == ["concatenate"]


async def test_connector_and_processor_types_come_with_their_descriptions(
    lsp: LspSession,
) -> None:
    document, items = await complete_at(lsp, CHAIN.replace("type: filesystem", "type: fi<|>"))
    assert labels(items) == ["filesystem", "sqlite"]
    filesystem = item(items, "filesystem")
    assert accept(lsp, document, filesystem) == "      type: filesystem"
    assert isinstance(filesystem.documentation, types.MarkupContent)
    assert "Reads text files under a directory" in filesystem.documentation.value

    _, items = await complete_at(lsp, CHAIN.replace("type: findings_summary", "type: <|>"))
    assert labels(items) == ["findings_summary", "personal_data"]


async def test_right_after_the_colon_a_value_comes_with_its_space(lsp: LspSession) -> None:
    document, items = await complete_at(lsp, CHAIN.replace("type: filesystem", "type:<|>"))
    assert accept(lsp, document, item(items, "sqlite")) == "      type: sqlite"


async def test_component_properties_come_from_the_components_schema(lsp: LspSession) -> None:
    _, items = await complete_at(
        lsp, CHAIN.replace("        path: data\n", "        path: data\n        <|>\n")
    )
    assert labels(items) == ["include", "exclude", "max_files", "encoding"]

    _, items = await complete_at(
        lsp, CHAIN.replace("path: data", "path: data\n        max_files: <|>")
    )
    assert labels(items) == ["1000"]
    assert item(items, "1000").detail == "default"

    with_ruleset = CHAIN.replace(
        "      type: personal_data\n",
        "      type: personal_data\n      properties:\n        ruleset: <|>\n",
    )
    _, items = await complete_at(lsp, with_ruleset)
    assert labels(items) == ["default", "strict"]


async def test_output_schema_offers_the_known_message_schemas(lsp: LspSession) -> None:
    _, items = await complete_at(lsp, CHAIN + "  old:\n    output_schema: <|>\n")
    assert "standard_input/1.0.0" in labels(items)
    assert "personal_data_finding/1.0.0" in labels(items)


# -- artifact ids --------------------------------------------------------------------


async def test_inputs_offer_artifacts_that_would_not_close_a_cycle(lsp: LspSession) -> None:
    # files → findings → summary: `files` may take neither (nor itself)
    text = CHAIN.replace(
        "    source:\n      type: filesystem",
        "    inputs: <|>\n    source:\n      type: filesystem",
    )
    _, items = await complete_at(lsp, text)
    assert items == []

    _, items = await complete_at(lsp, CHAIN.replace("inputs: findings", "inputs: <|>"))
    assert labels(items) == ["files", "findings"]


async def test_inputs_are_offered_in_every_list_form(lsp: LspSession) -> None:
    extra = CHAIN + "  report:\n    description: x\n    source:\n      type: sqlite\n"
    flow = extra.replace("inputs: findings", "inputs: [report, <|>]")
    _, items = await complete_at(lsp, flow)
    assert labels(items) == ["files", "findings"]  # not `report` again, not itself

    block = extra.replace("inputs: findings", "inputs:\n      - files\n      - <|>")
    _, items = await complete_at(lsp, block)
    assert labels(items) == ["findings", "report"]

    unclosed = extra.replace("inputs: findings", "inputs: [files,<|>")  # not YAML yet
    document, items = await complete_at(lsp, unclosed)
    assert accept(lsp, document, item(items, "report")) == "    inputs: [files, report"


async def test_a_partly_typed_id_is_replaced_whole(lsp: LspSession) -> None:
    document, items = await complete_at(lsp, CHAIN.replace("inputs: findings", "inputs: fi<|>nd"))
    findings = item(items, "findings")
    assert findings.detail == "processor personal_data · personal_data_finding/1.0.0"
    assert accept(lsp, document, findings) == "    inputs: findings"


async def test_a_runbook_with_thousands_of_artifacts_sends_those_matching_what_is_typed(
    lsp: LspSession,
) -> None:
    many = "".join(f"  a{index}:\n    source:\n      type: sqlite\n" for index in range(2000))
    document = lsp.open("runbook.yaml", HEADER + many + "  last:\n    inputs: a199<|>\n")
    result = await lsp.client.text_document_completion_async(
        types.CompletionParams(text_document=document.id, position=document.at())
    )
    assert isinstance(result, types.CompletionList)
    assert result.is_incomplete  # the client asks again as typing goes on
    assert sorted(labels(result.items)) == [
        "a199",
        "a1990",
        "a1991",
        "a1992",
        "a1993",
        "a1994",
        "a1995",
        "a1996",
        "a1997",
        "a1998",
        "a1999",
    ]


# -- child runbooks ------------------------------------------------------------------

CHILD = """\
name: Personal data analysis
description: Strict analysis of what the parent maps in
inputs:
  documents:
    input_schema: standard_input/1.0.0
    description: Text to analyse
  extra:
    input_schema: standard_input/1.0.0
    optional: true
outputs:
  findings:
    artifact: strict_findings
    description: Personal data found
  counts:
    artifact: summary
artifacts:
  strict_findings:
    inputs: [documents]
    process:
      type: personal_data
  summary:
    inputs: strict_findings
    process:
      type: findings_summary
"""

PARENT = (
    """\
name: Parent
description: Uses a child runbook
config:
  template_paths: [templates]
artifacts:
"""
    + FILES
    + """\
  analysis:
    inputs: files
    child_runbook:
      path: pd_analysis.yaml
      input_mapping:
        documents: files
      output: findings
"""
)


async def test_child_runbook_paths_come_from_its_folder_and_template_paths(
    lsp: LspSession,
) -> None:
    lsp.write("templates/pd_analysis.yaml", CHILD)
    lsp.write("local_child.yaml", CHILD)
    lsp.write("notes.txt", "not a runbook")
    document, items = await complete_at(lsp, PARENT.replace("path: pd_analysis.yaml", "path: <|>"))
    offered = labels(items)
    assert {"local_child.yaml", "pd_analysis.yaml", "templates/"} <= set(offered)
    assert "runbook.yaml" not in offered  # itself: a cycle
    assert "notes.txt" not in offered
    assert item(items, "pd_analysis.yaml").detail == "in templates/ (template path)"

    document, items = await complete_at(
        lsp, PARENT.replace("path: pd_analysis.yaml", "path: templates/p<|>")
    )
    assert accept(lsp, document, item(items, "templates/pd_analysis.yaml")) == (
        "      path: templates/pd_analysis.yaml"
    )


async def test_input_mapping_keys_are_the_childs_inputs_and_values_parent_artifacts(
    lsp: LspSession,
) -> None:
    lsp.write("templates/pd_analysis.yaml", CHILD)
    _, items = await complete_at(
        lsp, PARENT.replace("        documents: files\n", "        documents: files\n        <|>\n")
    )
    assert labels(items) == ["extra"]  # `documents` is mapped already
    assert item(items, "extra").detail == "child input · standard_input/1.0.0 · optional"

    # typed on a line that does not parse: the child is still known
    _, items = await complete_at(
        lsp, PARENT.replace("        documents: files\n", "        doc<|>\n")
    )
    assert labels(items) == ["documents", "extra"]

    _, items = await complete_at(lsp, PARENT.replace("documents: files", "documents: <|>"))
    assert labels(items) == ["files"]  # not `analysis` itself


async def test_output_and_output_mapping_name_the_childs_outputs(lsp: LspSession) -> None:
    lsp.write("templates/pd_analysis.yaml", CHILD)
    _, items = await complete_at(lsp, PARENT.replace("output: findings", "output: <|>"))
    assert labels(items) == ["findings", "counts"]
    assert item(items, "findings").detail == "child output · artifact strict_findings"

    mapped = PARENT.replace(
        "output: findings", "output_mapping:\n        counts: totals\n        <|>"
    )
    _, items = await complete_at(lsp, mapped)
    assert labels(items) == ["findings"]


# -- runs to reuse -------------------------------------------------------------------


async def test_reuse_offers_stored_runs_and_their_artifacts(lsp: LspSession) -> None:
    (lsp.root / "data").mkdir()
    (lsp.root / "data" / "a.txt").write_text("mail me at ann@example.org", encoding="utf-8")
    lsp.write("scan.yaml", CHAIN)
    request = RunRequest(runbook=lsp.root / "scan.yaml", store_dir=lsp.root / ".waivern")
    outcome = await asyncio.to_thread(execute, request, SilentSink(), lambda notice: None)
    run_id = outcome.run_id

    reuse = (
        HEADER
        + "  old:\n    reuse:\n      from_run: <|>\n    output_schema: standard_input/1.0.0\n"
    )
    _, items = await complete_at(lsp, reuse)
    assert labels(items) == [run_id]
    detail = item(items, run_id).detail or ""
    assert detail.startswith("completed · 20")

    chosen = reuse.replace("from_run: <|>", f"from_run: {run_id}\n      artifact: <|>")
    _, items = await complete_at(lsp, chosen)
    assert {"files", "findings", "summary"} <= set(labels(items))
    assert item(items, "files").detail == "completed"


async def test_reuse_without_a_run_store_offers_nothing(lsp: LspSession) -> None:
    _, items = await complete_at(lsp, HEADER + "  old:\n    reuse:\n      from_run: <|>\n")
    assert items == []


# -- environment variables -----------------------------------------------------------


@pytest.mark.server_env({"WAIVERN_DATA_DIR": "/srv/data", "WAIVERN_API_TOKEN": "hunter2"})
async def test_variables_offer_names_set_first_and_never_a_value(lsp: LspSession) -> None:
    text = CHAIN.replace("path: data", "path: ${WAIVERN_UNSET:-x}/${WAI<|>")
    document, items = await complete_at(lsp, text)
    offered = labels(items)
    assert {"WAIVERN_DATA_DIR", "WAIVERN_API_TOKEN", "WAIVERN_UNSET"} <= set(offered)
    by_order = sorted(items, key=lambda i: i.sort_text or i.label)
    assert labels(by_order).index("WAIVERN_UNSET") > labels(by_order).index("WAIVERN_DATA_DIR")
    assert item(items, "WAIVERN_UNSET").detail == "not set · used in this runbook"
    assert accept(lsp, document, item(items, "WAIVERN_DATA_DIR")).endswith("${WAIVERN_DATA_DIR}")
    shown = " ".join(f"{i.label} {i.detail} {i.documentation} {i.text_edit}" for i in items)
    assert "hunter2" not in shown and "/srv/data" not in shown


async def test_a_lone_dollar_becomes_a_variable(lsp: LspSession) -> None:
    document, items = await complete_at(lsp, CHAIN.replace("path: data", "path: data/$<|>"))
    home = item(items, "HOME")
    assert accept(lsp, document, home) == "        path: data/${HOME}"


async def test_ranges_count_in_the_clients_units(lsp: LspSession) -> None:
    text = CHAIN.replace("    description: Every file under ./data", "    description: 📁 ${HO<|>")
    document = lsp.open("runbook.yaml", text)
    result = await lsp.client.text_document_completion_async(
        types.CompletionParams(
            text_document=document.id,
            position=to_client(document.text, document.at(), lsp.encoding),
        )
    )
    assert isinstance(result, types.CompletionList)
    assert accept(lsp, document, item(result.items, "HOME")) == "    description: 📁 ${HOME}"


# -- when to stay quiet --------------------------------------------------------------


async def trigger(
    lsp: LspSession, document: OpenDocument, character: str
) -> list[types.CompletionItem]:
    result = await lsp.client.text_document_completion_async(
        types.CompletionParams(
            text_document=document.id,
            position=document.at(),
            context=types.CompletionContext(
                trigger_kind=types.CompletionTriggerKind.TriggerCharacter,
                trigger_character=character,
            ),
        )
    )
    if result is None:
        return []
    return list(result.items if isinstance(result, types.CompletionList) else result)


async def test_a_trigger_character_where_nothing_applies_pops_nothing_up(
    lsp: LspSession,
) -> None:
    # a space in a description
    document = lsp.open("runbook.yaml", CHAIN.replace("under ./data", "under <|>"))
    assert await trigger(lsp, document, " ") == []
    # spaces typed to indent a new line
    document = lsp.open("runbook.yaml", CHAIN + "    <|>\n")
    assert await trigger(lsp, document, " ") == []
    # but a space after `inputs:` starts a value
    document = lsp.open("runbook.yaml", CHAIN.replace("inputs: findings", "inputs: <|>"))
    assert labels(await trigger(lsp, document, " ")) == ["files", "findings"]
    # and `,` in a list starts the next item
    document = lsp.open("runbook.yaml", CHAIN.replace("inputs: findings", "inputs: [files,<|>]"))
    assert labels(await trigger(lsp, document, ",")) == ["findings"]


async def test_nothing_is_offered_in_a_comment(lsp: LspSession) -> None:
    _, items = await complete_at(lsp, CHAIN + "  # inp<|>\n")
    assert items == []


async def test_an_artifact_that_is_its_childs_output_is_offered_once(lsp: LspSession) -> None:
    lsp.write("templates/pd_analysis.yaml", CHILD)
    # `output: findings` makes `analysis` also a name for the child's output
    text = PARENT + "  report:\n    inputs: [<|>]\n    process:\n      type: findings_summary\n"
    _, items = await complete_at(lsp, text)
    assert labels(items).count("analysis") == 1
