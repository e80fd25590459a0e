"""Recovery from a syntax error: a half-typed artifact must not hide every other problem.

When the whole text does not parse, the runbook is split along its lines the way
incremental parsing splits it: the header (everything but the artifact blocks) and one
block per artifact, each starting at an id line at the artifacts' indentation. Each part
is parsed on its own; a block that still fails is a `BrokenBlock` (where it fails, and its
id, so that the analysis can report it and keep references to it valid), the others are
entries as usual. A header that does not parse gives up recovery (None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from waivern_orchestration.parse.positions import Range, split_lines
from waivern_orchestration.parse.yaml_tree import ParseLimits, YamlEntry, YamlMapping, parse_yaml

_ARTIFACTS_LINE = re.compile(r"artifacts[ \t]*:[ \t]*(#.*)?\r?")
_ID_LINE = re.compile(r"( +)(['\"]?)([^\s'\"#:][^'\":]*)\2[ \t]*:(?:[ \t]|\r?$)")


@dataclass(frozen=True)
class BrokenBlock:
    """An artifact block that does not parse on its own."""

    id: str
    key_range: Range
    problem_range: Range
    message: str


@dataclass(frozen=True)
class Recovered:
    header: YamlMapping
    blocks: list[YamlEntry | BrokenBlock]  # the artifacts, in order


def recover(text: str, limits: ParseLimits) -> Recovered | None:
    lines = split_lines(text)
    starts = [number for number, line in enumerate(lines) if _ARTIFACTS_LINE.fullmatch(line)]
    if len(starts) != 1:
        return None
    section = starts[0]
    end = next(
        (
            number
            for number in range(section + 1, len(lines))
            if lines[number][:1] not in ("", " ", "#", "\r")
        ),
        len(lines),
    )
    blocks = _block_starts(lines, section + 1, end)
    if not blocks or len(blocks) > limits.max_entries:
        return None  # none, or more than a whole parse would accept: its error stands
    # The header keeps its line numbers: the artifact blocks are blanked out of it.
    header_lines = [*lines[: blocks[0]], *([""] * (end - blocks[0])), *lines[end:]]
    header = parse_yaml("\n".join(header_lines), limits)
    if header.problem is not None or not isinstance(header.root, YamlMapping):
        return None
    found: list[YamlEntry | BrokenBlock] = []
    for index, start in enumerate(blocks):
        stop = blocks[index + 1] if index + 1 < len(blocks) else end
        block = parse_yaml("\n".join(lines[start:stop]), limits, line_offset=start)
        if block.problem is None and isinstance(block.root, YamlMapping) and not block.uses_anchors:
            found.extend(block.root.entries)
            continue
        match = _ID_LINE.match(lines[start])
        assert match is not None  # block starts are id lines
        column = match.start(3)
        key_range = Range.of(start, column, start, column + len(match.group(3).rstrip()))
        problem_range = block.problem.range if block.problem is not None else key_range
        message = (
            block.problem.message
            if block.problem is not None
            else "artifact block could not be read as a mapping"
        )
        found.append(BrokenBlock(match.group(3).rstrip(), key_range, problem_range, message))
    if not any(isinstance(block, BrokenBlock) for block in found):
        return None  # the error lies between the parts: only the whole-text error is true
    # The header was parsed with the artifacts blanked out: give `artifacts` back a
    # (placeholder) mapping, as incremental analysis does.
    entries = tuple(
        YamlEntry(entry.key, YamlMapping((), entry.key.range), entry.key_text)
        if entry.key_text == "artifacts"
        else entry
        for entry in header.root.entries
    )
    return Recovered(YamlMapping(entries, header.root.range), found)


def _block_starts(lines: list[str], first: int, end: int) -> list[int]:
    indent: int | None = None
    starts: list[int] = []
    for number in range(first, end):
        line = lines[number]
        stripped = line.lstrip(" ")
        if not stripped.strip() or stripped.startswith("#"):
            continue
        width = len(line) - len(stripped)
        if indent is None:
            if width == 0 or stripped.startswith(("\t", "-")):
                return []
            indent = width
        if width == indent and _ID_LINE.match(line):
            starts.append(number)
        elif not starts:
            return []
    return starts
