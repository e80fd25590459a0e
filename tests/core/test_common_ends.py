"""Where an edit starts and ends (`parse.text_ends`): the characters two texts share at
their start and at their end, found chunk by chunk, agree with a character-by-character
comparison, whether the texts differ at a chunk's edge, inside one, or not at all."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from waivern_orchestration.parse.text_ends import CHUNK, common_prefix, common_suffix


def prefix_by_characters(a: str, b: str) -> int:
    count = 0
    while count < min(len(a), len(b)) and a[count] == b[count]:
        count += 1
    return count


def suffix_by_characters(a: str, b: str, limit: int) -> int:
    count = 0
    while count < limit and a[len(a) - count - 1] == b[len(b) - count - 1]:
        count += 1
    return count


@settings(deadline=None)  # the character loops over texts of 200,000 characters
@given(
    st.integers(0, 3),  # texts of up to this many chunks
    st.data(),
)
def test_the_shared_ends_are_those_a_character_loop_finds(chunks: int, data: st.DataObject) -> None:
    size = chunks * CHUNK + data.draw(st.integers(0, 40))
    old = "ab\n" * (size // 3 + 1)
    old = old[:size]
    start = data.draw(st.integers(0, len(old)))
    end = data.draw(st.integers(start, len(old)))
    new = old[:start] + data.draw(st.text("abc\n", max_size=3)) + old[end:]

    prefix = common_prefix(old, new)
    limit = min(len(old), len(new)) - prefix

    assert prefix == prefix_by_characters(old, new)
    assert common_suffix(old, new, limit) == suffix_by_characters(old, new, limit)
