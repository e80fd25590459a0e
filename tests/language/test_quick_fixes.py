"""Quick fixes (`quick_fixes`): for a diagnostic, the changes that make it go away. Each
test applies the fix to the runbook and analyses the result again."""

from __future__ import annotations

from language_support import REGISTRY, Runbook, RunbookFolder
from runbook_samples import CHILD, MAPPED_PARENT, PARENT, SCAN
from waivern_lsp.language.quick_fixes import QuickFix, quick_fixes
from waivern_orchestration.parse.positions import LINE_BREAK


def fixes(runbook: Runbook, code: str) -> list[QuickFix]:
    """The fixes for the runbook's (first) diagnostic with this code."""
    found = [d for d in runbook.analysis.diagnostics if d.code == code]
    assert found, f"no {code}; found {[d.code for d in runbook.analysis.diagnostics]}"
    return quick_fixes(runbook.analysis, found[0], runbook.lines, REGISTRY)


def applied(runbook: Runbook, fix: QuickFix) -> str:
    """The runbook's text with the fix's changes made."""
    text = runbook.text
    offsets = [0] + [found.end() for found in LINE_BREAK.finditer(text)]
    for change in sorted(fix.changes, key=lambda c: c.range.start, reverse=True):
        start = offsets[change.range.start.line] + change.range.start.character
        end = offsets[change.range.end.line] + change.range.end.character
        text = text[:start] + change.text + text[end:]
    return text


def fixed(folder: RunbookFolder, runbook: Runbook, code: str) -> tuple[str, list[str]]:
    """Apply the preferred fix for `code`: the new text, and the codes left in it."""
    found = fixes(runbook, code)
    (best,) = [fix for fix in found if fix.preferred]
    text = applied(runbook, best)
    again = folder.open(text, runbook.path.name)
    return text, [d.code for d in again.analysis.diagnostics]


# -- did you mean ------------------------------------------------------------------------


def test_an_unknown_artifact_changes_to_the_closest_id(folder: RunbookFolder) -> None:
    runbook = folder.open(SCAN.replace("inputs: [files]", "inputs: [file]"))
    assert [(f.title, f.preferred) for f in fixes(runbook, "WCT010")] == [
        ("Change to `files`", True)
    ]
    assert fixed(folder, runbook, "WCT010") == (SCAN, [])


def test_several_close_names_are_offered_and_none_preferred(folder: RunbookFolder) -> None:
    runbook = folder.open(
        SCAN.replace("inputs: [files]", "inputs: [file]").replace(
            "  findings:",
            "  filed:\n    source: {type: filesystem, properties: {path: x}}\n"
            "    output: true\n  findings:",
        )
    )
    found = fixes(runbook, "WCT010")
    assert [(f.title, f.preferred) for f in found] == [
        ("Change to `files`", False),
        ("Change to `filed`", False),
    ]


def test_an_id_already_in_the_list_is_not_offered(folder: RunbookFolder) -> None:
    runbook = folder.open(
        SCAN.replace("inputs: [files]", "inputs: [files, filed]").replace(
            "  findings:",
            "  filer:\n    source: {type: filesystem, properties: {path: x}}\n"
            "    output: true\n  findings:",
        )
    )
    # `files` is closer to `filed`, but the list has it: `filer` is the one fix
    assert [(f.title, f.preferred) for f in fixes(runbook, "WCT010")] == [
        ("Change to `filer`", True)
    ]


def test_a_quoted_name_stays_quoted(folder: RunbookFolder) -> None:
    runbook = folder.open(SCAN.replace("inputs: [files]", "inputs: ['file']"))
    assert fixed(folder, runbook, "WCT010") == (
        SCAN.replace("inputs: [files]", "inputs: ['files']"),
        [],
    )


def test_an_artifact_offering_child_outputs_changes_to_one_of_them(
    folder: RunbookFolder,
) -> None:
    folder.write("child.yaml", CHILD)
    runbook = folder.open(MAPPED_PARENT.replace("inputs: child_findings", "inputs: analysed"))
    assert [f.title for f in fixes(runbook, "WCT010")] == ["Change to `child_findings`"]


def test_unknown_connector_and_processor_types_change_to_the_closest(
    folder: RunbookFolder,
) -> None:
    misspelt = SCAN.replace("type: filesystem", "type: filesystm")
    runbook = folder.open(misspelt.replace("type: personal_data", "type: personal_dat"))
    text, left = fixed(folder, runbook, "WCT020")
    assert (text, left) == (SCAN.replace("type: personal_data", "type: personal_dat"), ["WCT021"])
    assert fixed(folder, folder.open(text), "WCT021") == (SCAN, [])


# -- WCT041: a child runbook not found ------------------------------------------------------


def test_a_missing_child_changes_to_a_file_of_a_close_name_in_the_template_paths(
    folder: RunbookFolder,
) -> None:
    folder.write("templates/child.yaml", CHILD)
    folder.write("templates/notes.txt", "not a runbook")
    parent = PARENT.replace("path: child.yaml", "path: chlid.yaml").replace(
        "artifacts:", "config:\n  template_paths: [templates]\nartifacts:"
    )
    runbook = folder.open(parent)
    assert [(f.title, f.preferred) for f in fixes(runbook, "WCT041")] == [
        ("Change to `child.yaml`", True)
    ]
    assert fixed(folder, runbook, "WCT041") == (parent.replace("chlid.yaml", "child.yaml"), [])


def test_a_missing_child_in_a_subfolder_keeps_its_folder(folder: RunbookFolder) -> None:
    folder.write("shared/child.yml", CHILD)
    runbook = folder.open(PARENT.replace("path: child.yaml", "path: shared/child.yaml"))
    assert [f.title for f in fixes(runbook, "WCT041")] == ["Change to `shared/child.yml`"]


def test_a_missing_child_with_nothing_close_has_no_fix(folder: RunbookFolder) -> None:
    folder.write("other.yaml", CHILD)
    runbook = folder.open(PARENT.replace("path: child.yaml", "path: analysis.yaml"))
    assert fixes(runbook, "WCT041") == []


# -- WCT043: a required child input not mapped -------------------------------------------

UNMAPPED = PARENT.replace("      input_mapping:\n        documents: files\n", "")


def test_an_unmapped_child_input_is_mapped_to_the_artifacts_input(folder: RunbookFolder) -> None:
    folder.write("child.yaml", CHILD)
    runbook = folder.open(UNMAPPED)
    assert [f.title for f in fixes(runbook, "WCT043")] == ["Map the child input `documents`"]
    text, left = fixed(folder, runbook, "WCT043")
    assert text == UNMAPPED.replace(
        "      output: findings\n",
        "      output: findings\n      input_mapping:\n        documents: files\n",
    )
    assert left == []


def test_an_empty_or_partial_input_mapping_gets_the_missing_keys(folder: RunbookFolder) -> None:
    folder.write(
        "child.yaml",
        CHILD.replace("outputs:", "  extra:\n    input_schema: standard_input/1.0.0\noutputs:"),
    )
    empty = folder.open(PARENT.replace("        documents: files\n", ""))
    text, left = fixed(folder, empty, "WCT043")
    assert "      input_mapping:\n        documents: files\n        extra: files\n" in text
    assert left == []
    assert [f.title for f in fixes(empty, "WCT043")] == [
        "Map the child inputs `documents`, `extra`"
    ]

    partial = folder.open(PARENT)
    text, left = fixed(folder, partial, "WCT043")
    assert "      input_mapping:\n        documents: files\n        extra: files\n" in text
    assert left == []


def test_a_flow_input_mapping_gets_the_key_inside_its_braces(folder: RunbookFolder) -> None:
    folder.write("child.yaml", CHILD)
    runbook = folder.open(
        PARENT.replace(
            "      input_mapping:\n        documents: files\n", "      input_mapping: {}\n"
        )
    )
    text, left = fixed(folder, runbook, "WCT043")
    assert "      input_mapping: {documents: files}\n" in text
    assert left == []


def test_a_child_input_is_fed_by_the_input_of_its_schema(folder: RunbookFolder) -> None:
    folder.write("child.yaml", CHILD)
    runbook = folder.open(
        UNMAPPED.replace("    inputs: files\n", "    inputs: [findings, files]\n").replace(
            "  analysed:",
            "  findings:\n    inputs: files\n    process:\n      type: personal_data\n  analysed:",
        )
    )
    text, _left = fixed(folder, runbook, "WCT043")
    assert "      input_mapping:\n        documents: files\n" in text  # not `findings`


def test_an_input_mapping_written_as_a_plain_value_gets_no_fix(folder: RunbookFolder) -> None:
    folder.write("child.yaml", CHILD)
    runbook = folder.open(
        PARENT.replace(
            "      input_mapping:\n        documents: files\n", "      input_mapping: files\n"
        )
    )
    assert fixes(runbook, "WCT043") == []


def test_nothing_to_map_from_an_artifact_without_inputs(folder: RunbookFolder) -> None:
    folder.write("child.yaml", CHILD)
    runbook = folder.open(
        UNMAPPED.replace("    inputs: files\n    child_runbook:", "    child_runbook:")
    )
    assert fixes(runbook, "WCT043") == []


# -- WCT031, WCT090: a field the artifact lacks ------------------------------------------

REUSING = SCAN.replace(
    "    source:\n      type: filesystem\n      properties:\n        path: data\n",
    "    reuse:\n      from_run: 20250101-000000-abcd\n      artifact: files\n",
)


def test_a_missing_output_schema_is_added_for_a_reused_artifact(folder: RunbookFolder) -> None:
    runbook = folder.open(REUSING)
    assert [f.title for f in fixes(runbook, "WCT031")] == [
        "Add `output_schema: standard_input/1.0.0`"
    ]
    text, left = fixed(folder, runbook, "WCT031")
    assert "      artifact: files\n    output_schema: standard_input/1.0.0\n" in text
    assert "WCT031" not in left and not [code for code in left if code < "WCT050"]


def test_the_schema_added_is_close_to_the_reused_artifacts_name(folder: RunbookFolder) -> None:
    runbook = folder.open(REUSING.replace("artifact: files", "artifact: personal_data_findings"))
    assert [f.title for f in fixes(runbook, "WCT031")] == [
        "Add `output_schema: personal_data_finding/1.0.0`"
    ]


def test_an_artifact_of_this_runbook_reused_by_name_gives_its_schema(
    folder: RunbookFolder,
) -> None:
    runbook = folder.open(
        SCAN.replace(
            "  findings:\n    inputs: [files]",
            "  old:\n    reuse:\n      from_run: 20250101-000000-abcd\n      artifact: findings\n"
            "  findings:\n    inputs: [files, old]",
        )
    )
    assert [f.title for f in fixes(runbook, "WCT031")] == [
        "Add `output_schema: personal_data_finding/1.0.0`"
    ]


def test_a_flow_artifact_gets_the_field_inside_its_braces(folder: RunbookFolder) -> None:
    source = "    source:\n      type: filesystem\n      properties:\n        path: data\n"
    runbook = folder.open(
        SCAN.replace(
            "  files:\n" + source,
            "  files: {reuse: {from_run: 20250101-000000-abcd, artifact: files}}\n",
        )
    )
    text, _left = fixed(folder, runbook, "WCT031")
    assert (
        "  files: {reuse: {from_run: 20250101-000000-abcd, artifact: files}, "
        "output_schema: standard_input/1.0.0}\n"
    ) in text


def test_an_unused_artifact_is_marked_as_an_output(folder: RunbookFolder) -> None:
    runbook = folder.open(SCAN.replace("    output: true\n", ""))
    assert [f.title for f in fixes(runbook, "WCT090")] == [
        "Mark `findings` as an output (`output: true`)"
    ]
    assert fixed(folder, runbook, "WCT090") == (SCAN, [])


def test_output_false_becomes_true(folder: RunbookFolder) -> None:
    runbook = folder.open(SCAN.replace("output: true", "output: false"))
    assert fixed(folder, runbook, "WCT090") == (SCAN, [])


def test_windows_line_ends_are_kept(folder: RunbookFolder) -> None:
    crlf = SCAN.replace("    output: true\n", "").replace("\n", "\r\n")
    text, left = fixed(folder, folder.open(crlf), "WCT090")
    assert text == SCAN.replace("\n", "\r\n")
    assert left == []


def test_a_diagnostic_without_a_fix_has_none(folder: RunbookFolder) -> None:
    runbook = folder.open(SCAN.replace("inputs: [files]", "inputs: [findings]"))  # a cycle
    assert fixes(runbook, "WCT011") == []


def test_an_unset_variable_can_be_given_a_default(folder: RunbookFolder) -> None:
    runbook = folder.open(SCAN.replace("path: data", "path: ${SCAN_DIR}"))
    # (not the preferred fix: a line in `.env`, made by the server, is)
    [default] = fixes(runbook, "WCT050")
    assert (default.title, default.preferred) == ("Give `${SCAN_DIR}` a default", False)
    text = applied(runbook, default)
    assert "path: ${SCAN_DIR:-}" in text
    assert "WCT050" not in [d.code for d in folder.open(text).analysis.diagnostics]


# -- WCT012: the same input twice ----------------------------------------------------------


def test_a_repeated_flow_input_is_removed_with_its_comma(folder: RunbookFolder) -> None:
    runbook = folder.open(SCAN.replace("inputs: [files]", "inputs: [files, files]"))
    assert [f.title for f in fixes(runbook, "WCT012")] == ["Remove the repeated input `files`"]
    assert fixed(folder, runbook, "WCT012") == (SCAN, [])


def test_a_repeated_block_input_loses_its_line(folder: RunbookFolder) -> None:
    block = SCAN.replace("inputs: [files]", "inputs:\n      - files")
    runbook = folder.open(block.replace("- files", "- files\n      - files  # again"))
    assert fixed(folder, runbook, "WCT012") == (block, [])
