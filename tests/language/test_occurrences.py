"""Occurrences (`name_at`, `occurrences`): what a name at the cursor stands for, and every
place it stands — in its runbook, and for what a child runbook declares, in the runbooks
that use it. References and rename both read this."""

from __future__ import annotations

from language_support import RunbookFolder, everywhere, named, spots
from runbook_samples import CHILD, PARENT
from waivern_lsp.language.occurrences import name_at, occurrences

RUNBOOK = """\
name: Scan
description: Finds personal data
artifacts:
  files:
    source:
      type: filesystem
      properties:
        path: data
  findings:
    inputs: [files]
    process:
      type: personal_data
  summary:
    inputs:
      - findings
      - files
    process:
      type: findings_summary
    output: true
"""


def test_every_use_of_an_artifact(folder: RunbookFolder) -> None:
    runbook = folder.open(RUNBOOK.replace("  files:", "  fi<|>les:"))
    name = named(runbook)
    assert (name.kind, name.name, name.file) == ("artifact", "files", runbook.path)
    assert spots(everywhere(runbook, name)) == [
        ("runbook.yaml", 3, "files"),
        ("runbook.yaml", 9, "files"),
        ("runbook.yaml", 15, "files"),
    ]


def test_asked_from_a_use_without_the_declaration(folder: RunbookFolder) -> None:
    runbook = folder.open(RUNBOOK.replace("- files", "- fi<|>les"))
    assert spots(everywhere(runbook, named(runbook)), declaration=False) == [
        ("runbook.yaml", 9, "files"),
        ("runbook.yaml", 15, "files"),
    ]


def test_nothing_is_named_on_a_field_key_or_a_component_type(folder: RunbookFolder) -> None:
    key = folder.open(RUNBOOK.replace("    source:", "    sou<|>rce:"))
    assert name_at(key, key.at()) is None
    component = folder.open(RUNBOOK.replace("type: filesystem", "type: file<|>system"))
    assert name_at(component, component.at()) is None


def test_a_child_input_is_fed_by_the_parents_input_mapping(folder: RunbookFolder) -> None:
    child = folder.open(CHILD.replace("  documents:", "  docu<|>ments:"), "child.yaml")
    parent = folder.open(PARENT)
    second = folder.open(PARENT, "second.yaml")
    name = named(child)
    assert (name.kind, name.file) == ("input", child.path)
    assert spots(everywhere(child, name, [parent, second])) == [
        ("child.yaml", 3, "documents"),  # the declaration
        ("child.yaml", 10, "documents"),  # the use in the child
        ("runbook.yaml", 13, "documents"),
        ("second.yaml", 13, "documents"),
    ]


def test_from_a_parents_input_mapping_key_into_the_child(folder: RunbookFolder) -> None:
    child = folder.open(CHILD, "child.yaml")
    parent = folder.open(PARENT.replace("    documents: files", "    docu<|>ments: files"))
    name = named(parent)
    assert (name.kind, name.name, name.file) == ("input", "documents", child.path)
    assert spots(everywhere(parent, name, [child]), declaration=False) == [
        ("child.yaml", 10, "documents"),
        ("runbook.yaml", 13, "documents"),
    ]


def test_a_child_output_is_taken_by_the_parents_output(folder: RunbookFolder) -> None:
    child = folder.open(CHILD.replace("  findings:", "  find<|>ings:"), "child.yaml")
    parent = folder.open(PARENT)
    name = named(child)
    assert name.kind == "output"
    assert spots(everywhere(child, name, [parent])) == [
        ("child.yaml", 6, "findings"),
        ("runbook.yaml", 14, "findings"),
    ]


def test_a_parents_output_mapping_key_is_the_childs_output(folder: RunbookFolder) -> None:
    child = folder.open(CHILD, "child.yaml")
    parent = folder.open(
        PARENT.replace(
            "      output: findings\n",
            "      output_mapping:\n        find<|>ings: child_findings\n",
        )
    )
    name = named(parent)
    assert (name.kind, name.file) == ("output", child.path)
    assert spots(everywhere(parent, name, [child])) == [
        ("child.yaml", 6, "findings"),
        ("runbook.yaml", 15, "findings"),
    ]


def test_a_child_runbook_path_finds_every_parent_using_the_file(folder: RunbookFolder) -> None:
    folder.write("child.yaml", CHILD)
    second = folder.open(PARENT, "second.yaml")
    parent = folder.open(PARENT.replace("path: child.yaml", "path: chi<|>ld.yaml"))
    name = named(parent)
    assert (name.kind, name.name) == ("child", "child.yaml")
    assert spots(everywhere(parent, name, [second])) == [
        ("runbook.yaml", 11, "child.yaml"),
        ("second.yaml", 11, "child.yaml"),
    ]


def test_a_child_path_that_does_not_resolve_names_nothing(folder: RunbookFolder) -> None:
    parent = folder.open(PARENT.replace("path: child.yaml", "path: chi<|>ld.yaml"))
    assert name_at(parent, parent.at()) is None


def test_an_artifact_standing_for_a_child_output_is_listed_once(folder: RunbookFolder) -> None:
    folder.write("child.yaml", CHILD)
    runbook = PARENT.replace("  analysed:", "  analy<|>sed:").replace(
        "    output: true\n",
        "  summary:\n    inputs: analysed\n    process:\n      type: findings_summary\n"
        "    output: true\n",
    )
    parent = folder.open(runbook)
    assert spots(everywhere(parent, named(parent))) == [
        ("runbook.yaml", 8, "analysed"),
        ("runbook.yaml", 16, "analysed"),
    ]


def test_a_child_that_cannot_be_read_leaves_the_parents_uses(folder: RunbookFolder) -> None:
    folder.write("child.yaml", CHILD)
    parent = folder.open(PARENT.replace("    documents: files", "    docu<|>ments: files"))
    name = named(parent)
    assert spots(occurrences(parent, name, None, [])) == []
    (link,) = parent.analysis.children.values()
    assert spots(occurrences(parent, name, None, [(parent, link)])) == [
        ("runbook.yaml", 13, "documents")
    ]
