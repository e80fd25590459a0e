"""`analyse`: what it learns from a valid runbook, and, on any text at all, that it never
raises and every range it reports (diagnostics and their related information in the
same file) lies inside the document.

"Inside" uses the protocol's lines: the text split at `\\r\\n`, `\\r` and `\\n`, where a
text ending in a line break has a final empty line; a position's character is at most
the length of its line (code points). An editor shows a diagnostic outside those bounds
nowhere, or throws it away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from waivern_orchestration.analysis import Analysis, analyse
from waivern_orchestration.components.registry import default_registry
from waivern_orchestration.parse.positions import Range

# A file in a folder that does not exist: a mutated `child_runbook` finds nothing on disk.
RUNBOOK_PATH = Path("/nonexistent-waivern-tests/runbook.yaml")

VALID_RUNBOOK = """\
# Scans support files and the customer database for personal data.
name: Customer data scan
description: >-
  Finds personal data in exported support files and in the customer database.
contact: Data Protection Office <dpo@example.org>
framework: GDPR

config:
  timeout: 600
  max_concurrency: 2

artifacts:
  customer_files:
    name: Customer text files
    source:
      type: filesystem
      properties:
        path: ${CUSTOMER_DATA_DIR:-data}
        include:
          - "*.txt"

  customer_db:
    name: Customer database
    source:
      type: sqlite
      properties:
        database_path: customers.db
        tables: [customers, orders]
        max_rows_per_table: 500

  personal_data_findings:
    description: Personal data found in both sources, merged into one input.
    inputs:
      - customer_files
      - customer_db
    merge: concatenate
    process:
      type: personal_data
      properties:
        ruleset: default
        evidence:
          enabled: true
          context_chars: 30
    output: true
"""

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def analyse_text(text: str) -> Analysis:
    return analyse(
        text,
        RUNBOOK_PATH,
        env={},
        registry=default_registry(),
        read_text=lambda _path: None,
    )


def document_lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text)


def out_of_bounds(range_: Range, lines: list[str]) -> str | None:
    """Why ``range_`` is not inside the document, or None when it is."""
    for name, position in (("start", range_.start), ("end", range_.end)):
        if not 0 <= position.line < len(lines):
            return f"{name} line {position.line} outside 0..{len(lines) - 1}"
        if not 0 <= position.character <= len(lines[position.line]):
            return (
                f"{name} character {position.character} outside "
                f"0..{len(lines[position.line])} on line {position.line}"
            )
    if range_.start > range_.end:
        return "start after end"
    return None


def assert_ranges_inside(analysis: Analysis, text: str) -> None:
    lines = document_lines(text)
    for diagnostic in analysis.diagnostics:
        ranges = [diagnostic.range]
        ranges += [info.range for info in diagnostic.related if info.file == diagnostic.file]
        for range_ in ranges:
            problem = out_of_bounds(range_, lines)
            assert problem is None, f"{problem}: {diagnostic.to_text()} ({range_})"


def test_the_valid_runbook_is_valid_and_analysed_in_full() -> None:
    """The mutations below start from a runbook without a single diagnostic."""
    analysis = analyse_text(VALID_RUNBOOK)

    assert analysis.diagnostics == ()
    assert analysis.engine.reparsed_blocks is None
    assert analysis.header is not None and analysis.header.header is not None
    assert analysis.header.header.name == "Customer data scan"
    assert (
        [info.id for info in analysis.artifact_list]
        == list(analysis.artifacts)
        == [
            "customer_files",
            "customer_db",
            "personal_data_findings",
        ]
    )
    assert analysis.runbook is not None


def test_analyse_positions_artifacts_and_references() -> None:
    analysis = analyse_text(VALID_RUNBOOK)

    database = analysis.artifacts["customer_db"]
    assert database.key_range == Range.of(21, 2, 21, 13)
    assert database.range == Range.of(21, 2, 28, 31)
    assert [(ref.name, ref.range, ref.artifact, ref.field) for ref in analysis.references] == [
        ("customer_files", Range.of(33, 8, 33, 22), "personal_data_findings", "inputs"),
        ("customer_db", Range.of(34, 8, 34, 19), "personal_data_findings", "inputs"),
    ]
    assert [(site.name, site.default, site.range) for site in analysis.env_sites] == [
        ("CUSTOMER_DATA_DIR", "data", Range.of(17, 14, 17, 40))
    ]


def test_analyse_builds_the_dependency_graph_and_the_schemas() -> None:
    analysis = analyse_text(VALID_RUNBOOK)

    assert analysis.dependencies == {
        "customer_files": (),
        "customer_db": (),
        "personal_data_findings": ("customer_files", "customer_db"),
    }
    assert {name: str(schema) for name, schema in analysis.schemas.items()} == {
        "customer_files": "standard_input/1.0.0",
        "customer_db": "standard_input/1.0.0",
        "personal_data_findings": "personal_data_finding/1.0.0",
    }
    assert analysis.aliases == {} and analysis.children == {}


CYCLE = """name: Cycle
description: Two artifacts that feed each other.
artifacts:
  first:
    inputs: second
    output: true
  second:
    inputs: first
"""


def test_a_dependency_cycle_is_reported_on_every_edge() -> None:
    analysis = analyse_text(CYCLE)

    assert [(d.code, d.range, d.message) for d in analysis.diagnostics] == [
        ("WCT011", Range.of(4, 12, 4, 18), "dependency cycle: second → first → second"),
        ("WCT011", Range.of(7, 12, 7, 17), "dependency cycle: first → second → first"),
    ]


ENV_RUNBOOK = VALID_RUNBOOK.replace("${CUSTOMER_DATA_DIR:-data}", "${WAIVERN_TEST_DATA_DIR}")


def test_without_env_the_process_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WAIVERN_TEST_DATA_DIR", raising=False)
    unset = analyse(ENV_RUNBOOK, RUNBOOK_PATH, registry=default_registry())
    monkeypatch.setenv("WAIVERN_TEST_DATA_DIR", "/srv/data")
    set_ = analyse(ENV_RUNBOOK, RUNBOOK_PATH, registry=default_registry())

    assert [d.code for d in unset.diagnostics] == ["WCT050"]
    assert set_.diagnostics == ()


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("artifacts: [1, 2", id="flow sequence left open at the end"),
        pytest.param("artifacts: [1, 2\n", id="flow sequence left open before a newline"),
        pytest.param("name: 'unterminated", id="quoted scalar left open"),
        pytest.param("a: b\n  c: d", id="mapping value in the wrong place"),
        pytest.param("a\rb: [", id="carriage return line break"),
        pytest.param("a\u2028b: [", id="unicode line separator"),
        pytest.param("a\x85b: [", id="next-line character"),
        pytest.param("\x00", id="binary"),
        pytest.param("- " * 5000 + "x", id="deep nesting"),
        pytest.param("- ?", id="empty value at the end of a sequence"),
        pytest.param("? ?", id="empty complex key at the end"),
        pytest.param(
            "name: n\ndescription: d\nartifacts:\n  b:\n    inputs:\n      - ?",
            id="typing a list item on an unterminated last line",
        ),
    ],
)
def test_problems_at_the_edges_of_the_text_are_positioned_inside_it(text: str) -> None:
    analysis = analyse_text(text)

    assert analysis.diagnostics
    assert_ranges_inside(analysis, text)


# -- arbitrary text ------------------------------------------------------------------------

YAML_PIECES = st.sampled_from(
    [
        *":-[]{}&*!|>'\"#?,%@` \t\n\r",
        "  ",
        "\n  ",
        "\n    ",
        "artifacts:",
        "name: x",
        "description: y",
        "source:",
        "type: filesystem",
        "inputs: a",
        "- a",
        "${VAR}",
        "${VAR:-d}",
        "&a ",
        "*a",
        "---",
        "\u2028",
        "\x85",
        "\ufeff",
        "é",
        "😀",
    ]
)
YAML_LIKE_TEXT = st.lists(YAML_PIECES, max_size=60).map("".join)


@PROPERTY_SETTINGS
@given(st.text())
@example("")
@example("\n")
@example("artifacts: [")
def test_analyse_never_raises_and_stays_inside_any_text(text: str) -> None:
    assert_ranges_inside(analyse_text(text), text)


@PROPERTY_SETTINGS
@given(YAML_LIKE_TEXT)
def test_analyse_never_raises_and_stays_inside_yaml_like_text(text: str) -> None:
    assert_ranges_inside(analyse_text(text), text)


# -- mutations of a valid runbook ------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    """One change to the lines of a runbook; ``where`` and ``other`` are taken modulo the
    number of lines, so any mutation applies to any text."""

    kind: str
    where: int
    other: int = 0
    text: str = ""

    def apply(self, lines: list[str]) -> list[str]:
        lines = list(lines) or [""]
        at = self.where % len(lines)
        line = lines[at]
        if self.kind == "delete":
            del lines[at]
        elif self.kind == "insert":
            lines.insert(at, self.text)
        elif self.kind == "duplicate":
            lines.insert(at, line)
        elif self.kind == "swap":
            other = self.other % len(lines)
            lines[at], lines[other] = lines[other], lines[at]
        elif self.kind == "characters":
            column = self.other % (len(line) + 1)
            lines[at] = line[:column] + self.text + line[column:]
        elif self.kind == "indent":
            stripped = line.lstrip(" ")
            indent = max(len(line) - len(stripped) + self.other, 0)
            lines[at] = " " * indent + stripped
        return lines


INDEX = st.integers(min_value=0, max_value=10_000)
RUNBOOK_LINES = st.sampled_from(
    [
        "",
        "  extra:",
        "    inputs: customer_db",
        "    inputs: nowhere",
        "      type: sqlite",
        "    source: {type: filesystem, properties: {path: .}}",
        "    merge: concatenate",
        "    output: true",
        "  loop:\n    inputs: loop",
        "    path: ${UNSET_VARIABLE}",
        "    child_runbook:\n      path: child.yaml\n      output: findings",
        "config: {timeout: -1}",
        "artifacts:",
        "- item",
        "  # a comment",
        "\t",
    ]
)
MUTATIONS = st.one_of(
    st.builds(Mutation, st.just("delete"), INDEX),
    st.builds(Mutation, st.just("insert"), INDEX, text=st.one_of(RUNBOOK_LINES, st.text())),
    st.builds(Mutation, st.just("duplicate"), INDEX),
    st.builds(Mutation, st.just("swap"), INDEX, INDEX),
    st.builds(Mutation, st.just("characters"), INDEX, INDEX, st.text(min_size=1, max_size=4)),
    st.builds(Mutation, st.just("indent"), INDEX, st.integers(min_value=-4, max_value=4)),
)


@PROPERTY_SETTINGS
@given(st.lists(MUTATIONS, min_size=1, max_size=4))
def test_analyse_never_raises_and_stays_inside_a_mutated_runbook(
    mutations: list[Mutation],
) -> None:
    lines = VALID_RUNBOOK.split("\n")
    for mutation in mutations:
        lines = mutation.apply(lines)
    text = "\n".join(lines)

    assert_ranges_inside(analyse_text(text), text)
