"""Go to definition (`language.definitions`, a pure function of one runbook and
a position), `<|>` marking the cursor: from an artifact id to its declaration, from an
alias to the child runbook's artifact behind it, from `child_runbook` fields into the
child runbook."""

from __future__ import annotations

from language_support import Runbook, RunbookFolder, Spot, at
from runbook_samples import SCAN
from waivern_lsp.language.definitions import definitions
from waivern_orchestration.parse.positions import Range


def targets(runbook: Runbook) -> list[Spot]:
    """Where definition leads from the cursor: file name, line, the name there."""
    found = definitions(runbook, runbook.at())
    if found is None:
        return []
    _origin, leads = found
    spots: list[Spot] = []
    for target in leads:
        name = target.path.name
        start, end = target.selection
        lines = target.runbook.lines if target.runbook is not None else [""]
        spots.append((name, start.line, lines[start.line][start.character : end.character]))
    return spots


CHILD = """\
name: Child
description: Analyses documents
inputs:
  documents:
    input_schema: standard_input/1.0.0
outputs:
  findings:
    artifact: strict_findings
artifacts:
  strict_findings:
    inputs: documents
    process:
      type: personal_data
"""

PARENT = """\
name: Parent
description: Uses a child runbook
config:
  template_paths: [templates]
artifacts:
  files:
    source:
      type: filesystem
      properties:
        path: data
  analysis:
    inputs: files
    child_runbook:
      path: pd_analysis.yaml
      input_mapping:
        documents: files
      output_mapping:
        findings: database_findings
  summary:
    inputs: database_findings
    process:
      type: findings_summary
    output: true
"""


def test_an_input_goes_to_the_artifact_it_names(folder: RunbookFolder) -> None:
    runbook = folder.open(at(SCAN, "[files]", 3))
    assert targets(runbook) == [("runbook.yaml", 3, "files")]
    origin, (target,) = definitions(runbook, runbook.at()) or (None, [])
    assert origin == Range.of(9, 13, 9, 18)  # the name under the cursor
    assert target.range == Range.of(3, 2, 7, 18)  # the artifact's whole block


def test_an_artifact_id_goes_to_itself(folder: RunbookFolder) -> None:
    assert targets(folder.open(at(SCAN, "files:", 1))) == [("runbook.yaml", 3, "files")]


def test_a_runbook_output_and_a_declared_input_in_a_child(folder: RunbookFolder) -> None:
    # an artifact named by an output goes to the artifact
    uses = folder.open(at(CHILD, "artifact: strict", 12), "child.yaml")
    assert targets(uses) == [("child.yaml", 9, "strict_findings")]
    # a declared input used like an artifact goes to its declaration
    used_input = folder.open(at(CHILD, "inputs: documents", 10), "child.yaml")
    assert targets(used_input) == [("child.yaml", 3, "documents")]
    # the output's own name goes to the artifact it offers
    output = folder.open(at(CHILD, "findings:", 2), "child.yaml")
    assert targets(output) == [("child.yaml", 9, "strict_findings")]


def test_child_runbook_fields_lead_into_the_child(folder: RunbookFolder) -> None:
    folder.write("templates/pd_analysis.yaml", CHILD)
    # the path: the start of the child file itself
    assert targets(folder.open(at(PARENT, "pd_analysis", 5))) == [("pd_analysis.yaml", 0, "")]
    # an input_mapping key: the input the child declares
    assert targets(folder.open(at(PARENT, "documents:", 4))) == [
        ("pd_analysis.yaml", 3, "documents")
    ]
    # an output_mapping key: the output the child declares
    assert targets(folder.open(at(PARENT, "findings: database", 4))) == [
        ("pd_analysis.yaml", 6, "findings")
    ]


def test_an_alias_goes_to_output_mapping_and_from_there_into_the_child(
    folder: RunbookFolder,
) -> None:
    folder.write("templates/pd_analysis.yaml", CHILD)
    # a use of the alias: where output_mapping makes the name
    assert targets(folder.open(at(PARENT, "inputs: database", 12))) == [
        ("runbook.yaml", 17, "database_findings")
    ]
    # the alias itself: the child's artifact behind it
    assert targets(folder.open(at(PARENT, "database_findings", 11))) == [
        ("pd_analysis.yaml", 9, "strict_findings")
    ]


def test_what_a_missing_child_declares_leads_nowhere(folder: RunbookFolder) -> None:
    assert targets(folder.open(at(PARENT, "pd_analysis", 5))) == []
    assert targets(folder.open(at(PARENT, "documents:", 4))) == []
    folder.write("templates/pd_analysis.yaml", CHILD.replace("  documents:", "  texts:"))
    assert targets(folder.open(at(PARENT, "documents:", 4))) == []


def test_an_unknown_name_stays_where_it_is(folder: RunbookFolder) -> None:
    runbook = folder.open(at(SCAN.replace("[files]", "[filez]"), "filez", 2))
    assert targets(runbook) == []
    output = folder.open(
        at(CHILD.replace("artifact: strict_findings", "artifact: nothing"), "findings:"),
        "child.yaml",
    )
    assert targets(output) == []


def test_nothing_to_go_to_on_a_field_key(folder: RunbookFolder) -> None:
    assert targets(folder.open(at(SCAN, "source:", 3))) == []
