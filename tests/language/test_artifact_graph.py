"""The artifact graph behind the call hierarchy (`artifact_graph`): what an artifact takes
input from and what takes its output, each with the places the dependency is written;
an alias stands for the artifact that runs the child runbook."""

from __future__ import annotations

from language_support import RunbookFolder
from runbook_samples import CHILD, MAPPED_PARENT
from waivern_lsp.language.artifact_graph import inputs_of, node_of, users_of
from waivern_lsp.language.artifact_kinds import SymbolKind, artifact_detail, artifact_kind
from waivern_orchestration.analysis.facts import Reference


def written(found: dict[str, list[Reference]]) -> dict[str, list[tuple[int, int]]]:
    """Each neighbour with where the dependency is written (line, character)."""
    return {name: [tuple(site.range.start) for site in sites] for name, sites in found.items()}


RUNBOOK = """\
name: Scan
description: Finds personal data
artifacts:
  files:
    source:
      type: filesystem
      properties:
        path: data
  database:
    source:
      type: sqlite
      properties:
        database_path: customers.db
  findings:
    inputs: [files, database]
    process:
      type: personal_data
  summary:
    inputs: findings
    process:
      type: findings_summary
    output: true
"""


def test_lineage_of_an_artifact(folder: RunbookFolder) -> None:
    analysis = folder.open(RUNBOOK).analysis
    findings = analysis.artifacts["findings"]
    assert (artifact_kind(findings), artifact_detail(findings)) == (
        SymbolKind.FUNCTION,
        "personal_data ← files, database",
    )
    assert written(users_of(analysis, "findings")) == {"summary": [(18, 12)]}
    assert written(inputs_of(analysis, "findings")) == {"files": [(14, 13)], "database": [(14, 20)]}
    assert written(inputs_of(analysis, "files")) == {}
    assert written(users_of(analysis, "summary")) == {}


def test_an_alias_stands_for_the_artifact_running_the_child(folder: RunbookFolder) -> None:
    folder.write("child.yaml", CHILD)
    analysis = folder.open(MAPPED_PARENT).analysis
    assert node_of(analysis, "child_findings") == "analysed"
    # `inputs: files` and the `input_mapping` value both say where the input comes from
    assert written(inputs_of(analysis, "analysed")) == {"files": [(9, 12), (13, 19)]}
    assert written(users_of(analysis, "analysed")) == {"summary": [(17, 12)]}


def test_a_runbook_input_is_a_node_without_inputs(folder: RunbookFolder) -> None:
    analysis = folder.open(CHILD, "child.yaml").analysis
    assert node_of(analysis, "documents") == "documents"
    assert written(users_of(analysis, "documents")) == {"found": [(10, 12)]}
    assert written(inputs_of(analysis, "documents")) == {}
    assert written(inputs_of(analysis, "found")) == {"documents": [(10, 12)]}


def test_an_unknown_name_is_no_node(folder: RunbookFolder) -> None:
    analysis = folder.open(RUNBOOK.replace("inputs: findings", "inputs: nothing")).analysis
    assert node_of(analysis, "nothing") is None
    assert written(inputs_of(analysis, "summary")) == {}  # the unknown input is left out
