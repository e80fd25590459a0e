"""Checks that walk any part of a runbook's YAML tree: duplicate keys (WCT003) and
environment-variable sites, done in one walk (the analyser calls it per artifact and for
the header)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from waivern_orchestration.analysis.env_vars import env_sites
from waivern_orchestration.analysis.facts import EnvSite
from waivern_orchestration.diagnostics import Diagnostic, RelatedInformation
from waivern_orchestration.parse.yaml_tree import YamlEntry, YamlMapping, YamlNode, YamlScalar


def scan_subtree(
    node: YamlNode, file: Path, line_text: Callable[[int], str]
) -> tuple[list[Diagnostic], list[EnvSite]]:
    """One walk over ``node``: WCT003 for every key repeated in a mapping, and every
    `${VAR}` site in string values, both in document order."""
    duplicates: list[Diagnostic] = []
    sites: list[EnvSite] = []
    # Collections wait on the stack; scalars are looked at as they are met (most nodes
    # are scalars, and the order of the walk does not matter: both lists are sorted).
    stack: list[YamlNode] = []
    children: Iterable[YamlNode] = (node,)
    while True:
        for child in children:
            if child.__class__ is YamlScalar:
                # (as written: a value substituted already keeps its text in `source`)
                value = child.source if child.source is not None else child.value
                if value.__class__ is str and "${" in value:
                    sites.extend(env_sites(child, line_text))
            else:
                stack.append(child)
        if not stack:
            break
        current = stack.pop()
        if current.__class__ is YamlMapping:
            entries = current.entries
            # (a set of the keys tells a mapping with a repeat, the rare case, cheaply)
            if len(entries) > 1 and len({entry.key_text for entry in entries}) < len(entries):
                duplicates.extend(duplicate_keys_in(entries, file))
            children = [entry.value for entry in entries]
        else:
            children = current.items  # type: ignore[union-attr]
    duplicates.sort(key=Diagnostic.sort_key)
    sites.sort(key=lambda site: site.range)
    return duplicates, sites


def duplicate_keys_in(entries: tuple[YamlEntry, ...], file: Path) -> Iterable[Diagnostic]:
    first: dict[str, YamlEntry] = {}
    for entry in entries:
        key = entry.key_text
        earlier = first.get(key)
        if earlier is None:
            first[key] = entry
            continue
        yield Diagnostic.of(
            "WCT003",
            file,
            entry.key.range,
            f"duplicate key `{key}`: YAML would silently keep only the last one; remove "
            "or rename one of them",
            (RelatedInformation(file, earlier.key.range, f"first `{key}`"),),
        )
