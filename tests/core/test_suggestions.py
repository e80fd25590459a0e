""" "Did you mean": the closest artifact id found from the previous analysis' answers (the
ids added and removed since) is the one a fresh search finds, whatever the edits."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from waivern_orchestration.analysis.suggestions import ArtifactNames, did_you_mean

ids = st.text(alphabet="abdfilsx_0123", min_size=1, max_size=9)


def test_a_misspelt_id_gets_the_closest_one() -> None:
    names = ArtifactNames(["files_00001", "db_00001", "findings_00001"])

    assert names.did_you_mean("filez_00001") == "; did you mean `files_00001`?"
    assert names.did_you_mean("zzz") == ""


def test_a_renamed_id_is_offered_from_the_next_analysis() -> None:
    first = ArtifactNames(["db", "src"])
    assert first.did_you_mean("archive_00001") == ""

    second = ArtifactNames(["db", "src", "archive_0001"])
    assert second.did_you_mean("archive_00001") == "; did you mean `archive_0001`?"

    third = ArtifactNames(["db", "src"])  # the closest one removed again
    assert third.did_you_mean("archive_00001") == ""


@settings(max_examples=150, deadline=None)
@given(
    start=st.sets(ids, max_size=30),
    steps=st.lists(
        st.tuples(st.sets(ids, max_size=4), st.sets(ids, max_size=4), st.lists(ids, max_size=5)),
        max_size=6,
    ),
)
def test_answers_carried_over_equal_a_fresh_search(
    start: set[str], steps: list[tuple[set[str], set[str], list[str]]]
) -> None:
    names = set(start)
    asked: list[str] = []
    for added, removed, words in steps:
        names = (names | added) - removed
        asked.extend(words)
        carried = ArtifactNames(names)
        for word in asked:  # earlier words too: their answers are the ones carried over
            assert carried.did_you_mean(word) == did_you_mean(word, sorted(names)), word


def test_among_many_names_as_close_the_search_answers_as_difflib() -> None:
    """Thousands of ids of one family tie on score: difflib then takes the later name,
    and so does the search that skips the ones that cannot win."""
    family = [f"{kind}_{shard:05d}" for kind in ("files", "db", "findings") for shard in range(400)]
    names = ArtifactNames(family)
    words = ["files_000", "files_0001", "db_0004", "findings", "fi", "x", "files_00400"]
    # misspelt at the start, in the middle, at the end (the names tried first differ)
    words += ["filez_00017", "xiles_00399", "fil_s_00123", "findings_0012x", "b_00007"]
    for word in words:
        assert names.did_you_mean(word) == did_you_mean(word, family), word
