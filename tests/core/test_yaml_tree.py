"""`parse_yaml`: YAML text → a tree whose every key and value knows its range, or the
reason it was refused (syntax errors with their position, hostile input)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable

import pytest

from waivern_orchestration.parse.positions import Position, Range
from waivern_orchestration.parse.yaml_tree import (
    ParsedYaml,
    ParseLimits,
    YamlMapping,
    YamlNode,
    YamlScalar,
    YamlSequence,
    node_at,
    parse_yaml,
    to_python,
    walk,
)

RUNBOOK = """\
name: Find personal data
description: |
  Scans the documents folder.

artifacts:
  documents:
    source:
      type: filesystem
      properties: {path: ./documents}
    # a comment after the last key
  findings:
    inputs: [documents]
    output: true

"""


def parsed(text: str, limits: ParseLimits | None = None) -> YamlMapping:
    result = parse_yaml(text) if limits is None else parse_yaml(text, limits)
    assert result.problem is None, result.problem
    assert isinstance(result.root, YamlMapping)
    return result.root


def mapping(node: YamlNode | None) -> YamlMapping:
    assert isinstance(node, YamlMapping)
    return node


def scalar(node: YamlNode | None) -> YamlScalar:
    assert isinstance(node, YamlScalar)
    return node


def refusal(result: ParsedYaml) -> str:
    assert result.root is None
    assert result.problem is not None
    return result.problem.message


def lines_of(text: str) -> list[str]:
    return textwrap.dedent(text).split("\n")


def inside(range_: Range, text: str) -> bool:
    lines = text.split("\n")
    return all(
        0 <= position.line < len(lines) and 0 <= position.character <= len(lines[position.line])
        for position in (range_.start, range_.end)
    )


# -- the tree ------------------------------------------------------------------------------


def test_every_key_and_value_knows_its_range() -> None:
    root = parsed(RUNBOOK)

    name = root.get("name")
    assert name is not None
    assert name.key.range == Range.of(0, 0, 0, 4)
    assert name.value.range == Range.of(0, 6, 0, 24)
    documents = mapping(root.value_of("artifacts")).get("documents")
    assert documents is not None
    assert documents.key.range == Range.of(5, 2, 5, 11)
    source = mapping(mapping(documents.value).value_of("source"))
    assert scalar(source.value_of("type")).range == Range.of(7, 12, 7, 22)
    assert source.value_of("properties") is not None
    assert source.value_of("properties").range == Range.of(8, 18, 8, 37)  # type: ignore[union-attr]


def test_a_flow_sequence_spans_its_brackets_and_items_their_text() -> None:
    findings = mapping(mapping(parsed(RUNBOOK).value_of("artifacts")).value_of("findings"))

    inputs = findings.value_of("inputs")

    assert isinstance(inputs, YamlSequence)
    assert inputs.range == Range.of(11, 12, 11, 23)
    assert [item.range for item in inputs.items] == [Range.of(11, 13, 11, 22)]


def test_a_block_mapping_ends_where_its_last_value_ends() -> None:
    """Not at the comment or blank lines after it: a range must not depend on what follows."""
    artifacts = mapping(parsed(RUNBOOK).value_of("artifacts"))

    documents = artifacts.value_of("documents")

    assert documents is not None
    assert documents.range.end == Position(8, 37)
    assert artifacts.range == Range.of(5, 2, 12, 16)


def test_a_block_scalar_ends_on_its_last_line_of_text() -> None:
    description = scalar(parsed(RUNBOOK).value_of("description"))

    assert description.value == "Scans the documents folder.\n"
    assert description.range == Range.of(1, 13, 2, 29)


def test_duplicate_keys_are_kept_and_the_last_one_counts() -> None:
    root = parsed("name: first\nname: second\n")

    assert root.keys() == ["name", "name"]
    assert scalar(root.value_of("name")).value == "second"
    assert to_python(root) == {"name": "second"}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("true", True),
        ("42", 42),
        ("1.5", 1.5),
        ("~", None),
        ("'42'", "42"),
        ('"true"', "true"),
        ("2024-01-31", "2024-01-31"),  # timestamps keep their text
        ("${HOME}/data", "${HOME}/data"),
    ],
)
def test_scalars_have_the_value_yaml_gives_them(text: str, value: object) -> None:
    assert scalar(parsed(f"key: {text}\n").value_of("key")).value == value


def test_line_offset_positions_a_piece_of_a_larger_document() -> None:
    root = parsed("name: demo\n")
    piece = parse_yaml("name: demo\n", line_offset=40).root

    assert isinstance(piece, YamlMapping)
    assert piece == root.shifted(40)
    assert piece.range == Range.of(40, 0, 40, 10)


@pytest.mark.parametrize(
    "text",
    [
        "? ",
        "- ? ",
        "? ?",
        "inputs:\n  - files\n  - ?",
        "artifacts:\n  files:\n    ? ",
    ],
)
def test_an_empty_value_at_the_end_of_the_text_stays_inside_the_text(text: str) -> None:
    """Editors often leave the last line unterminated while typing."""
    root = parse_yaml(text).root

    assert root is not None
    outside = [node.range for node in walk(root) if not inside(node.range, text)]
    assert outside == []


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_an_empty_document_has_no_root_and_no_problem(text: str) -> None:
    assert parse_yaml(text) == ParsedYaml(None, None, False)


def test_carriage_returns_break_lines_as_editors_count_them() -> None:
    root = parsed("name: demo\rdescription: x\r\nartifacts: {}")

    assert [entry.key.range.start.line for entry in root.entries] == [0, 1, 2]


def test_an_alias_shares_the_anchored_node() -> None:
    result = parse_yaml("shared: &where {path: .}\ncopy: *where\n")

    root = mapping(result.root)
    assert result.uses_anchors
    assert root.value_of("copy") is root.value_of("shared")


def test_without_aliases_no_anchors_are_used() -> None:
    assert not parse_yaml(RUNBOOK).uses_anchors


def test_walk_visits_every_node_in_document_order() -> None:
    root = parsed("a: [1, 2]\nb: {c: 3}\n")

    values = [node.value for node in walk(root) if isinstance(node, YamlScalar)]

    assert values == ["a", 1, 2, "b", "c", 3]


def test_node_at_gives_the_chain_down_to_the_innermost_node() -> None:
    root = parsed(RUNBOOK)

    chain = node_at(root, Position(11, 15))  # inside `documents` of `inputs: [documents]`

    assert chain[0] is root
    assert isinstance(chain[-2], YamlSequence)
    assert scalar(chain[-1]).value == "documents"


# -- syntax errors ---------------------------------------------------------------------------


def test_a_syntax_error_is_reported_where_it_is() -> None:
    result = parse_yaml("name: demo\n  description: misplaced\n")

    assert "syntax error" in refusal(result)
    assert result.problem is not None
    assert result.problem.range.start == Position(1, 13)


@pytest.mark.parametrize(
    "text",
    [
        "artifacts: [documents",
        "artifacts: [documents\n",
        "name: 'unterminated",
        "name: &",
        "%",
    ],
)
def test_a_syntax_error_at_the_end_of_the_text_stays_inside_the_text(text: str) -> None:
    result = parse_yaml(text)

    assert "syntax error" in refusal(result)
    assert result.problem is not None
    assert inside(result.problem.range, text), result.problem.range


# -- hostile input -------------------------------------------------------------------------


def test_a_document_over_the_size_limit_is_refused_unread() -> None:
    message = refusal(parse_yaml("name: demo\n" * 10, ParseLimits(max_chars=100)))

    assert "110 characters is over the limit of 100" in message


def test_binary_content_is_refused_where_it_starts() -> None:
    result = parse_yaml("name: demo\ndescription: \x00\x01\x02\n")

    assert "binary content" in refusal(result)
    assert result.problem is not None
    assert result.problem.range == Range.of(1, 13, 1, 14)


def test_a_line_separator_yaml_alone_counts_is_refused_where_it_is() -> None:
    result = parse_yaml("name: demo\ndescription: one\u2028two\n")

    assert "U+2028" in refusal(result)
    assert result.problem is not None
    assert result.problem.range.start == Position(1, 16)


def nested_flow(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_block(depth: int) -> str:
    return "".join("  " * level + f"level{level}:\n" for level in range(depth)) + "  " * depth + "x"


@pytest.mark.parametrize("nest", [nested_flow, nested_block], ids=["flow", "block"])
def test_nesting_up_to_the_limit_is_fine_and_deeper_is_refused(nest: object) -> None:
    limits = ParseLimits(max_depth=10)
    assert callable(nest)

    assert parse_yaml(nest(10), limits).problem is None
    assert "nesting deeper than 10 levels" in refusal(parse_yaml(nest(11), limits))


def test_too_deep_nesting_is_refused_at_the_collection_that_goes_too_deep() -> None:
    result = parse_yaml("deep: " + nested_flow(11), ParseLimits(max_depth=10))

    assert result.problem is not None
    # The root mapping is level 1, so the tenth `[` (column 15) opens level 11.
    assert result.problem.range.start == Position(0, 15)


LONG_COLLECTIONS = {
    "block mapping": lambda count: "".join(f"k{n}: x\n" for n in range(count)),
    "flow mapping": lambda count: "{" + ", ".join(f"k{n}: x" for n in range(count)) + "}",
    "block sequence": lambda count: "".join("- x\n" for _ in range(count)),
    "flow sequence": lambda count: "[" + ", ".join("x" for _ in range(count)) + "]",
}


def as_inner_value(collection: str) -> str:
    """The collection as the value of `outer.inner`, two levels down."""
    if collection.startswith(("{", "[")):
        return "outer:\n  inner: " + collection + "\n"
    return "outer:\n  inner:\n" + textwrap.indent(collection, "    ")


@pytest.mark.parametrize("write", LONG_COLLECTIONS.values(), ids=LONG_COLLECTIONS.keys())
def test_a_collection_of_more_entries_than_the_limit_is_refused_where_it_starts(
    write: Callable[[int], str],
) -> None:
    limits = ParseLimits(max_entries=10)
    kind = "entries in one mapping" if "k0" in write(1) else "items in one sequence"
    flow = write(1).startswith(("{", "["))

    assert parse_yaml(as_inner_value(write(10)), limits).problem is None
    result = parse_yaml(as_inner_value(write(11)), limits)

    assert f"more than 10 {kind}" in refusal(result)
    assert result.problem is not None
    assert result.problem.range.start == (Position(1, 9) if flow else Position(2, 4))


def test_the_entries_after_the_limit_are_never_parsed() -> None:
    # A syntax error after the eleventh entry: the refusal comes first, the error is not read.
    text = "".join(f"k{n}: x\n" for n in range(11)) + "broken: [\n"

    result = parse_yaml(text, ParseLimits(max_entries=10))

    assert "more than 10 entries in one mapping" in refusal(result)
    assert result.problem is not None and not result.problem.syntax


# The C composer recurses once per level: without the refusal, 200,000 levels crash the
# process (so each document is parsed in a child process).
DEEP_DOCUMENTS = {
    "block sequences": "'- ' * 200_000 + 'x'",
    "flow sequences": "'[' * 200_000 + ']' * 200_000",
    "unclosed flow mappings": "'{a: ' * 200_000",
    "indented mappings (3,000 levels: 4.5M characters)": (
        "''.join(' ' * n + 'k:\\n' for n in range(3_000))"
    ),
    "explicit keys": "'? ' * 200_000 + 'x'",
    "value of a key": "'name: ' + '[' * 200_000",
    "flow mappings in flow sequences": "'[{a: ' * 450",
    "anchored flow sequences": "''.join(f'[&a{n} ' for n in range(900))",
}


@pytest.mark.parametrize("expression", DEEP_DOCUMENTS.values(), ids=DEEP_DOCUMENTS.keys())
def test_deep_nesting_is_refused_without_crashing(expression: str) -> None:
    program = (
        "from waivern_orchestration.parse.yaml_tree import parse_yaml\n"
        "from waivern_orchestration.analysis import analyse\n"
        f"text = {expression}\n"
        "result = parse_yaml(text)\n"
        "assert result.root is None and result.problem is not None, result\n"
        "print(result.problem.message)\n"
        "print(analyse(text, 'deep.yaml', env={}).diagnostics[0].code)\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )

    assert finished.returncode == 0, finished.stderr[-2000:]
    message, code = finished.stdout.splitlines()
    assert "nesting" in message
    assert code == "WCT001"


def test_a_recursive_alias_is_refused() -> None:
    result = parse_yaml("documents: &loop\n  - *loop\n")

    assert refusal(result) == "document refused: recursive alias"


def test_a_syntax_error_that_makes_an_alias_recursive_is_the_one_reported() -> None:
    # The unclosed `[` swallows the next line, alias and all: the bracket is the mistake.
    result = parse_yaml("a: &x [1, 2\nb: *x\n")

    assert result.problem is not None and result.problem.syntax
    assert "never closed" in result.problem.message
    assert result.problem.range.start == Position(0, 6)


def test_an_anchor_reused_inside_its_own_collection_is_a_syntax_error() -> None:
    result = parse_yaml("a: &x\n  b: &x 1\n")

    assert result.problem is not None and result.problem.syntax
    assert "duplicate anchor 'x'" in result.problem.message
    assert result.problem.range.start == Position(1, 5)


@pytest.mark.parametrize("tag", ["!!int", "!!float", "!!bool", "!!null", "!!timestamp"])
def test_an_empty_value_with_an_explicit_tag_is_text_not_a_crash(tag: str) -> None:
    for text in (f"a: {tag}\n", f"- {tag} ", tag):
        result = parse_yaml(text)

        assert result.problem is None, text
        assert "" in {node.value for node in walk(result.root) if isinstance(node, YamlScalar)} or (
            tag == "!!null"
        ), text


BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_an_alias_expansion_bomb_is_refused_without_expanding_it() -> None:
    message = refusal(parse_yaml(BILLION_LAUGHS))

    assert "aliases expand to more than 2,000,000 nodes" in message


def test_the_expansion_limit_counts_every_alias_use() -> None:
    text = "a: &x [1, 2]\nb: *x\nc: *x\n"  # 1 root + 3 keys + 3 * 3 sequence nodes = 13

    assert parse_yaml(text, ParseLimits(max_expanded_nodes=13)).problem is None
    assert "more than 12 nodes" in refusal(parse_yaml(text, ParseLimits(max_expanded_nodes=12)))


def test_an_alias_bomb_refusal_stays_inside_the_text() -> None:
    text = BILLION_LAUGHS.rstrip("\n")  # editors often leave the last line unterminated

    result = parse_yaml(text)

    assert "alias bomb" in refusal(result)
    assert result.problem is not None
    assert inside(result.problem.range, text), result.problem.range
