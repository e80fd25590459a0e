"""Incremental re-parse: parse again only the artifact blocks an edit touched.

A runbook whose `artifacts` is a block mapping splits into blocks, one per artifact,
each from its id's line to the next id's line. After an edit, the blocks the changed
text overlaps are parsed again on their own (with their line offset); blocks before
them are kept, blocks after them are kept and shifted. Whenever the split could be
unsafe (the edit reaches outside the artifacts, anchors, a line that is not an artifact
id at the artifacts' indentation, a parse problem) the caller falls back to a full parse,
so the result is always the one a fresh parse gives.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from waivern_orchestration.parse.positions import Position, Range, has_lone_carriage_return
from waivern_orchestration.parse.text_ends import common_prefix, common_suffix
from waivern_orchestration.parse.yaml_tree import (
    ParseLimits,
    YamlEntry,
    YamlMapping,
    YamlScalar,
    parse_yaml,
)


@dataclass
class ArtifactLayout:
    """Where each artifact block starts (lines, and lazily characters) in a text."""

    indent: int  # column of the artifact ids
    starts: list[int]  # line of each artifact id, in order
    end_line: int | None  # line of the next top-level key after the artifacts; None: EOF
    root_entries: tuple[YamlEntry, ...]  # top-level entries, `artifacts` value emptied
    root_range_start: tuple[int, int]
    artifacts_index: int  # position of `artifacts` among the top-level entries
    offsets: list[int] | None = field(default=None)  # character offset of each start
    end_offset: int | None = None

    def ensure_offsets(self, text: str) -> tuple[list[int], int]:
        if self.offsets is None or self.end_offset is None:
            wanted = [*self.starts, *([self.end_line] if self.end_line is not None else [])]
            found = _offsets_of(text, wanted)  # (only those: not every line's of a big text)
            self.offsets = found[: len(self.starts)]
            self.end_offset = found[-1] if self.end_line is not None else len(text)
        return self.offsets, self.end_offset


def layout_of(root: YamlMapping, text: str) -> ArtifactLayout | None:
    """The block layout of a freshly parsed runbook, or None when it cannot be split."""
    keys = [entry.key_text for entry in root.entries]
    if keys.count("artifacts") != 1 or has_lone_carriage_return(text):
        return None
    index = keys.index("artifacts")
    artifacts = root.entries[index]
    section = artifacts.value
    if not isinstance(section, YamlMapping) or not section.entries:
        return None
    if any(entry.key.range.start.character != 0 for entry in root.entries):
        return None
    indent = section.entries[0].key.range.start.character
    starts: list[int] = []
    previous_line = artifacts.key.range.start.line
    for entry in section.entries:
        start = entry.key.range.start
        if not isinstance(entry.key, YamlScalar) or start.character != indent:
            return None
        if start.line <= previous_line:
            return None  # flow style, or two ids on one line
        starts.append(start.line)
        previous_line = start.line
    if indent == 0:
        return None
    following = root.entries[index + 1 :]
    end_line = following[0].key.range.start.line if following else None
    if end_line is not None and end_line <= previous_line:
        return None
    placeholder = YamlEntry(artifacts.key, YamlMapping((), artifacts.key.range), "artifacts")
    entries = (*root.entries[:index], placeholder, *root.entries[index + 1 :])
    start = root.range.start
    return ArtifactLayout(indent, starts, end_line, entries, (start.line, start.character), index)


@dataclass(frozen=True)
class BlockEdit:
    """What an edit did to the artifact blocks: blocks ``first`` to ``last`` (inclusive)
    of the old text are now ``entries``; the blocks after them moved by ``delta_lines``."""

    root: YamlMapping  # the top-level entries (the artifacts' value left empty)
    layout: ArtifactLayout  # of the new text
    first: int
    last: int
    entries: tuple[YamlEntry, ...]
    delta_lines: int  # lines the edit added (or removed, negative)
    line_text: Callable[[int], str]  # a line of the new text, within the parsed region


def reparse(
    layout: ArtifactLayout, old: str, text: str, blocks: int, limits: ParseLimits
) -> BlockEdit | None:
    """The artifact blocks of ``text`` re-parsed where an edit of ``old`` (laid out as
    ``layout``, with ``blocks`` artifact blocks) reached; None when a full parse is needed."""
    if has_lone_carriage_return(text):
        return None  # line counting below relies on "\n" ending every line
    offsets, end_offset = layout.ensure_offsets(old)
    if blocks != len(offsets):
        return None
    prefix = common_prefix(old, text)
    if prefix == len(old) == len(text):
        return BlockEdit(_root(layout), layout, 0, -1, (), 0, lambda _number: "")
    suffix = common_suffix(old, text, min(len(old), len(text)) - prefix)
    old_end, new_end = len(old) - suffix, len(text) - suffix
    # The edit must stay inside the artifact blocks: touching the first character of the
    # key after them (or the line break before it) changes the header.
    reaches_header = old_end >= end_offset if end_offset < len(old) else old_end > end_offset
    if prefix < offsets[0] or reaches_header:
        return None
    first = bisect_right(offsets, prefix) - 1
    last = bisect_right(offsets, max(old_end - 1, prefix)) - 1
    delta_chars = len(text) - len(old)
    delta_lines = text.count("\n", prefix, new_end) - old.count("\n", prefix, old_end)
    region_start = offsets[first]
    region_old_end = offsets[last + 1] if last + 1 < len(offsets) else end_offset
    region_end = region_old_end + delta_chars
    region = text[region_start:region_end]
    if region_end < len(text) and not region.endswith("\n"):
        return None  # the edit joined the region to the next artifact's line
    if "&" in region:
        return None  # an anchor could clash with one elsewhere, which only a full parse sees
    if len(text) > limits.max_chars:
        return None  # the whole document is refused, which only a full parse reports
    start_line = layout.starts[first]
    # The region's mapping sits one level below the document root (in `artifacts`).
    region_limits = replace(limits, max_depth=limits.max_depth - 1)
    parsed = parse_yaml(region, region_limits, line_offset=start_line)
    if parsed.problem is not None or parsed.uses_anchors:
        return None
    root = parsed.root
    entries: tuple[YamlEntry, ...]
    if root is None:
        entries = ()
    elif isinstance(root, YamlMapping):
        entries = root.entries
    else:
        return None
    region_lines = region.split("\n")
    key_lines = _checked_key_lines(entries, region_lines, start_line, layout.indent)
    if key_lines is None:
        return None
    kept_after = blocks - last - 1
    if first + len(entries) + kept_after == 0:
        return None  # no artifacts left: the structure changes
    if first + len(entries) + kept_after > limits.max_entries:
        return None  # too many artifacts: the document is refused, as a full parse says

    def line_text(number: int) -> str:
        index = number - start_line
        return region_lines[index] if 0 <= index < len(region_lines) else ""

    line_offsets = _line_starts(region, max(key_lines, default=0))
    new_layout = ArtifactLayout(
        indent=layout.indent,
        starts=[
            *layout.starts[:first],
            *(start_line + line for line in key_lines),
            *(
                [line + delta_lines for line in layout.starts[last + 1 :]]
                if delta_lines
                else layout.starts[last + 1 :]
            ),
        ],
        end_line=None if layout.end_line is None else layout.end_line + delta_lines,
        root_entries=_shift_after(layout, delta_lines),
        root_range_start=layout.root_range_start,
        artifacts_index=layout.artifacts_index,
        offsets=[
            *offsets[:first],
            *(region_start + line_offsets[line] for line in key_lines),
            *[offset + delta_chars for offset in offsets[last + 1 :]],
        ],
        end_offset=end_offset + delta_chars,
    )
    return BlockEdit(_root(new_layout), new_layout, first, last, entries, delta_lines, line_text)


def _checked_key_lines(
    entries: tuple[YamlEntry, ...], lines: list[str], start_line: int, indent: int
) -> list[int] | None:
    """Region-relative lines of the artifact ids, if every line at or left of the
    artifacts' indentation is one of them (else the region does not split safely)."""
    key_lines: list[int] = []
    for entry in entries:
        start = entry.key.range.start
        if not isinstance(entry.key, YamlScalar) or start.character != indent:
            return None
        key_lines.append(start.line - start_line)
    if key_lines != sorted(set(key_lines)):
        return None
    expected = set(key_lines)
    for number, line in enumerate(lines):
        stripped = line.lstrip(" ")
        if not stripped.strip() or stripped.startswith("#"):
            continue
        if line.startswith("\t") or stripped.startswith(("---", "...", "%")):
            return None
        if len(line) - len(stripped) <= indent and number not in expected:
            return None
    if key_lines and key_lines[0] != 0:
        return None
    if not key_lines and any(line.strip() and not line.lstrip().startswith("#") for line in lines):
        return None
    return key_lines


def _shift_after(layout: ArtifactLayout, delta_lines: int) -> tuple[YamlEntry, ...]:
    """The top-level entries with those after the artifacts moved by ``delta_lines``."""
    if not delta_lines:
        return layout.root_entries
    index = layout.artifacts_index
    return (
        *layout.root_entries[: index + 1],
        *(entry.shifted(delta_lines) for entry in layout.root_entries[index + 1 :]),
    )


def _root(layout: ArtifactLayout) -> YamlMapping:
    start = Position(*layout.root_range_start)
    entries = layout.root_entries
    end = entries[-1].value.range.end if entries else start
    return YamlMapping(entries, Range(start, end))


def _offsets_of(text: str, lines: list[int]) -> list[int]:
    """The character offset where each of ``lines`` (ascending) starts."""
    offsets: list[int] = []
    wanted = iter(lines)
    line = next(wanted, None)
    while line == 0:
        offsets.append(0)
        line = next(wanted, None)
    if line is None:
        return offsets
    for number, match in enumerate(re.finditer("\n", text), start=1):
        while number == line:
            offsets.append(match.end())
            line = next(wanted, None)
        if line is None:
            break
    return offsets


def _line_starts(text: str, up_to_line: int) -> list[int]:
    """Character offset of each line start, up to the given line."""
    starts = [0]
    if up_to_line <= 0:
        return starts
    for match in re.finditer("\n", text):
        starts.append(match.end())
        if len(starts) > up_to_line:
            break
    return starts
