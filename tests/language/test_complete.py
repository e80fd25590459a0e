"""Completion (`cursor_at` + `complete`) as you type, `<|>` marking the cursor: field keys,
values, components and their settings, artifact ids (never one that would close a cycle),
child runbooks, runs to reuse, message schemas and environment variables; on lines that
are not valid YAML yet, and nothing where nothing applies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from language_support import REGISTRY, Runbook, RunbookFolder, install_plugin_schemas
from runbook_samples import CHILD, PARENT
from waivern_lsp.language.completion import (
    Choice,
    ChoiceKind,
    CompletionContext,
    StoredRuns,
    complete,
    reads_run_store,
)
from waivern_lsp.language.completion.runs import read_runs
from waivern_lsp.language.cursor import cursor_at

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


def choices(runbook: Runbook, env: Mapping[str, str] | None = None) -> list[Choice]:
    """What completion offers at the cursor, the run store read first for a `reuse`."""
    cursor = cursor_at(runbook.lines, runbook.at())
    if cursor is None:
        return []
    store = StoredRuns()
    run_id = reads_run_store(cursor, runbook.lines)
    if run_id is not None:
        store = read_runs(runbook.store_dir, run_id or None)
    context = CompletionContext(runbook.analysis, runbook.lines, REGISTRY, env or {}, store)
    return complete(cursor, context)


def labels(found: Sequence[Choice]) -> list[str]:
    return [choice.label for choice in found]


def choice(found: Sequence[Choice], label: str) -> Choice:
    chosen = [candidate for candidate in found if candidate.label == label]
    assert chosen, f"{label!r} not offered; offered: {labels(found)}"
    return chosen[0]


def accept(runbook: Runbook, chosen: Choice) -> str:
    """The cursor's line once the choice (as plain text) replaces the cursor's span."""
    cursor = cursor_at(runbook.lines, runbook.at())
    assert cursor is not None
    line = runbook.lines[cursor.line]
    start, end = cursor.span.start.character, cursor.span.end.character
    return line[:start] + chosen.text + line[end:]


# -- field keys ----------------------------------------------------------------------


def test_an_artifact_is_offered_the_fields_its_production_still_allows(
    folder: RunbookFolder,
) -> None:
    offered = labels(choices(folder.open(HEADER + FILES + "    <|>\n")))
    # not `description` (written already) nor what `source` excludes (WCT004)
    assert offered == ["name", "contact", "output_schema", "output", "optional"]


def test_a_child_runbook_is_offered_no_source(folder: RunbookFolder) -> None:
    runbook = folder.open(
        """\
        name: Child
        description: Takes documents
        inputs:
          documents:
            input_schema: standard_input/1.0.0
        artifacts:
          found:
            <|>
        """
    )
    offered = labels(choices(runbook))
    assert "inputs" in offered and "process" in offered
    assert "source" not in offered


def test_a_key_is_completed_on_a_line_that_is_not_yaml_yet(folder: RunbookFolder) -> None:
    runbook = folder.open(CHAIN.replace("    inputs: findings\n", "    inpu<|>\n"))
    inputs = choice(choices(runbook), "inputs")
    assert (inputs.kind, inputs.text, inputs.snippet) == (
        ChoiceKind.FIELD,
        "inputs: ",
        "inputs: $0",
    )
    assert accept(runbook, inputs) == "    inputs: "
    assert inputs.detail == "text or list of text"
    assert (inputs.documentation or "").startswith("Artifact id(s) this artifact is derived from")


def test_a_key_already_followed_by_a_colon_is_replaced_alone(folder: RunbookFolder) -> None:
    runbook = folder.open(CHAIN.replace("    output: true", "    out<|>: true"))
    found = choices(runbook)
    assert accept(runbook, choice(found, "output")) == "    output: true"
    assert accept(runbook, choice(found, "optional")) == "    optional: true"
    assert choice(found, "output").snippet is None


def test_the_top_level_offers_the_runbook_fields_not_written_yet(folder: RunbookFolder) -> None:
    assert labels(choices(folder.open("<|>\n" + CHAIN))) == [
        "contact",
        "framework",
        "config",
        "inputs",
        "outputs",
    ]


def test_a_new_artifact_id_is_the_users_to_choose(folder: RunbookFolder) -> None:
    assert choices(folder.open(CHAIN + "  <|>\n")) == []


def test_a_field_inserts_its_value_as_a_snippet(folder: RunbookFolder) -> None:
    found = choices(folder.open(HEADER + "  files:\n    <|>\n"))
    snippets = {c.label: (c.text, c.snippet) for c in found}
    assert snippets["source"] == ("source:", "source:\n  type: $1")  # its required keys
    assert snippets["output"] == ("output: ", "output: ${1|true,false|}")
    assert snippets["inputs"] == ("inputs: ", "inputs: $0")
    assert snippets["merge"] == ("merge: ", "merge: ${1|concatenate|}")
    assert choice(found, "source").multiline and not choice(found, "output").multiline


def test_snippets_follow_the_runbooks_indentation(folder: RunbookFolder) -> None:
    four = HEADER.replace("artifacts:\n", "artifacts:\n    files:\n        <|>\n")
    assert choice(choices(folder.open(four)), "source").snippet == "source:\n    type: $1"
    config = folder.open(CHAIN.replace("artifacts:\n", "config:\n    <|>\nartifacts:\n"))
    assert choice(choices(config), "template_paths").snippet == "template_paths:\n    - $0"
    top = {c.label: (c.text, c.snippet) for c in choices(folder.open("<|>\n" + CHAIN))}
    assert top["config"] == ("config:", "config:\n  $0")  # a mapping that requires nothing
    assert top["inputs"] == ("inputs:", "inputs:\n  $0")  # names of the user's choosing


def test_field_documentation_says_required_default_and_values(folder: RunbookFolder) -> None:
    found = choices(folder.open(HEADER + "  files:\n    <|>\n"))
    assert choice(found, "output").documentation == (
        "The artifact is a result of the runbook (kept, reported).\n\nDefault `false`."
    )
    assert (choice(found, "merge").documentation or "").endswith("Values `concatenate`.")


# -- values --------------------------------------------------------------------------


def test_booleans_and_enums_offer_their_values(folder: RunbookFolder) -> None:
    assert labels(choices(folder.open(CHAIN.replace("output: true", "output: <|>")))) == [
        "true",
        "false",
    ]
    merge = folder.open(CHAIN.replace("    output: true", "    merge: <|>"))
    assert labels(choices(merge)) == ["concatenate"]


def test_connector_and_processor_types_come_with_their_descriptions(
    folder: RunbookFolder,
) -> None:
    runbook = folder.open(CHAIN.replace("type: filesystem", "type: fi<|>"))
    found = choices(runbook)
    assert labels(found) == ["filesystem", "mysql", "postgresql", "sqlite"]
    filesystem = choice(found, "filesystem")
    assert (filesystem.kind, filesystem.detail) == (ChoiceKind.CONNECTOR, "connector")
    assert accept(runbook, filesystem) == "      type: filesystem"
    assert filesystem.documentation == (
        "Reads text files under a directory (include/exclude globs), one item per file."
        "\n\nProduces `standard_input/1.0.0`."
    )
    processors = choices(folder.open(CHAIN.replace("type: findings_summary", "type: <|>")))
    assert labels(processors) == ["findings_summary", "personal_data"]
    assert {c.kind for c in processors} == {ChoiceKind.PROCESSOR}


def test_right_after_the_colon_a_value_comes_with_its_space(folder: RunbookFolder) -> None:
    runbook = folder.open(CHAIN.replace("type: filesystem", "type:<|>"))
    sqlite = choice(choices(runbook), "sqlite")
    assert (sqlite.text, sqlite.filter) == (" sqlite", "sqlite")
    assert accept(runbook, sqlite) == "      type: sqlite"


def test_component_properties_come_from_the_components_schema(folder: RunbookFolder) -> None:
    added = folder.open(CHAIN.replace("        path: data\n", "        path: data\n        <|>\n"))
    assert labels(choices(added)) == ["include", "exclude", "max_files", "encoding"]

    value = folder.open(CHAIN.replace("path: data", "path: data\n        encoding: <|>"))
    assert [(c.label, c.detail) for c in choices(value)] == [("utf-8", "default")]

    with_ruleset = CHAIN.replace(
        "      type: personal_data\n",
        "      type: personal_data\n      properties:\n        ruleset: <|>\n",
    )
    assert labels(choices(folder.open(with_ruleset))) == ["default", "strict"]


def test_properties_of_an_unknown_component_offer_nothing(folder: RunbookFolder) -> None:
    unknown = CHAIN.replace("type: filesystem", "type: filesystm").replace(
        "        path: data\n", "        path: data\n        <|>\n"
    )
    assert choices(folder.open(unknown)) == []


def test_output_schema_offers_the_known_message_schemas(folder: RunbookFolder) -> None:
    found = choices(folder.open(CHAIN + "  old:\n    output_schema: <|>\n"))
    assert {"standard_input/1.0.0", "personal_data_finding/1.0.0"} <= set(labels(found))
    assert {(c.kind, c.detail) for c in found} == {(ChoiceKind.SCHEMA, "message schema")}


def test_a_plug_in_message_schema_is_offered_with_its_package(
    folder: RunbookFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin_schemas(monkeypatch)
    found = choices(folder.open(CHAIN + "  old:\n    output_schema: <|>\n"))
    credential = choice(found, "credential/1.0.0")
    assert credential.detail == "message schema (waivern-credentials)"
    assert credential.documentation == "Credentials found in text."
    assert choice(found, "standard_input/1.0.0").detail == "message schema"
    assert "token/1.0.0" not in labels(found)  # its plug-in could not provide it


def test_a_runbook_input_schema_offers_them_too(folder: RunbookFolder) -> None:
    runbook = folder.open(
        CHAIN.replace("artifacts:\n", "inputs:\n  documents:\n    input_schema: <|>\nartifacts:\n")
    )
    assert "standard_input/1.0.0" in labels(choices(runbook))


# -- artifact ids --------------------------------------------------------------------


def test_inputs_offer_artifacts_that_would_not_close_a_cycle(folder: RunbookFolder) -> None:
    # files → findings → summary: `files` may take neither (nor itself)
    text = CHAIN.replace(
        "    source:\n      type: filesystem",
        "    inputs: <|>\n    source:\n      type: filesystem",
    )
    assert choices(folder.open(text)) == []
    assert labels(choices(folder.open(CHAIN.replace("inputs: findings", "inputs: <|>")))) == [
        "files",
        "findings",
    ]


def test_inputs_are_offered_in_every_list_form(folder: RunbookFolder) -> None:
    extra = CHAIN + "  report:\n    description: x\n    source:\n      type: sqlite\n"
    flow = folder.open(extra.replace("inputs: findings", "inputs: [report, <|>]"))
    assert labels(choices(flow)) == ["files", "findings"]  # not `report` again, not itself

    block = folder.open(extra.replace("inputs: findings", "inputs:\n      - files\n      - <|>"))
    assert labels(choices(block)) == ["findings", "report"]

    unclosed = folder.open(extra.replace("inputs: findings", "inputs: [files,<|>"))  # not YAML
    assert accept(unclosed, choice(choices(unclosed), "report")) == "    inputs: [files, report"


def test_a_partly_typed_id_is_replaced_whole(folder: RunbookFolder) -> None:
    runbook = folder.open(CHAIN.replace("inputs: findings", "inputs: fi<|>nd"))
    findings = choice(choices(runbook), "findings")
    assert findings.detail == "processor personal_data · personal_data_finding/1.0.0"
    assert accept(runbook, findings) == "    inputs: findings"


def test_artifact_ids_say_how_each_is_made(folder: RunbookFolder) -> None:
    runbook = folder.open(
        """\
        name: Child
        description: Takes documents
        inputs:
          documents:
            input_schema: standard_input/1.0.0
            description: The texts
        outputs:
          all:
            artifact: <|>
        artifacts:
          old:
            reuse: {from_run: 20250101-000000-abcd, artifact: files}
          joined:
            inputs: [documents]
        """
    )
    assert [(c.label, c.detail, c.documentation) for c in choices(runbook)] == [
        ("documents", "runbook input · standard_input/1.0.0", "The texts"),
        ("old", "reused", None),
        ("joined", "standard_input/1.0.0", None),
    ]


def test_a_runbook_output_offers_every_artifact(folder: RunbookFolder) -> None:
    runbook = folder.open(
        CHAIN.replace("artifacts:\n", "outputs:\n  all:\n    artifact: <|>\nartifacts:\n")
    )
    assert labels(choices(runbook)) == ["files", "findings", "summary"]


# -- child runbooks ------------------------------------------------------------------

# A child runbook (as `templates/pd_analysis.yaml`) declaring two inputs and two outputs,
# and a parent finding it through `template_paths`.
PD_CHILD = """\
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

TEMPLATED_PARENT = (
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


def test_child_runbook_paths_come_from_its_folder_and_template_paths(
    folder: RunbookFolder,
) -> None:
    folder.write("templates/pd_analysis.yaml", PD_CHILD)
    folder.write("local_child.yaml", PD_CHILD)
    folder.write("notes.txt", "not a runbook")
    folder.write(".hidden.yaml", PD_CHILD)
    found = choices(folder.open(TEMPLATED_PARENT.replace("path: pd_analysis.yaml", "path: <|>")))
    assert sorted((c.label, c.kind, c.detail) for c in found) == [
        ("local_child.yaml", ChoiceKind.FILE, "next to this runbook"),
        ("pd_analysis.yaml", ChoiceKind.FILE, "in templates/ (template path)"),
        ("templates/", ChoiceKind.FOLDER, "next to this runbook"),
    ]  # not itself (a cycle), not notes.txt, nothing hidden

    typed = folder.open(TEMPLATED_PARENT.replace("path: pd_analysis.yaml", "path: templates/p<|>"))
    chosen = choice(choices(typed), "templates/pd_analysis.yaml")
    assert accept(typed, chosen) == "      path: templates/pd_analysis.yaml"


def test_child_runbook_paths_never_climb_out(folder: RunbookFolder) -> None:
    for typed in ("../", "/etc/", "~/"):
        runbook = folder.open(
            TEMPLATED_PARENT.replace("path: pd_analysis.yaml", f"path: {typed}<|>")
        )
        assert choices(runbook) == [], typed


def test_template_paths_offer_folders(folder: RunbookFolder) -> None:
    folder.write("templates/pd_analysis.yaml", PD_CHILD)
    folder.write("shared/x.yaml", PD_CHILD)
    runbook = folder.open(
        TEMPLATED_PARENT.replace("template_paths: [templates]", "template_paths: [<|>]")
    )
    assert sorted(labels(choices(runbook))) == ["shared", "templates"]


def test_input_mapping_keys_are_the_childs_inputs_and_values_parent_artifacts(
    folder: RunbookFolder,
) -> None:
    folder.write("templates/pd_analysis.yaml", PD_CHILD)
    more = folder.open(
        TEMPLATED_PARENT.replace(
            "        documents: files\n", "        documents: files\n        <|>\n"
        )
    )
    assert [(c.label, c.text, c.snippet, c.detail) for c in choices(more)] == [
        ("extra", "extra: ", "extra: $0", "child input · standard_input/1.0.0 · optional")
    ]  # `documents` is mapped already

    # typed on a line that does not parse: the child is still known
    typed = folder.open(TEMPLATED_PARENT.replace("        documents: files\n", "        doc<|>\n"))
    found = choices(typed)
    assert labels(found) == ["documents", "extra"]
    assert choice(found, "documents").documentation == "Text to analyse"

    value = folder.open(TEMPLATED_PARENT.replace("documents: files", "documents: <|>"))
    assert labels(choices(value)) == ["files"]  # not `analysis` itself


def test_a_child_input_is_fed_first_by_artifacts_of_its_schema(folder: RunbookFolder) -> None:
    folder.write("templates/pd_analysis.yaml", PD_CHILD)
    runbook = folder.open(
        TEMPLATED_PARENT.replace("documents: files", "documents: <|>")
        + "  findings:\n    inputs: files\n    process:\n      type: personal_data\n"
    )
    assert [(c.label, c.order[:1]) for c in choices(runbook)] == [
        ("files", "0"),  # in `inputs`, and of the schema the child declares
        ("findings", "1"),
    ]


def test_a_child_is_still_known_while_its_artifact_does_not_parse(folder: RunbookFolder) -> None:
    folder.write("child.yaml", CHILD)
    # another artifact runs the same child: its analysis stands in
    again = PARENT.replace("  analysed:", "  again:")
    broken = PARENT.replace("    inputs: files\n", "    inputs: [files\n").replace(
        "        documents: files\n", "        <|>\n"
    )
    runbook = folder.open(broken + again[again.index("  again:") :])
    assert [info.id for info in runbook.analysis.artifact_list if info.broken] == ["analysed"]
    assert labels(choices(runbook)) == ["documents"]


def test_output_and_output_mapping_name_the_childs_outputs(folder: RunbookFolder) -> None:
    folder.write("templates/pd_analysis.yaml", PD_CHILD)
    found = choices(folder.open(TEMPLATED_PARENT.replace("output: findings", "output: <|>")))
    assert labels(found) == ["findings", "counts"]
    assert choice(found, "findings").detail == "child output · artifact strict_findings"

    mapped = TEMPLATED_PARENT.replace(
        "output: findings", "output_mapping:\n        counts: totals\n        <|>"
    )
    found = choices(folder.open(mapped))
    assert [(c.label, c.text, c.snippet) for c in found] == [
        ("findings", "findings: ", "findings: $0")
    ]
    # the alias is a new name, the user's to choose
    alias = TEMPLATED_PARENT.replace("output: findings", "output_mapping:\n        counts: <|>")
    assert choices(folder.open(alias)) == []


def test_child_runbook_keys_exclude_each_other(folder: RunbookFolder) -> None:
    folder.write("templates/pd_analysis.yaml", PD_CHILD)
    runbook = folder.open(
        TEMPLATED_PARENT.replace("      output: findings\n", "      output: findings\n      <|>\n")
    )
    offered = labels(choices(runbook))
    assert "output_mapping" not in offered and "output" not in offered


def test_an_artifact_that_is_its_childs_output_is_offered_once(folder: RunbookFolder) -> None:
    folder.write("templates/pd_analysis.yaml", PD_CHILD)
    # `output: findings` makes `analysis` also a name for the child's output
    text = (
        TEMPLATED_PARENT
        + "  report:\n    inputs: [<|>]\n    process:\n      type: findings_summary\n"
    )
    assert labels(choices(folder.open(text))).count("analysis") == 1


def test_a_child_output_alias_is_offered_as_an_input(folder: RunbookFolder) -> None:
    folder.write("templates/pd_analysis.yaml", PD_CHILD)
    mapped = TEMPLATED_PARENT.replace("output: findings", "output_mapping:\n        counts: totals")
    runbook = folder.open(mapped + "  report:\n    inputs: [<|>]\n")
    assert choice(choices(runbook), "totals").detail == (
        "output `counts` of the child runbook of `analysis`"
    )


# -- runs to reuse -------------------------------------------------------------------


def test_reuse_offers_stored_runs_and_their_artifacts(folder: RunbookFolder) -> None:
    folder.write("data/a.txt", "mail me at ann@example.org")
    folder.write("scan.yaml", CHAIN)
    run_id = folder.run("scan.yaml").run_id

    reuse = (
        HEADER
        + "  old:\n    reuse:\n      from_run: <|>\n    output_schema: standard_input/1.0.0\n"
    )
    found = choices(folder.open(reuse))
    assert labels(found) == [run_id]
    (run,) = found
    assert run.kind == ChoiceKind.RUN
    assert (run.detail or "").startswith("completed · 20")
    assert (run.documentation or "").startswith(
        f"Run of `{folder.root / 'scan.yaml'}`: completed.\n\nStarted 20"
    )

    chosen = reuse.replace("from_run: <|>", f"from_run: {run_id}\n      artifact: <|>")
    found = choices(folder.open(chosen))
    assert sorted(labels(found)) == ["files", "findings", "summary"]
    assert choice(found, "files").detail == "completed"
    assert choice(found, "files").documentation == "`files` completed in that run."


def test_reuse_offers_a_failed_runs_artifacts_after_the_completed(folder: RunbookFolder) -> None:
    folder.write("scan.yaml", CHAIN)  # ./data does not exist
    run_id = folder.run("scan.yaml").run_id
    reuse = HEADER + f"  old:\n    reuse:\n      from_run: {run_id}\n      artifact: <|>\n"
    files = choice(choices(folder.open(reuse)), "files")
    assert (files.detail, files.order) == ("failed", "1")
    assert (files.documentation or "").startswith(
        "`files` failed in that run.\n\nError: path 'data' does not exist"
    )


def test_reuse_without_a_run_store_offers_nothing(folder: RunbookFolder) -> None:
    runbook = folder.open(HEADER + "  old:\n    reuse:\n      from_run: <|>\n")
    assert choices(runbook) == []
    assert read_runs(folder.store_dir, None) == StoredRuns(readable=False)


# -- environment variables -----------------------------------------------------------


def test_variables_offer_names_set_first_and_never_a_value(folder: RunbookFolder) -> None:
    env = {"WAIVERN_DATA_DIR": "/srv/data", "WAIVERN_API_TOKEN": "hunter2"}
    runbook = folder.open(CHAIN.replace("path: data", "path: ${WAIVERN_UNSET:-x}/${WAI<|>"))
    found = sorted(choices(runbook, env), key=lambda c: (c.order, c.label))
    assert [(c.label, c.detail) for c in found] == [
        ("WAIVERN_API_TOKEN", "set"),
        ("WAIVERN_DATA_DIR", "set"),
        ("WAIVERN_UNSET", "not set · used in this runbook"),
    ]
    assert accept(runbook, found[1]).endswith("${WAIVERN_DATA_DIR}")
    assert found[2].documentation == (
        "`WAIVERN_UNSET` is not set: give a default with `${WAIVERN_UNSET:-default}`."
    )
    shown = " ".join(f"{c.label} {c.detail} {c.documentation} {c.text}" for c in found)
    assert "hunter2" not in shown and "/srv/data" not in shown


def test_a_closed_variable_gets_only_its_name(folder: RunbookFolder) -> None:
    runbook = folder.open(CHAIN.replace("path: data", "path: ${HO<|>}"))
    home = choice(choices(runbook, {"HOME": "/home/ann"}), "HOME")
    assert accept(runbook, home) == "        path: ${HOME}"
    in_default = folder.open(CHAIN.replace("path: data", "path: ${HOME:-da<|>ta}"))
    assert choices(in_default, {"HOME": "/home/ann"}) == []


def test_the_variable_being_typed_is_not_offered_as_used(folder: RunbookFolder) -> None:
    runbook = folder.open(CHAIN.replace("path: data", "path: ${HO<|>}"))

    assert labels(choices(runbook, {"HOME": "/home/ann"})) == ["HOME"]


def test_a_lone_dollar_becomes_a_variable(folder: RunbookFolder) -> None:
    runbook = folder.open(CHAIN.replace("path: data", "path: data/$<|>"))
    (home,) = choices(runbook, {"HOME": "/home/ann"})
    assert (home.text, home.filter) == ("${HOME}", "${HOME")
    assert accept(runbook, home) == "        path: data/${HOME}"


def test_a_variable_counts_characters_not_bytes(folder: RunbookFolder) -> None:
    runbook = folder.open(
        CHAIN.replace("    description: Every file under ./data", "    description: 📁 ${HO<|>")
    )
    (home,) = choices(runbook, {"HOME": "/home/ann"})
    assert accept(runbook, home) == "    description: 📁 ${HOME}"


# -- when to stay quiet --------------------------------------------------------------


def test_nothing_is_offered_in_a_comment(folder: RunbookFolder) -> None:
    assert choices(folder.open(CHAIN + "  # inp<|>\n")) == []
    assert choices(folder.open(CHAIN.replace("inputs: files", "inputs: files # fi<|>"))) == []


def test_nothing_is_offered_in_a_flow_mapping_nor_after_a_closed_list(
    folder: RunbookFolder,
) -> None:
    assert choices(folder.open(CHAIN.replace("inputs: findings", "inputs: {<|>}"))) == []
    assert choices(folder.open(CHAIN.replace("inputs: findings", "inputs: [files] <|>"))) == []


def test_a_field_without_known_values_offers_nothing(folder: RunbookFolder) -> None:
    assert choices(folder.open(CHAIN.replace("under ./data", "under <|>"))) == []


def test_the_database_connectors_properties_are_offered(folder: RunbookFolder) -> None:
    for connector in ("postgresql", "mysql"):
        runbook = folder.open(
            CHAIN.replace("type: filesystem", f"type: {connector}").replace(
                "        path: data\n", "        host: db\n        <|>\n"
            )
        )
        offered = labels(choices(runbook))
        assert {"port", "database", "user", "password"} <= set(offered), offered
        assert "host" not in offered  # written already
