"""Where the artifact blocks start (`ArtifactLayout.ensure_offsets`): the offsets of the
wanted lines only, found in one pass, are those of every line's start."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from waivern_orchestration.parse.incremental import _line_starts, _offsets_of


@given(st.text("ab\n", max_size=200), st.data())
def test_the_offsets_of_some_lines_are_those_of_all_lines(text: str, data: st.DataObject) -> None:
    count = text.count("\n") + 1
    lines = sorted(data.draw(st.sets(st.integers(0, count - 1), max_size=6)))

    assert _offsets_of(text, lines) == [_line_starts(text, count)[line] for line in lines]
