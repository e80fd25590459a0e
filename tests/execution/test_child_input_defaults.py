"""An optional child input the parent leaves unmapped gets its declared `default`."""

from __future__ import annotations

import json

from execution_support import Workspace

CHILD = """\
name: Analysis
description: finds personal data in the documents, and in the extra text when given
inputs:
  documents:
    input_schema: standard_input/1.0.0
  extra:
    input_schema: standard_input/1.0.0
    optional: true
    default:
      items:
        - content: "escalations go to help.desk@northwind-mail.com"
          metadata: {source: default}
outputs:
  findings:
    artifact: pd
artifacts:
  pd:
    inputs: [documents, extra]
    merge: concatenate
    process:
      type: personal_data
"""

PARENT = """\
name: Parent
description: maps only the documents
artifacts:
  files:
    source:
      type: filesystem
      properties: {path: data}
  scan:
    inputs: files
    child_runbook:
      path: analysis.yaml
      input_mapping: {documents: files}
      output: findings
    output: true
"""


def test_the_default_of_an_unmapped_optional_input_reaches_the_child(
    workspace: Workspace,
) -> None:
    workspace.write("analysis.yaml", CHILD)
    workspace.write("data/note.txt", "Call jane.doe@northwind-mail.com tomorrow.\n")
    runbook = workspace.write("runbook.yaml", PARENT)

    run = workspace.wct("run", runbook, "--events", "--store", workspace.store)
    assert run.returncode == 0, run.stdout + run.stderr
    run_id = json.loads(run.stdout.splitlines()[0])["run_id"]
    shown = workspace.wct("inspect", run_id, "scan", "--json", "--store", workspace.store)

    sources = {finding["source"] for finding in json.loads(shown.stdout)["content"]["findings"]}
    assert sources == {"note.txt", "default"}
