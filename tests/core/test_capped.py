"""`capped`: past the first hundred diagnostics of a code, one counts the rest. For one
file it finds each code's first ones without a Python call per diagnostic; it must give
what counting them one by one gives."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from waivern_orchestration.diagnostics import (
    Diagnostic,
    _capped_one_by_one,
    capped,
    sort_diagnostics,
)
from waivern_orchestration.parse.positions import Position, Range

FILE = Path("/project/runbook.yaml")
OTHER = Path("/project/templates/child.yaml")

DIAGNOSTICS = st.lists(
    st.builds(
        lambda code, line, file: Diagnostic.of(
            code, file, Range(Position(line, 2), Position(line, 9)), f"problem on {line}"
        ),
        st.sampled_from(["WCT010", "WCT011", "WCT030", "WCT090"]),
        st.integers(0, 40),
        st.sampled_from([FILE, FILE, FILE, OTHER]),
    ),
    max_size=60,
)


@given(DIAGNOSTICS, st.integers(1, 6))
def test_capped_gives_what_counting_one_by_one_gives(
    diagnostics: list[Diagnostic], per_code: int
) -> None:
    sort_diagnostics(diagnostics)
    counts: dict[str, int] = {}
    for diagnostic in diagnostics:
        counts[diagnostic.code] = counts.get(diagnostic.code, 0) + 1
    over = {code for code, count in counts.items() if count > per_code}

    assert capped(diagnostics, per_code) == (
        _capped_one_by_one(diagnostics, over, per_code) if over else diagnostics
    )


def test_the_summary_stands_where_the_first_unlisted_one_stood() -> None:
    diagnostics = [
        Diagnostic.of("WCT010", FILE, Range(Position(line, 0), Position(line, 1)), "x")
        for line in range(5)
    ]

    kept = capped(diagnostics, 2)

    assert [d.unlisted for d in kept] == [0, 0, 3]
    assert kept[2].range == diagnostics[2].range
    assert kept[2].message.startswith("… and 3 more WCT010 problems")
