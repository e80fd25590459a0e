"""WCT002 messages read like the product, not like pydantic: a list item that is not a
name (empty while being typed, a mapping, a list, a number) is named by its place in the
list, counted from 1, and the value's range is kept."""

from __future__ import annotations

import textwrap

import pytest

from waivern_orchestration.analysis import analyse

RUNBOOK = """\
name: Scan
description: d
artifacts:
  files:
    source: {{type: filesystem, properties: {{path: data}}}}
  report:
    inputs:
      - files
{item}
    process: {{type: personal_data}}
    output: true
"""


@pytest.mark.parametrize(
    ("item", "message", "columns"),
    [
        ("      -", "`inputs` item 2 in artifact `report` is empty: write an artifact id", (7, 7)),
        (
            "      - files: 1",
            "`inputs` item 2 in artifact `report` is a mapping (`key: value`), not a name: "
            "write an artifact id",
            (8, 16),
        ),
        (
            "      - [files]",
            "`inputs` item 2 in artifact `report` is a list, not a name: write an artifact id",
            (8, 15),
        ),
        (
            "      - 3",
            "`inputs` item 2 in artifact `report` is `3`, not a name: write an artifact id",
            (8, 9),
        ),
    ],
)
def test_a_list_item_that_is_not_an_artifact_id(
    item: str, message: str, columns: tuple[int, int]
) -> None:
    analysis = analyse(RUNBOOK.format(item=item), "runbook.yaml")
    [problem] = [d for d in analysis.diagnostics if d.code == "WCT002"]
    assert problem.message == message
    assert (problem.range.start.line, problem.range.start.character) == (8, columns[0])
    assert (problem.range.end.line, problem.range.end.character) == (8, columns[1])


def test_inputs_neither_an_id_nor_a_list_is_one_message() -> None:
    text = RUNBOOK.format(item="").replace("    inputs:\n      - files\n", "    inputs: {a: 1}\n")
    analysis = analyse(text, "runbook.yaml")
    assert [d.message for d in analysis.diagnostics if d.code == "WCT002"] == [
        "`inputs` in artifact `report` must be an artifact id or a list of artifact ids"
    ]


def test_a_template_path_item_is_named_so() -> None:
    text = textwrap.dedent("""\
        name: Scan
        description: d
        config:
          template_paths:
            - templates
            -
        artifacts:
          files:
            source: {type: filesystem, properties: {path: data}}
            output: true
        """)
    analysis = analyse(text, "runbook.yaml")
    assert [d.message for d in analysis.diagnostics if d.code == "WCT002"] == [
        "`config.template_paths` item 2 in the runbook is empty: write a directory"
    ]
