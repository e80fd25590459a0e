"""Incremental re-analysis: `analyse(text, path, previous=...)` re-parses only the
artifact blocks an edit touched, and its result is exactly the one a fresh analysis of
the same text gives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis_facts import public_facts
from waivern_orchestration.analysis import Analysis, analyse
from waivern_orchestration.components.registry import default_registry
from waivern_orchestration.parse.positions import Range
from waivern_orchestration.parse.yaml_tree import ParseLimits, YamlMapping, YamlNode

HEADER = """\
name: Customer data scan
description: Finds personal data in support files and the customer database.
config:
  max_concurrency: 2
  template_paths:
    - templates
"""

ARTIFACTS = """\
artifacts:
  customer_files:
    source:
      type: filesystem
      properties:
        path: ${CUSTOMER_DATA_DIR:-data}
        include: ["*.txt"]

  customer_db:
    source:
      type: sqlite
      properties:
        database_path: customers.db

  findings:
    inputs:
      - customer_files
      - customer_db
    merge: concatenate
    process:
      type: personal_data
      properties:
        ruleset: strict
    output: true

  strict_findings:
    inputs: customer_db
    child_runbook:
      path: pd_analysis.yaml
      input_mapping:
        documents: customer_db
      output: findings
    output: true
"""

# A top-level key after the artifacts: edits must not leak across that boundary.
RUNBOOK = HEADER + "\n" + ARTIFACTS + "\ncontact: Data Protection Office <dpo@example.org>\n"

CHILD_RUNBOOK = """\
name: Personal data analysis
description: Strict personal data rules over documents given by the parent.
inputs:
  documents:
    input_schema: standard_input/1.0.0
outputs:
  findings:
    artifact: strict
artifacts:
  strict:
    inputs: documents
    process:
      type: personal_data
      properties:
        ruleset: strict
"""


@pytest.fixture(scope="module")
def runbook_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder with the child runbook in `templates/`."""
    project = tmp_path_factory.mktemp("project")
    (project / "templates").mkdir()
    (project / "templates" / "pd_analysis.yaml").write_text(CHILD_RUNBOOK, encoding="utf-8")
    return project / "runbook.yaml"


def analysed(text: str, path: Path, previous: Analysis | None = None) -> Analysis:
    return analyse(text, path, previous=previous, env={}, registry=default_registry())


def facts(analysis: Analysis) -> tuple[Any, ...]:
    """What an incremental analysis must get exactly as a fresh one does."""
    return (*public_facts(analysis), analysis.header)


def test_the_runbook_used_below_has_no_problems(runbook_path: Path) -> None:
    analysis = analysed(RUNBOOK, runbook_path)

    assert analysis.diagnostics == ()
    assert analysis.engine.reparsed_blocks is None
    assert set(analysis.aliases) == {"strict_findings"}


# -- examples ------------------------------------------------------------------------------


def many_artifacts(count: int) -> str:
    blocks = "".join(
        f"  files_{index}:\n"
        f"    source:\n"
        f"      type: filesystem\n"
        f"      properties:\n"
        f"        path: ./data/{index}\n"
        f"    output: true\n"
        for index in range(count)
    )
    return HEADER + "artifacts:\n" + blocks


LARGE_RUNBOOK = many_artifacts(200)


def line_of(text: str, line: str) -> int:
    return text.split("\n").index(line)


def replace_line(text: str, old: str, new: str) -> str:
    assert text.count(old + "\n") == 1, old
    return text.replace(old + "\n", new + "\n")


def test_a_one_line_edit_in_a_large_runbook_reparses_one_block(runbook_path: Path) -> None:
    before = analysed(LARGE_RUNBOOK, runbook_path)
    edited = replace_line(LARGE_RUNBOOK, "        path: ./data/100", "        path: ./archive/100")

    after = analysed(edited, runbook_path, previous=before)

    assert after.engine.reparsed_blocks == 1
    assert facts(after) == facts(analysed(edited, runbook_path))
    assert after.artifacts["files_100"].definition is not None
    assert after.artifacts["files_100"].definition.source is not None
    assert after.artifacts["files_100"].definition.source.properties == {"path": "./archive/100"}


def test_an_unchanged_text_reparses_nothing(runbook_path: Path) -> None:
    before = analysed(LARGE_RUNBOOK, runbook_path)

    again = analysed(LARGE_RUNBOOK, runbook_path, previous=before)

    assert again.engine.reparsed_blocks == 0
    assert facts(again) == facts(before)


def test_an_edit_in_the_header_parses_everything_again(runbook_path: Path) -> None:
    before = analysed(LARGE_RUNBOOK, runbook_path)
    edited = LARGE_RUNBOOK.replace(
        "description: Finds personal data", "description: Looks for personal data"
    )

    after = analysed(edited, runbook_path, previous=before)

    assert after.engine.reparsed_blocks is None
    assert facts(after) == facts(analysed(edited, runbook_path))


def test_a_previous_analysis_of_another_file_is_not_used(
    runbook_path: Path, tmp_path: Path
) -> None:
    other = analysed(LARGE_RUNBOOK, tmp_path / "other.yaml")

    analysis = analysed(LARGE_RUNBOOK, runbook_path, previous=other)

    assert analysis.engine.reparsed_blocks is None
    assert facts(analysis) == facts(analysed(LARGE_RUNBOOK, runbook_path))


def value_range(node: YamlNode, *keys: str) -> Range:
    for key in keys:
        assert isinstance(node, YamlMapping)
        found = node.value_of(key)
        assert found is not None, key
        node = found
    return node.range


def test_inserted_lines_shift_the_artifacts_after_them(runbook_path: Path) -> None:
    before = analysed(LARGE_RUNBOOK, runbook_path)
    edited = replace_line(
        LARGE_RUNBOOK,
        "  files_10:",
        "  files_10:\n    name: Files ten\n    description: The tenth folder.",
    )

    after = analysed(edited, runbook_path, previous=before)

    assert after.engine.reparsed_blocks == 1
    moved = after.artifacts["files_150"]
    id_line = line_of(edited, "  files_150:")
    assert id_line == line_of(LARGE_RUNBOOK, "  files_150:") + 2
    assert moved.key_range == Range.of(id_line, 2, id_line, 11)
    assert moved.range == Range.of(id_line, 2, id_line + 5, 16)
    path_line = line_of(edited, "        path: ./data/150")
    assert value_range(moved.node, "source", "properties", "path") == Range.of(
        path_line, 14, path_line, 24
    )
    assert after.artifacts["files_9"].range == before.artifacts["files_9"].range
    assert facts(after) == facts(analysed(edited, runbook_path))


def test_deleted_lines_shift_diagnostics_after_them(runbook_path: Path) -> None:
    with_unknown_property = replace_line(
        LARGE_RUNBOOK, "        path: ./data/150", "        path: ./data/150\n        depth: 3"
    )
    before = analysed(with_unknown_property, runbook_path)
    edited = with_unknown_property.replace("        path: ./data/3\n", "")

    after = analysed(edited, runbook_path, previous=before)

    assert after.engine.reparsed_blocks == 1
    unknown = [d for d in after.diagnostics if "unknown field `depth`" in d.message]
    assert [d.range.start.line for d in unknown] == [line_of(edited, "        depth: 3")]
    assert facts(after) == facts(analysed(edited, runbook_path))


SMALL_RUNBOOK = """\
name: Scan
description: Scans a folder and a database.
artifacts:
  files:
    source: &connector {type: sqlite, properties: {database_path: a.db}}
    output: true
  database:
    source: {type: sqlite, properties: {database_path: b.db}}
    output: true
contact: dpo@example.org
"""


def test_an_anchor_repeated_in_another_block_is_an_error_as_in_a_fresh_parse(
    runbook_path: Path,
) -> None:
    """YAML refuses a second anchor of the same name anywhere in the document; parsing
    the edited block alone cannot see the first one."""
    before = analysed(SMALL_RUNBOOK, runbook_path)
    edited = SMALL_RUNBOOK.replace("source: {type", "source: &connector {type")

    after = analysed(edited, runbook_path, previous=before)

    fresh = analysed(edited, runbook_path)
    assert [d.code for d in fresh.diagnostics] == ["WCT001"]
    assert facts(after) == facts(fresh)


@pytest.mark.parametrize(
    "edited_line",
    [
        pytest.param("  contact: dpo@example.org", id="indented into the artifacts"),
        pytest.param("#contact: dpo@example.org", id="commented out"),
        pytest.param("xcontact: dpo@example.org", id="renamed at its first character"),
    ],
)
def test_an_edit_at_the_start_of_the_key_after_the_artifacts_is_seen(
    runbook_path: Path, edited_line: str
) -> None:
    """The edit starts exactly where the artifact blocks end: it changes the header."""
    before = analysed(SMALL_RUNBOOK, runbook_path)
    edited = replace_line(SMALL_RUNBOOK, "contact: dpo@example.org", edited_line)

    after = analysed(edited, runbook_path, previous=before)

    assert facts(after) == facts(analysed(edited, runbook_path))


# -- random edit sequences -------------------------------------------------------------------

ARTIFACT_ID_LINE = re.compile(r"^  [A-Za-z_][\w-]*:\s*$")
VALUE_LINE = re.compile(r"^(\s*(?:- )?[\w-]+:[ ]+)\S.*$")
VALUES = [
    "customer_db",
    "customer_files",
    "findings",
    "nowhere",
    "filesystem",
    "sqlite",
    "personal_data",
    "filesystm",
    "concatenate",
    "true",
    "false",
    "42",
    "[customer_db, customer_files]",
    "${UNSET_VARIABLE}",
    "${OTHER:-fallback}",
    "standard_input/1.0.0",
    "'quoted: value'",
    "&shared anchored",
    "{type: sqlite}",
    "[unclosed",
    "",
]
LINES = [
    "",
    "    output: true",
    "    inputs: findings",
    "    inputs: nowhere",
    "    description: more words",
    "      type: sqlite",
    "    merge: concatenate",
    "    unknown_field: 1",
    "  # a comment",
    "    path: ${UNSET_VARIABLE}",
    "config: {timeout: 5}",
    "- item",
    "\tindented with a tab",
    "    description: |\n      first line\n\n      last line\n",
    "    description: >-\n      folded ${FOLDED:-text}",
    "  anchored: &shared\n    source: {type: sqlite, properties: {database_path: a.db}}",
    "    source: *shared",
    "# a comment at the margin",
    "name: a top-level key among the artifacts",
    "---",
    "  customer_db: {inputs: findings}",
]
NEW_ARTIFACTS = [
    "  extra_files:\n    source:\n      type: filesystem\n      properties:\n        path: x\n",
    "  extra_findings:\n    inputs: [customer_db, extra_findings]\n    process:\n"
    "      type: personal_data\n",
    "  reused:\n    reuse:\n      from_run: run-1\n      artifact: findings\n",
    "  customer_db:\n    inputs: findings\n",
    "  empty:\n",
]
BREAKAGES = ["    source: [unclosed", "  'open", "    - : :", "  bad: {a: 1", "&anchor", "  x: *y"]
HEADER_VALUES = [
    "description: Looks for personal data everywhere.",
    "name: Renamed scan",
    "contact: someone@example.org",
    "framework: ${FRAMEWORK:-GDPR}",
    "description:",
    "unknown_header_field: 1",
    "contact: &shared owner@example.org",
]


def text_lines(text: str) -> list[str]:
    return text.split("\n")


def joined(lines: list[str]) -> str:
    return "\n".join(lines)


def artifact_starts(lines: list[str]) -> list[int]:
    """Lines of artifact ids (as far as the edited text still has any)."""
    try:
        section = lines.index("artifacts:")
    except ValueError:
        return []
    starts = []
    for number in range(section + 1, len(lines)):
        if lines[number] and not lines[number].startswith((" ", "#")):
            break
        if ARTIFACT_ID_LINE.match(lines[number]):
            starts.append(number)
    return starts


@dataclass(frozen=True)
class Edit:
    """One user edit; ``texts`` gives the text after each step (two for break-and-fix).

    ``where`` picks a line (or artifact) modulo how many there are, so every edit applies
    to every text."""

    kind: str
    where: int
    text: str = ""
    column: int = 0

    def texts(self, current: str) -> list[str]:
        lines = text_lines(current)
        at = self.where % len(lines)
        if self.kind == "edit value":
            candidates = [n for n, line in enumerate(lines) if VALUE_LINE.match(line)]
            if candidates:
                number = candidates[self.where % len(candidates)]
                match = VALUE_LINE.match(lines[number])
                assert match is not None
                lines[number] = match.group(1) + self.text
        elif self.kind == "insert line":
            lines.insert(at, self.text)
        elif self.kind == "indent line":
            line = lines[at]
            stripped = line.lstrip(" ")
            shift = 2 if self.text == "deeper" else -2
            lines[at] = " " * max(len(line) - len(stripped) + shift, 0) + stripped
        elif self.kind == "delete line":
            del lines[at]
        elif self.kind == "type characters":
            line = lines[at]
            column = self.column % (len(line) + 1)
            lines[at] = line[:column] + self.text + line[column:]
        elif self.kind == "add artifact":
            starts = artifact_starts(lines)
            position = starts[self.where % len(starts)] if starts else len(lines)
            lines[position:position] = self.text.rstrip("\n").split("\n")
        elif self.kind == "remove artifact":
            starts = artifact_starts(lines)
            if starts:
                index = self.where % len(starts)
                end = starts[index + 1] if index + 1 < len(starts) else len(lines)
                del lines[starts[index] : end]
        elif self.kind == "edit header":
            key = self.text.split(":", 1)[0] + ":"
            found = [n for n, line in enumerate(lines) if line.startswith(key)]
            if found:
                lines[found[0]] = self.text
            else:
                lines.insert(0, self.text)
        elif self.kind == "break then fix":
            broken = [*lines[:at], self.text, *lines[at:]]
            return [joined(broken), current]
        return [joined(lines)]


EDITS = st.one_of(
    st.builds(Edit, st.just("edit value"), st.integers(0, 1000), st.sampled_from(VALUES)),
    st.builds(Edit, st.just("insert line"), st.integers(0, 1000), st.sampled_from(LINES)),
    st.builds(Edit, st.just("delete line"), st.integers(0, 1000)),
    st.builds(
        Edit, st.just("indent line"), st.integers(0, 1000), st.sampled_from(["deeper", "less"])
    ),
    st.builds(
        Edit,
        st.just("type characters"),
        st.integers(0, 1000),
        st.text(alphabet=" :-#[]{}'\"&*\nab_1$", min_size=1, max_size=3),
        st.integers(0, 100),
    ),
    st.builds(Edit, st.just("add artifact"), st.integers(0, 1000), st.sampled_from(NEW_ARTIFACTS)),
    st.builds(Edit, st.just("remove artifact"), st.integers(0, 1000)),
    st.builds(Edit, st.just("edit header"), st.integers(0, 1000), st.sampled_from(HEADER_VALUES)),
    st.builds(Edit, st.just("break then fix"), st.integers(0, 1000), st.sampled_from(BREAKAGES)),
)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(EDITS, min_size=1, max_size=8), st.sampled_from(["\n", "\r\n"]))
def test_incremental_analysis_equals_a_fresh_one_after_any_edits(
    runbook_path: Path, edits: list[Edit], line_break: str
) -> None:
    """Each step re-analyses with the previous step's incremental result, as an editor
    does, in a file with Unix or Windows line breaks."""
    current = RUNBOOK
    previous = analysed(current.replace("\n", line_break), runbook_path)
    for edit in edits:
        for edited in edit.texts(current):
            text = edited.replace("\n", line_break)
            incremental = analysed(text, runbook_path, previous=previous)
            fresh = analysed(text, runbook_path)
            assert facts(incremental) == facts(fresh), (edit, text)
            previous, current = incremental, edited


def test_a_variable_set_in_the_same_mapping_since_is_seen(runbook_path: Path) -> None:
    """The environment is compared with what the analysis before saw, not with itself."""
    env: dict[str, str] = {}
    text = RUNBOOK.replace("${CUSTOMER_DATA_DIR:-data}", "${CUSTOMER_DATA_DIR}")
    before = analyse(text, runbook_path, env=env, registry=default_registry())
    env["CUSTOMER_DATA_DIR"] = "/srv/data"

    after = analyse(text, runbook_path, previous=before, env=env, registry=default_registry())

    assert [d.code for d in before.diagnostics] == ["WCT050"]
    assert after.diagnostics == ()


THREE_ARTIFACTS = (
    "name: Limit\ndescription: three artifacts, the most allowed below\nartifacts:\n"
    + "".join(
        f"  a{n}:\n    source:\n      type: filesystem\n      properties:\n        path: .\n"
        f"    output: true\n"
        for n in range(3)
    )
)
THREE_ENTRIES = ParseLimits(max_entries=3)


def test_an_edit_that_adds_an_artifact_past_the_limit_is_refused_as_a_fresh_parse_is(
    runbook_path: Path,
) -> None:
    before = analyse(THREE_ARTIFACTS, runbook_path, env={}, limits=THREE_ENTRIES)
    assert not before.diagnostics
    added = THREE_ARTIFACTS.replace("  a1:\n", "  extra:\n    inputs: a0\n  a1:\n")

    after = analyse(added, runbook_path, previous=before, env={}, limits=THREE_ENTRIES)

    fresh = analyse(added, runbook_path, env={}, limits=THREE_ENTRIES)
    assert [d.code for d in fresh.diagnostics] == ["WCT001"]
    assert "more than 3 entries in one mapping" in fresh.diagnostics[0].message
    assert facts(after) == facts(fresh)


def test_a_broken_runbook_with_more_artifacts_than_the_limit_reports_its_error_alone(
    runbook_path: Path,
) -> None:
    # Recovery would parse every block on its own: past the limit it is not tried.
    broken = THREE_ARTIFACTS.replace("path: .\n", "path: [\n", 1)
    unknown = broken.replace("type: filesystem", "type: filesystm")
    within = analyse(unknown, runbook_path, env={}, limits=THREE_ENTRIES)
    assert [d.code for d in within.diagnostics] == ["WCT001", "WCT020", "WCT020"]

    added = unknown.replace("  a1:\n", "  extra:\n    inputs: a0\n  a1:\n")
    past = analyse(added, runbook_path, env={}, limits=THREE_ENTRIES)

    assert [d.code for d in past.diagnostics] == ["WCT001"]
    assert "never closed" in past.diagnostics[0].message
