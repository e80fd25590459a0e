"""`${VAR}` in every scalar of a runbook's structure, substituted before it is checked.

`output: ${PUBLISH}`, `config.timeout: ${SCAN_TIMEOUT}`, `source.type: ${CONNECTOR}`,
`inputs: ${UPSTREAM}`: the analysis checks the value, with the type YAML gives the
substituted text when the scalar is plain (`true` is a bool, `30` a number); a quoted
scalar stays text. The scalar keeps what was written as its `source` (messages and
hovers show it), so substituting again, with other values, starts from the same text.

Not substituted here (each has its own, secret-aware handling):

- component `properties`: validated with defaults (`artifact_check`), substituted by the
  planner, which stores a secret's property as written (`redaction`);
- `child_runbook.path`: the child's artifact ids are made of the path as written
  (`child_check`).

A variable that is unset and has no default leaves its scalar as written (WCT050 says
so). A value is substituted once: a `${...}` inside it stays as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial

from waivern_orchestration.analysis.env_vars import ENV_REFERENCE, expand
from waivern_orchestration.analysis.facts import EnvSite
from waivern_orchestration.diagnostics import Diagnostic, Remade
from waivern_orchestration.parse.positions import Range
from waivern_orchestration.parse.yaml_tree import (
    YamlMapping,
    YamlNode,
    YamlScalar,
    YamlSequence,
    plain_value,
)
from waivern_orchestration.redaction import is_secret, marked_secret

# Keys whose values are left alone, wherever they stand (see the module's docstring).
_KEPT = frozenset({"properties"})
_KEPT_UNDER = {"child_runbook": frozenset({"path"})}


@dataclass(frozen=True, slots=True)
class Substituted:
    """A scalar whose value came from variables: where, as written, and what it became
    (None when a secret variable gave it: never shown)."""

    range: Range
    written: str
    shown: str | None


def substitute_tree(node: YamlNode, env: Mapping[str, str]) -> list[Substituted]:
    """Substitute the variables of every scalar value under ``node`` (in place), except
    component properties and child runbook paths; what was substituted."""
    done: list[Substituted] = []
    stack: list[tuple[YamlNode, str | None]] = [(node, None)]  # (node, the key it is under)
    while stack:
        current, key = stack.pop()
        if isinstance(current, YamlScalar):
            changed = _substitute(current, env)
            if changed is not None:
                done.append(changed)
        elif isinstance(current, YamlMapping):
            for entry in current.entries:
                name = entry.key_text
                if name in _KEPT or name in _KEPT_UNDER.get(key or "", ()):
                    continue
                stack.append((entry.value, name))
        elif isinstance(current, YamlSequence):
            stack.extend((item, key) for item in current.items)
    return done


def _substitute(scalar: YamlScalar, env: Mapping[str, str]) -> Substituted | None:
    written = scalar.source if scalar.source is not None else scalar.value
    if written.__class__ is not str or "${" not in written:
        return None
    references = list(ENV_REFERENCE.finditer(written))
    if any(ref.group(1) not in env and ref.group(2) is None for ref in references):
        # unset, no default: as written (WCT050 says so)
        if scalar.source is not None:  # (substituted earlier, with other values)
            scalar.value, scalar.source = written, None
        return None
    text = expand(written, env)  # (once: a `${...}` in a value stays as it is)
    scalar.value = plain_value(text) if scalar.style is None else text
    scalar.source = written
    marked = marked_secret(env)
    secret = any(is_secret(ref.group(1), env.get(ref.group(1)), marked) for ref in references)
    return Substituted(scalar.range, written, None if secret else text)


def with_notes(diagnostics: list[Diagnostic], substituted: list[Substituted]) -> list[Diagnostic]:
    """``diagnostics`` with a note on each that stands on a substituted scalar."""
    if not substituted:
        return diagnostics
    by_range = {item.range: item for item in substituted}
    return [
        replace(d, message=d.message + note(by_range[d.range])) if d.range in by_range else d
        for d in diagnostics
    ]


def note(substituted: Substituted) -> str:
    """For a message about the scalar: what was written and what it became."""
    if substituted.shown is None:
        return f" (`{substituted.written}`, a secret variable)"
    return f" (`{substituted.written}` is `{substituted.shown}`)"


# Said with their own words about the variable (WCT050), or noted where they are made.
_NOTED_ALREADY = frozenset({"WCT050", "WCT002"})


def noted_values(
    diagnostics: list[Diagnostic],
    sites: Sequence[EnvSite],
    env: Mapping[str, str],
    remade: Remade | None = None,
) -> list[Diagnostic]:
    """``diagnostics`` with a note on each that stands exactly on a value written as one
    `${VAR}` (`inputs: ${UPSTREAM}` → "unknown artifact `filez` ... (`${UPSTREAM}` is
    `filez`)"); never a secret's value. (With ``remade``, the same noted object as the
    analysis before for the same diagnostic and note.)"""
    if not sites:
        return diagnostics
    by_range = {site.range: site for site in sites}
    marked = marked_secret(env)
    noted: list[Diagnostic] = []
    for diagnostic in diagnostics:
        site = by_range.get(diagnostic.range)
        if site is None or diagnostic.code in _NOTED_ALREADY:
            noted.append(diagnostic)
            continue
        value = env.get(site.name, site.default)
        if value is None:
            noted.append(diagnostic)
            continue
        written = (
            f"${{{site.name}}}" if site.default is None else f"${{{site.name}:-{site.default}}}"
        )
        secret = is_secret(site.name, value, marked)
        added = note(Substituted(site.range, written, None if secret else value))
        noted.append(
            remade.of(diagnostic, "note", added, partial(_with_note, added=added))
            if remade is not None
            else _with_note(diagnostic, added)
        )
    return noted


def _with_note(diagnostic: Diagnostic, added: str) -> Diagnostic:
    return replace(diagnostic, message=diagnostic.message + added)
