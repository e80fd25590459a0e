"""Runbooks several test modules start from: a small scan, a child runbook (`child.yaml`)
and two parents that use it."""

from __future__ import annotations

# Two artifacts: files found by a connector, personal data found in them (an output).
SCAN = """\
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
    output: true
"""

# A child runbook and a parent that uses it as `child.yaml`.
CHILD = """\
name: Child
description: Analyses documents
inputs:
  documents:
    input_schema: standard_input/1.0.0
outputs:
  findings:
    artifact: found
artifacts:
  found:
    inputs: documents
    process:
      type: personal_data
"""

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
      output: findings
    output: true
"""

# The parent naming the child's output `child_findings` (`output_mapping`), which an
# artifact of its own then uses.
MAPPED_PARENT = """\
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
  summary:
    inputs: child_findings
    process:
      type: findings_summary
    output: true
"""

# A scan whose findings go through the `personal_data` review step (batch mode, the
# built-in `local` provider): the run waits for `wct poll`, then a resume completes it.
REVIEWED = """\
name: Reviewed scan
description: personal data with the review step
artifacts:
  files:
    source:
      type: filesystem
      properties:
        path: data
  findings:
    inputs: files
    process:
      type: personal_data
      properties:
        review: {enabled: true, provider: local}
    output: true
"""


# The full scan over `data/`: files, the personal data in them, a summary of it.
FULL_SCAN = """\
name: scan
description: files, findings, summary
artifacts:
  files:
    source: {type: filesystem, properties: {path: data}}
  findings:
    inputs: files
    process: {type: personal_data}
  summary:
    inputs: findings
    process: {type: findings_summary}
    output: true
"""


def untidy(text: str) -> str:
    """A formatted runbook as someone else might write it: four spaces a level, and its
    second and third lines swapped (in the examples, `description` before `name`)."""
    lines = [" " * (len(line) - len(line.lstrip(" "))) + line for line in text.splitlines()]
    lines[1], lines[2] = lines[2], lines[1]
    return "\n".join(lines) + "\n"
