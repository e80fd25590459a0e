"""Environment substitution in string values: `${VAR}` and `${VAR:-default}`.

The analyser records every site with its range (WCT050 when unset and no default);
the planner substitutes them, refusing a plan with unset variables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from waivern_orchestration.analysis.facts import EnvSite
from waivern_orchestration.parse.positions import Range
from waivern_orchestration.parse.yaml_tree import YamlScalar

ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def env_sites(scalar: YamlScalar, line_text: Callable[[int], str]) -> Iterator[EnvSite]:
    """Sites in a string scalar, positioned in its source text (quotes and folding
    leave `${...}` as written, so the source span holds it verbatim)."""
    start, end = scalar.range.start, scalar.range.end
    found_in_source = False
    for line in range(start.line, end.line + 1):
        text = line_text(line)
        first = start.character if line == start.line else 0
        last = end.character if line == end.line else len(text)
        for match in ENV_REFERENCE.finditer(text, first, last):
            found_in_source = True
            yield EnvSite(
                match.group(1),
                match.group(2),
                Range.of(line, match.start(), line, match.end()),
            )
    if not found_in_source:  # e.g. built by escapes: fall back to the scalar's range
        for match in ENV_REFERENCE.finditer(str(scalar.value)):
            yield EnvSite(match.group(1), match.group(2), scalar.range)


class UnsetVariable(LookupError):
    pass


def substitute(value: str, env: Mapping[str, str]) -> str:
    """Replace every `${VAR}` / `${VAR:-default}`; raises UnsetVariable for unset ones."""

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        raise UnsetVariable(name)

    return ENV_REFERENCE.sub(replace, value)


def expand(value: str, env: Mapping[str, str]) -> str:
    """Like `substitute`, but an unset variable without default stays as written (for
    checks that must not fail on it; WCT050 reports it)."""

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        return default if default is not None else match.group(0)

    return ENV_REFERENCE.sub(replace, value)


def with_defaults(data: Any) -> tuple[Any, list[tuple[str | int, ...]]]:
    """``data`` with every `${VAR:-default}` replaced by its default, and the locations of
    the strings whose value is only known when the runbook runs (`${VAR}` without default).
    Checks made before running validate the first and leave the second alone."""
    unknown: list[tuple[str | int, ...]] = []
    return _with_defaults(data, (), unknown), unknown


def _with_defaults(value: Any, location: tuple[str | int, ...], unknown: list[Any]) -> Any:
    # A module function, not a closure over `unknown`: a recursive closure is a reference
    # cycle, left for the cyclic collector once per component checked.
    if isinstance(value, str) and "${" in value:
        if any(match.group(2) is None for match in ENV_REFERENCE.finditer(value)):
            unknown.append(location)
            return value
        return ENV_REFERENCE.sub(_default_or_empty, value)
    if isinstance(value, dict):
        return {key: _with_defaults(item, (*location, key), unknown) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_defaults(item, (*location, i), unknown) for i, item in enumerate(value)]
    return value


def _default_or_empty(match: re.Match[str]) -> str:
    return match.group(2) or ""
