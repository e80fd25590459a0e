"""The plain-text tables the benchmark scripts print."""

from __future__ import annotations

from collections.abc import Sequence


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]], *, left_first: bool) -> None:
    """Columns right-aligned (numbers), the first one left-aligned when ``left_first``."""
    table = [tuple(header), *(tuple(row) for row in rows)]
    widths = [max(len(line[column]) for line in table) for column in range(len(header))]

    def render(cells: tuple[str, ...]) -> str:
        first = cells[0].ljust(widths[0]) if left_first else cells[0].rjust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return " | ".join([first, *rest])

    print(render(table[0]))
    print("-+-".join("-" * width for width in widths))
    for cells in table[1:]:
        print(render(cells))
