"""Each artifact's resolved output schema, to show after its id
(`files: → standard_input/1.0.0`): what flows between artifacts, read without hovering."""

from __future__ import annotations

from collections.abc import Sequence

from waivern_orchestration.analysis import Analysis
from waivern_orchestration.parse.positions import Position


def schema_hints(
    analysis: Analysis, lines: Sequence[str], first_line: int, last_line: int
) -> list[tuple[Position, str]]:
    """(where, label) for each artifact whose id stands on the lines first..last and whose
    output schema is known: just after the `:` of its key."""
    hints: list[tuple[Position, str]] = []
    for info in analysis.artifact_list:
        end = info.key_range.end
        if not first_line <= end.line <= last_line:
            continue
        schema = analysis.schemas.get(info.id)
        if schema is None:
            continue
        after_colon = lines[end.line][end.character : end.character + 1] == ":"
        hints.append((Position(end.line, end.character + after_colon), f"→ {schema}"))
    return hints
