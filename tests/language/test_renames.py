"""Rename (`renamable`, `check_new_name`, `rename_edits`): which names can be renamed and
to what, and the text written at each occurrence. Each rename is applied to the texts and
the result analysed again: a rename never leaves a problem behind."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from language_support import Runbook, RunbookFolder, everywhere, named
from runbook_samples import CHILD, MAPPED_PARENT, PARENT, SCAN
from waivern_lsp.language.occurrences import name_at
from waivern_lsp.language.renames import (
    RenameRefused,
    check_new_name,
    quoted_range,
    renamable,
    rename_edits,
)
from waivern_orchestration.parse.positions import Range

RUNBOOK = (
    SCAN
    + """\
  strict_findings:
    inputs: "files"
    process:
      type: personal_data
      properties:
        ruleset: strict
    output: true
"""
)


def prepared(runbook: Runbook) -> tuple[str, Range]:
    """What `prepareRename` shows: the name, and its range (inside quotes when quoted)."""
    name = renamable(runbook, name_at(runbook, runbook.at()))
    return name.name, quoted_range(runbook, name.range) or name.range


def renamed(
    folder: RunbookFolder, here: Runbook, new_name: str, others: Sequence[Runbook] = ()
) -> dict[str, str]:
    """Rename what is at the cursor: each edited file's new text, by file name."""
    name = renamable(here, named(here))
    owner = next((r for r in (here, *others) if r.path == name.file), None)
    check_new_name(owner, name, new_name)
    texts = {runbook.path.name: runbook.lines[:] for runbook in (here, *others)}
    edits = rename_edits(everywhere(here, name, others), new_name)
    for runbook, range_, text in sorted(edits, key=lambda e: e[1].start, reverse=True):
        lines = texts[runbook.path.name]
        line = lines[range_.start.line]
        lines[range_.start.line] = (
            line[: range_.start.character] + text + line[range_.end.character :]
        )
    return {
        name: "\n".join(lines)
        for name, lines in texts.items()
        if any(runbook.path.name == name for runbook, _range, _text in edits)
    }


def refused(runbook: Runbook, new_name: str = "anything") -> str:
    with pytest.raises(RenameRefused) as refusal:
        name = renamable(runbook, name_at(runbook, runbook.at()))
        check_new_name(runbook, name, new_name)
    return str(refusal.value)


def problems(folder: RunbookFolder, text: str, name: str = "runbook.yaml") -> list[str]:
    return [d.code for d in folder.open(text, name).analysis.diagnostics]


def test_prepare_names_the_artifact(folder: RunbookFolder) -> None:
    runbook = folder.open(RUNBOOK.replace("  files:", "  fi<|>les:"))
    assert prepared(runbook) == ("files", Range.of(3, 2, 3, 7))


def test_prepare_on_a_quoted_name_shows_the_range_inside_the_quotes(
    folder: RunbookFolder,
) -> None:
    runbook = folder.open(RUNBOOK.replace('inputs: "files"', 'inputs: "fi<|>les"'))
    assert prepared(runbook) == ("files", Range.of(14, 13, 14, 18))


def test_renaming_an_artifact_renames_every_use(folder: RunbookFolder) -> None:
    runbook = folder.open(RUNBOOK.replace("  files:", "  fi<|>les:"))
    text = renamed(folder, runbook, "documents")["runbook.yaml"]
    assert text == RUNBOOK.replace("files:", "documents:").replace(
        "[files]", "[documents]"
    ).replace('"files"', '"documents"')
    assert problems(folder, text) == []


def test_a_name_yaml_reads_as_something_else_is_quoted(folder: RunbookFolder) -> None:
    runbook = folder.open(RUNBOOK.replace("  files:", "  fi<|>les:"))
    text = renamed(folder, runbook, "yes")["runbook.yaml"]
    assert '  "yes":' in text and 'inputs: ["yes"]' in text and 'inputs: "yes"' in text
    assert problems(folder, text) == []


def test_what_cannot_be_renamed_is_refused_with_a_reason(folder: RunbookFolder) -> None:
    component = folder.open(RUNBOOK.replace("type: filesystem", "type: file<|>system"))
    assert refused(component) == "only an artifact id, a runbook input or output can be renamed"

    unknown = folder.open(RUNBOOK.replace("[files]", "[fi<|>lez]"))
    assert refused(unknown) == "`filez` is not an artifact of this runbook"

    folder.write("child.yaml", CHILD)
    path = folder.open(PARENT.replace("path: child.yaml", "path: chi<|>ld.yaml"))
    assert refused(path) == "a child runbook path names a file: rename the file instead"


def test_an_invalid_or_taken_new_name_is_refused(folder: RunbookFolder) -> None:
    runbook = folder.open(RUNBOOK.replace("  files:", "  fi<|>les:"))
    invalid = (
        "`{}` is not a valid name: use letters, digits, `_` and `-`, starting with a letter or `_`"
    )
    assert refused(runbook, "my files") == invalid.format("my files")
    assert refused(runbook, "2nd") == invalid.format("2nd")
    assert refused(runbook, "findings") == "`findings` is already an artifact of this runbook"


def test_an_input_name_is_taken_in_a_child_runbook(folder: RunbookFolder) -> None:
    child = folder.open(CHILD.replace("  found:", "  fo<|>und:"), "child.yaml")
    assert refused(child, "documents") == "`documents` is already an input of this runbook"


def test_renaming_to_the_same_name_changes_nothing(folder: RunbookFolder) -> None:
    runbook = folder.open(RUNBOOK.replace("  files:", "  fi<|>les:"))
    assert renamed(folder, runbook, "files") == {"runbook.yaml": RUNBOOK}


def test_renaming_a_child_input_renames_the_parents_mapping_keys(folder: RunbookFolder) -> None:
    child = folder.open(CHILD.replace("  documents:", "  docu<|>ments:"), "child.yaml")
    parent = folder.open(PARENT)
    second = folder.open(PARENT, "second.yaml")
    texts = renamed(folder, child, "texts", [parent, second])
    assert sorted(texts) == ["child.yaml", "runbook.yaml", "second.yaml"]
    # the declaration and the use; the description keeps its word
    assert texts["child.yaml"] == (
        CHILD.replace("  documents:", "  texts:").replace("inputs: documents", "inputs: texts")
    )
    assert texts["runbook.yaml"] == PARENT.replace("documents: files", "texts: files")
    assert texts["second.yaml"] == texts["runbook.yaml"]

    assert problems(folder, texts["child.yaml"], "child.yaml") == []
    assert problems(folder, texts["runbook.yaml"]) == []


def test_renaming_a_child_output_renames_the_parents_output(folder: RunbookFolder) -> None:
    child = folder.open(CHILD.replace("  findings:", "  find<|>ings:"), "child.yaml")
    parent = folder.open(PARENT)
    texts = renamed(folder, child, "results", [parent])
    assert texts["child.yaml"] == CHILD.replace("  findings:", "  results:")
    assert texts["runbook.yaml"] == PARENT.replace("output: findings", "output: results")
    assert problems(folder, texts["child.yaml"], "child.yaml") == []
    assert problems(folder, texts["runbook.yaml"]) == []


def test_an_output_name_the_child_declares_already_is_refused(folder: RunbookFolder) -> None:
    two = CHILD.replace("outputs:\n", "outputs:\n  everything:\n    artifact: found\n")
    child = folder.open(two.replace("  findings:", "  find<|>ings:"), "child.yaml")
    assert refused(child, "everything") == "the runbook already declares an output `everything`"


def test_renaming_a_child_output_alias_keeps_the_child_output(folder: RunbookFolder) -> None:
    folder.write("child.yaml", CHILD)
    runbook = MAPPED_PARENT.replace("inputs: child_findings", "inputs: child_fin<|>dings")
    text = renamed(folder, folder.open(runbook), "pd_findings")["runbook.yaml"]
    assert "findings: pd_findings" in text  # the child's output name stays
    assert "inputs: pd_findings" in text
    assert problems(folder, text) == []
