"""The runbook formatter: key order, indentation, comments and scalars kept, idempotent;
a property test on generated runbooks (comments, quoting styles, shuffled keys, odd
indentation) and the examples."""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lsp_support import apply_edit
from waivern_lsp.conversions import LineCodec
from waivern_lsp.features.formatting import text_edits
from waivern_lsp.language.formatter import format_lines, format_runbook
from waivern_orchestration.analysis import Analysis, analyse
from waivern_orchestration.parse.positions import split_lines

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("**/*.yaml"))


def formatted(text: str) -> str:
    result = format_runbook(textwrap.dedent(text))
    assert result is not None
    return result


def test_known_keys_are_ordered_and_indented_two_spaces() -> None:
    text = """\
        # what the runbook is for
        artifacts:
            findings:   # the result
                output: true
                process:
                    properties:
                        ruleset: strict
                    type: personal_data
                inputs:
                - files
                description: "Personal data, ${HOW:-quoted}"
            files:
                source: {type: filesystem, properties: {path: data}}
        description: >-
            Finds personal data
        name: 'Scan'
        """
    assert formatted(text) == textwrap.dedent("""\
        # what the runbook is for
        name: 'Scan'
        description: >-
            Finds personal data
        artifacts:
          findings:   # the result
            description: "Personal data, ${HOW:-quoted}"
            inputs:
              - files
            process:
              type: personal_data
              properties:
                ruleset: strict
            output: true
          files:
            source: {type: filesystem, properties: {path: data}}
        """)


def test_comments_move_with_the_entry_below_them_and_unknown_keys_come_last() -> None:
    text = """\
        name: Scan
        description: d
        artifacts:
          files:
            # ask Ann before changing it
            note: kept where it was, after the known keys
            # where the files are
            source:
              type: filesystem
              properties:
                path: data
            description: files
            output: true
        # the end
        """
    assert formatted(text) == textwrap.dedent("""\
        name: Scan
        description: d
        artifacts:
          files:
            description: files
            # where the files are
            source:
              type: filesystem
              properties:
                path: data
            output: true
            # ask Ann before changing it
            note: kept where it was, after the known keys
        # the end
        """)


def test_a_formatted_runbook_is_left_as_it_is() -> None:
    text = (ROOT / "examples" / "customer_scan" / "runbook.yaml").read_text()
    assert format_lines(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "name: [unclosed\nartifacts: {}\n",  # a syntax error
        "- a list\n- not a runbook\n",
        "name: &n Scan\ndescription: *n\nartifacts: {}\n",  # anchors and aliases
    ],
)
def test_a_runbook_that_does_not_parse_is_not_formatted(text: str) -> None:
    assert format_runbook(text) is None


def test_range_formatting_formats_only_the_artifacts_it_touches() -> None:
    text = textwrap.dedent("""\
        description: d
        name: Scan
        artifacts:
          files:
            output: true
            source: {type: filesystem, properties: {path: data}}
          other:
            output: true
            source: {type: filesystem, properties: {path: data}}
        """)
    edits = format_lines(text, (7, 7))  # a line of `other`
    assert edits is not None
    assert [(edit.first, edit.last, edit.lines) for edit in edits] == [
        (7, 8, ("    source: {type: filesystem, properties: {path: data}}", "    output: true"))
    ]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_examples_format_to_runbooks_that_still_validate(path: Path) -> None:
    text = path.read_text()
    result = format_runbook(text)
    assert result is not None
    before, after = analyse(text, path), analyse(result, path)
    assert _summary(after) == _summary(before)
    assert format_runbook(result) == result


# -- the property ---------------------------------------------------------------------


def _summary(analysis: Analysis) -> tuple[object, ...]:
    return (
        sorted(analysis.artifacts),
        sorted(diagnostic.code for diagnostic in analysis.diagnostics),
        {name: sorted(inputs) for name, inputs in analysis.dependencies.items()},
    )


# A value as generated: a scalar on the key's line, nested lines, or a block scalar
# (its indicator on the key's line, `|` or `>-`, then its lines).
Value = str | list[str] | tuple[str, list[str]]


class _Writer:
    """Makes the parts of a generated runbook, each comment and scalar unique so that it
    can be found again in the formatted text."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.count = 0
        self.comments: list[str] = []
        self.scalars: list[str] = []

    def unique(self) -> int:
        self.count += 1
        return self.count

    def comment(self) -> str:
        text = f"# note {self.unique()}."
        self.comments.append(text)
        return text

    def scalar(self, indent: int) -> Value:
        """A text in one of the ways YAML writes one (``indent``: of a block scalar's
        lines)."""
        words = f"text {self.unique()}."
        style = self.draw(st.sampled_from(["plain", "single", "double", "variable", "block"]))
        if style == "block":
            lines = [f"{words} first line", f"  {words} indented more", f"{words} last"]
            self.scalars.extend(lines)
            indicator = self.draw(st.sampled_from(["|", ">-"]))
            return indicator, [" " * indent + line for line in lines]
        written = {
            "plain": words,
            "single": f"'{words}'",
            "double": f'"{words}"',
            "variable": f'"${{VAR_{self.count}:-{words}}}"',
        }[style]
        self.scalars.append(written)
        return written

    def entry(self, key: str, value: Value, indent: int) -> list[str]:
        """`key: value` (with a blank line and a comment above it, a comment after it,
        now and then), `key:` and nested lines, or a block scalar."""
        pad = " " * indent
        lines = [""] if self.draw(st.booleans()) else []
        if self.draw(st.booleans()):
            lines.append(" " * self.draw(st.sampled_from([0, indent])) + self.comment())
        if isinstance(value, str):
            trailing = f"  {self.comment()}" if self.draw(st.booleans()) else ""
            lines.append(f"{pad}{key}: {value}{trailing}")
        elif isinstance(value, tuple):
            lines.append(f"{pad}{key}: {value[0]}")
            lines.extend(value[1])
        else:
            lines.append(f"{pad}{key}:")
            lines.extend(value)
        return lines

    def block(self, entries: list[tuple[str, Value]], indent: int) -> list[str]:
        shuffled = self.draw(st.permutations(entries))
        return [line for key, value in shuffled for line in self.entry(key, value, indent)]


@st.composite
def runbooks(draw: st.DrawFn) -> tuple[str, _Writer]:
    writer = _Writer(draw)
    step = draw(st.sampled_from([2, 3, 4]))  # the indentation this author uses
    ids = [f"artifact_{index}" for index in range(draw(st.integers(1, 6)))]
    artifacts: list[tuple[str, Value]] = []
    inner = 2 * step
    for position, artifact in enumerate(ids):
        fields: list[tuple[str, Value]] = [("description", writer.scalar(inner + step))]
        if position == 0 or draw(st.booleans()):
            if draw(st.booleans()):
                fields.append(("source", "{type: filesystem, properties: {path: data}}"))
            else:
                path = writer.scalar(inner + 3 * step)
                properties = writer.block([("path", path)], inner + 2 * step)
                source: list[tuple[str, Value]] = [
                    ("type", "filesystem"),
                    ("properties", properties),
                ]
                fields.append(("source", writer.block(source, inner + step)))
        else:
            inputs = draw(st.lists(st.sampled_from(ids[:position]), min_size=1, unique=True))
            dash = " " * (inner + draw(st.sampled_from([0, step])))
            style = draw(st.sampled_from(["block", "flow", "one"]))
            if style == "block":
                fields.append(("inputs", [f"{dash}- {name}" for name in inputs]))
            elif style == "flow":
                fields.append(("inputs", f"[{', '.join(inputs)}]"))
            else:
                fields.append(("inputs", inputs[0]))
            fields.append(("process", writer.block([("type", "personal_data")], inner + step)))
        if draw(st.booleans()):
            fields.append(("output", "true"))
        if draw(st.booleans()):
            fields.append(("contact", writer.scalar(inner + step)))
        if draw(st.booleans()):
            fields.append(("notes", writer.scalar(inner + step)))  # unknown: WCT002, kept
        body = writer.block(fields, inner)
        if draw(st.booleans()):  # a comment after the artifact's last entry
            body.append(" " * inner + writer.comment())
        artifacts.append((artifact, body))
    header: list[tuple[str, Value]] = [
        ("name", writer.scalar(step)),
        ("description", writer.scalar(step)),
        ("artifacts", writer.block(artifacts, step)),
    ]
    if draw(st.booleans()):
        header.append(("config", writer.block([("max_concurrency", "2")], step)))
    lines = [writer.comment(), *writer.block(header, 0)]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + newline, writer


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runbooks())
def test_formatting_is_idempotent_and_keeps_comments_scalars_and_meaning(
    generated: tuple[str, _Writer],
) -> None:
    text, writer = generated
    result = format_runbook(text)
    assert result is not None, text
    assert format_runbook(result) == result
    assert ("\r\n" in result) == ("\r\n" in text)
    comments = Counter(line.strip() for line in result.splitlines() if line.strip().startswith("#"))
    trailing = [c for c in writer.comments if c not in comments]
    assert all(result.count(c) == 1 for c in writer.comments), (text, result)
    assert all(f"  {c}" in result for c in trailing)
    assert all(scalar in result for scalar in writer.scalars), (text, result)
    path = Path("runbook.yaml")
    assert _summary(analyse(result, path)) == _summary(analyse(text, path))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runbooks(), st.integers(0, 200))
def test_range_formatting_keeps_the_meaning_and_agrees_with_formatting(
    generated: tuple[str, _Writer], line: int
) -> None:
    text, _writer = generated
    lines = text.splitlines()
    line = line % len(lines)
    edits = format_lines(text, (line, line))
    assert edits is not None
    for edit in sorted(edits, key=lambda edit: edit.first, reverse=True):
        lines[edit.first : edit.last + 1] = edit.lines
    ranged = "\n".join(lines) + "\n"
    path = Path("runbook.yaml")
    assert _summary(analyse(ranged, path)) == _summary(analyse(text, path))
    # what is left to do is the rest of the runbook: formatting it all gives the same text
    assert format_runbook(ranged) == format_runbook(text.replace("\r\n", "\n"))


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("final", [True, False])
def test_the_edits_sent_to_the_client_make_the_formatted_text(newline: str, final: bool) -> None:
    text = newline.join(["description: d", "name: n", "artifacts:", "    a:", "        output: x"])
    text += newline if final else ""
    lines = split_lines(text)
    edits = format_lines(text)
    assert edits
    sent = text_edits(edits, lines, newline, LineCodec(lines))
    result = text
    for edit in reversed(sent):  # in document order, none overlapping
        result = apply_edit(result, edit.range, edit.new_text)
    assert result == format_runbook(text)
