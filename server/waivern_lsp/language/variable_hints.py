"""The value each `${VAR}` stands for, to show after it (`${DATA_DIR}` `= ./data`): what a
run started from the editor would use, read without hovering. Never for a secret
variable (`redaction`), nor for one that is not set (its default, if any, is written
beside it; WCT050 says the rest)."""

from __future__ import annotations

from collections.abc import Mapping

from waivern_orchestration.analysis import Analysis
from waivern_orchestration.parse.positions import Position
from waivern_orchestration.redaction import is_secret, marked_secret

# A longer value is cut: a hint is a glance, the hover has the rest.
MAX_HINT_CHARS = 40


def variable_hints(
    analysis: Analysis, env: Mapping[str, str], first_line: int, last_line: int
) -> list[tuple[Position, str]]:
    """(where, label) for each `${VAR}` on the lines first..last that is set and is no
    secret: just after its `}`."""
    marked = marked_secret(env)
    hints: list[tuple[Position, str]] = []
    for site in analysis.env_sites:
        end = site.range.end
        if not first_line <= end.line <= last_line or site.range.start.line != end.line:
            continue
        value = env.get(site.name)
        if value is None or is_secret(site.name, value, marked):
            continue
        shown = value.replace("\r", "\\r").replace("\n", "\\n")
        if len(shown) > MAX_HINT_CHARS:
            shown = shown[: MAX_HINT_CHARS - 1] + "…"
        hints.append((end, f"= {shown}" if shown else "= (empty)"))
    return hints
