"""The LSP forms of a document's diagnostics kept from one publish to the next (reused
before the edit, moved after it) are the forms a fresh conversion makes, JSON included,
after any edits; and only the diagnostics an edit touched are converted again. In-process:
the analysis, the cap and the forms, no server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol.converters import get_converter

from waivern_lsp.diagnostic_cap import capped_for_editor
from waivern_lsp.diagnostic_forms import (
    DocumentDiagnostics,
    LineMark,
    compared_lines,
    unchanged_ends,
)
from waivern_orchestration.analysis import Analysis, analyse
from waivern_orchestration.diagnostics import Diagnostic, RelatedInformation
from waivern_orchestration.parse.positions import Range, split_lines

PATH = Path("/workspace/runbook.yaml")
CONVERTER = get_converter()

# Problems of several kinds, some on lines with characters outside ASCII (their columns
# differ in UTF-16), a cycle (related information on other lines) and a duplicate.
TEXT = """\
name: Broken é
description: Many problems 😀
artifacts:
  files:
    description: Fichiers 😀 à lire
    source:
      type: filesystm
  one:
    inputs: [two, missing]
    process:
      type: personal_data
  two:
    inputs: [one]
    process: {type: personal_data}
    output: true
  three:
    description: très 😀 cassé
    inputs: [fichiers, files, files]
    process:
      type: nope
  three:
    source: {type: filesystem}
"""
LINES = [
    "  # a comment 😀",
    "    description: édité",
    "  four:\n    inputs: [one, nowhere]\n    process: {type: personal_data}",
    "    output: true",
    "",
]
NAMES = ["one", "two", "files", "missing", "fichiers", "three"]


def analysed(text: str, previous: Analysis | None) -> Analysis:
    return analyse(text, PATH, previous=previous, env={})


def forms_of(
    analysis: Analysis, limit: int, kept: DocumentDiagnostics, encoding: str
) -> DocumentDiagnostics:
    update(analysis, limit, kept, encoding)
    return kept


def update(analysis: Analysis, limit: int, kept: DocumentDiagnostics, encoding: str) -> bool:
    """Whether the forms changed."""
    diagnostics = [d for d in analysis.diagnostics if d.file == PATH]
    listed, unlisted = capped_for_editor(diagnostics, limit)
    return kept.update(listed, unlisted, analysis.text, encoding)


edits = st.lists(
    st.one_of(
        st.tuples(st.just("insert"), st.integers(0, 40), st.sampled_from(LINES)),
        st.tuples(st.just("delete"), st.integers(0, 40), st.just("")),
        st.tuples(st.just("rename"), st.integers(0, 40), st.sampled_from(NAMES)),
        st.tuples(st.just("append"), st.integers(0, 40), st.sampled_from(["x", " é", ":"])),
    ),
    min_size=1,
    max_size=8,
)


def edited(text: str, edit: tuple[str, int, str]) -> str:
    kind, index, payload = edit
    lines = text.split("\n")
    at = index % len(lines)
    if kind == "insert":
        lines.insert(at, payload)
    elif kind == "delete":
        del lines[at]
    elif kind == "rename":
        for name in NAMES:
            if name in lines[at]:
                lines[at] = lines[at].replace(name, payload, 1)
                break
    else:
        lines[at] += payload
    return "\n".join(lines)


@settings(max_examples=120, deadline=None)
@given(
    steps=edits,
    limit=st.sampled_from([3, 1000]),
    encoding=st.sampled_from(["utf-16", "utf-8", "utf-32"]),
)
def test_kept_forms_equal_fresh_ones_after_random_edits(
    steps: list[tuple[str, int, str]], limit: int, encoding: str
) -> None:
    text = TEXT
    analysis = analysed(text, None)
    kept = forms_of(analysis, limit, DocumentDiagnostics(), encoding)
    for step in steps:
        text = edited(text, step)
        analysis = analysed(text, analysis)
        published = kept.items
        changed = update(analysis, limit, kept, encoding)
        fresh = forms_of(analysed(text, None), limit, DocumentDiagnostics(), encoding)

        # (what the client gets of each: a moved form's item is read back from its JSON)
        assert list(map(CONVERTER.unstructure, kept.items)) == list(
            map(CONVERTER.unstructure, fresh.items)
        )
        assert changed == (kept.items != published)
        assert [form.json for form in kept.forms] == [
            json.dumps(CONVERTER.unstructure(form.item)) for form in fresh.forms
        ]


def test_an_edit_converts_only_the_diagnostics_it_touched() -> None:
    kept = forms_of(analysed(TEXT, None), 1000, DocumentDiagnostics(), "utf-16")
    assert kept.made == len(kept.forms) > 5

    # a comment line inserted before `three`: those before stay, those after move
    lines = TEXT.split("\n")
    at = lines.index("  three:")
    text = "\n".join([*lines[:at], "  # three comes next", *lines[at:]])
    kept = forms_of(analysed(text, None), 1000, kept, "utf-16")

    assert kept.made == 0
    assert kept.reused > 0
    assert kept.moved > 0


def test_unchanged_ends_of_two_texts() -> None:
    old = [f"line {n}" for n in range(2000)]
    new = [*old[:700], "inserted", "another", *old[701:]]

    assert unchanged_ends("\n".join(old), "\n".join(new)) == (700, 1299)
    assert sum(unchanged_ends("\n".join(old), "\n".join(old))) == 2000
    assert unchanged_ends("", "a\nb") == (0, 0)
    assert unchanged_ends("a\nb", "a\na\nb") == (1, 1)
    assert unchanged_ends("a\r\nb\rc", "a\r\nx\rc") == (1, 1)  # any line break


@settings(max_examples=300, deadline=None)
@given(
    old=st.lists(st.sampled_from(["a", "b", "é", "\n", "\n"]), max_size=30).map("".join),
    new=st.lists(st.sampled_from(["a", "b", "é", "\n", "\n"]), max_size=30).map("".join),
)
def test_unchanged_ends_are_whole_equal_lines(old: str, new: str) -> None:
    before, after = unchanged_ends(old, new)
    old_lines, new_lines = old.split("\n"), new.split("\n")

    assert old_lines[:before] == new_lines[:before]
    assert old_lines[len(old_lines) - after :] == new_lines[len(new_lines) - after :]
    assert before + after <= min(len(old_lines), len(new_lines))


@settings(max_examples=400, deadline=None)
@given(
    old=st.lists(st.sampled_from(["a", "é", "\n", "\n", "\r\n"]), max_size=30).map("".join),
    new=st.lists(st.sampled_from(["a", "é", "\n", "\n"]), max_size=30).map("".join),
    marked=st.integers(0, 40),
)
def test_lines_counted_from_a_mark_are_the_lines_of_the_texts(
    old: str, new: str, marked: int
) -> None:
    """From any line start of the old text, the counts are those of the whole texts."""
    starts = [0, *(at + 1 for at, char in enumerate(old) if char == "\n")]
    line = marked % len(starts)
    lines = len(split_lines(old)) if "\r" in old else old.count("\n") + 1

    ends = compared_lines(old, new, lines, LineMark(starts[line], line))

    assert (ends.before, ends.after) == unchanged_ends(old, new)
    assert ends.lines == (len(split_lines(new)) if "\r" in new else new.count("\n") + 1)
    if "\r" not in old:
        assert ends.mark.line == old.count("\n", 0, ends.mark.offset) == ends.before
        assert new[: ends.mark.offset] == old[: ends.mark.offset]


@pytest.mark.parametrize("line", [0, 2])  # before the edited line, after it
def test_a_kept_diagnostic_whose_related_line_was_edited_is_converted_again(line: int) -> None:
    """The same object, but the line its related information points at now has a
    character of two UTF-16 units before the range: its client columns moved."""
    related = RelatedInformation(PATH, Range.of(1, 5, 1, 8), "there")
    diagnostic = Diagnostic(
        PATH, Range.of(line, 0, line, 1), "WCT011", "a cycle", related=(related,)
    )
    kept = DocumentDiagnostics()
    kept.update([diagnostic], None, "a: 1\nb: abxyz\nc: 3\n", "utf-16")

    changed = kept.update([diagnostic], None, "a: 1\nb: a😀xyz\nc: 3\n", "utf-16")

    (item,) = kept.items
    assert item.related_information is not None
    assert item.related_information[0].location.range.start.character == 6
    assert changed
