"""The runbook formatter: a runbook's text with its known fields in one order and its
mappings indented two spaces a level, and nothing else changed.

- Key order: the top-level fields as `docs/runbook-format.md` lists them (`name`,
  `description`, `contact`, `framework`, `config`, `inputs`, `outputs`, `artifacts`);
  inside an artifact `name`, `description`, `contact`, `source`, `inputs`, `merge`,
  `process`, `child_runbook`, `reuse`, `output_schema`, `output`, `optional` (how the
  examples write them: what an artifact is, where its data comes from, what is done with
  it, what comes out); inside `source`/`process` `type` before `properties`, and the
  fields of `config`, `reuse`, `child_runbook`, declared inputs and outputs in the order
  of their docs. Keys this formatter does not know stay, in their order, after the
  known ones. Artifacts keep their order.
- Indentation: two spaces a mapping level; a list's `-` two spaces under its key (as the
  examples write lists); what lies inside list items and flow collections moves with
  them, unchanged.
- Comments: a comment line belongs to the entry below it and moves with it, indented as
  that entry (comment lines after the last entry start their line); a comment after a
  value stays on its line.
- Scalars are never rewritten: whole lines move, only their leading spaces change, so
  quotes, `${VAR}`, block scalars and flow collections stay as written.

The formatter works on the positioned tree of `waivern_orchestration.parse` and on the
lines of the text. It refuses (returns None) a text that does not parse, whose root is
not a mapping, that uses anchors and aliases, or whose formatted text would not parse to
the same data: formatting never changes what a runbook means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from waivern_orchestration.parse.positions import split_lines
from waivern_orchestration.parse.yaml_tree import (
    YamlEntry,
    YamlMapping,
    YamlNode,
    YamlScalar,
    YamlSequence,
    parse_yaml,
    to_python,
)

INDENT = 2

ROOT_ORDER = (
    "name",
    "description",
    "contact",
    "framework",
    "config",
    "inputs",
    "outputs",
    "artifacts",
)
ARTIFACT_ORDER = (
    "name",
    "description",
    "contact",
    "source",
    "inputs",
    "merge",
    "process",
    "child_runbook",
    "reuse",
    "output_schema",
    "output",
    "optional",
)
COMPONENT_ORDER = ("type", "properties")
CONFIG_ORDER = (
    "timeout",
    "cost_limit",
    "max_concurrency",
    "workers",
    "max_child_depth",
    "template_paths",
)
REUSE_ORDER = ("from_run", "artifact")
CHILD_ORDER = ("path", "input_mapping", "output", "output_mapping")
DECLARED_INPUT_ORDER = ("input_schema", "optional", "default", "sensitive", "description")
DECLARED_OUTPUT_ORDER = ("artifact", "description")

_ANY = "*"
# Where in the runbook (keys from the root, `*` for any name) → the order of its keys.
_ORDERS: dict[tuple[str, ...], tuple[str, ...]] = {
    (): ROOT_ORDER,
    ("config",): CONFIG_ORDER,
    ("inputs", _ANY): DECLARED_INPUT_ORDER,
    ("outputs", _ANY): DECLARED_OUTPUT_ORDER,
    ("artifacts", _ANY): ARTIFACT_ORDER,
    ("artifacts", _ANY, "source"): COMPONENT_ORDER,
    ("artifacts", _ANY, "process"): COMPONENT_ORDER,
    ("artifacts", _ANY, "reuse"): REUSE_ORDER,
    ("artifacts", _ANY, "child_runbook"): CHILD_ORDER,
}


def key_order(path: Sequence[str]) -> tuple[str, ...]:
    """The order of the known keys of the mapping at ``path`` (keys from the root); empty
    where the keys are not the runbook's (component properties): those keep theirs."""
    if len(path) == 2 and path[0] in ("inputs", "outputs", "artifacts"):
        return _ORDERS[(path[0], _ANY)]
    if len(path) == 3 and path[0] == "artifacts":
        return _ORDERS.get(("artifacts", _ANY, path[2]), ())
    return _ORDERS.get(tuple(path), ())


@dataclass(frozen=True, slots=True)
class LineEdit:
    """Lines ``first`` to ``last`` (inclusive; ``last`` = ``first`` - 1 inserts) become
    ``lines``."""

    first: int
    last: int
    lines: tuple[str, ...]


def format_runbook(text: str) -> str | None:
    """The formatted text, or None when the text is not formatted (see the module)."""
    edits = format_lines(text)
    if edits is None:
        return None
    lines = split_lines(text)
    newline = _newline(text)
    for edit in sorted(edits, key=lambda edit: edit.first, reverse=True):
        lines[edit.first : edit.last + 1] = edit.lines
    return newline.join(lines)


def format_lines(text: str, lines_touched: tuple[int, int] | None = None) -> list[LineEdit] | None:
    """The line edits that format the runbook: the whole of it, or (``lines_touched``,
    first and last line) the artifacts and top-level fields those lines touch, each
    where it stands. None when the text is not formatted; [] when it already is."""
    parsed = parse_yaml(text)
    root = parsed.root
    if parsed.problem is not None or parsed.uses_anchors or not isinstance(root, YamlMapping):
        return None
    lines = split_lines(text.replace("\r\n", "\n").replace("\r", "\n"))
    layout = _Layout(lines)
    if not layout.is_block_mapping(root) or root.range.start.character != 0:
        return None
    if lines_touched is None:
        first = root.entries[0].key.range.start.line
        out: list[str] = []
        layout.mapping_body(root, first, (), 0, out)
        # Comment lines after the last entry start the line, as those above a top-level
        # key do: left where they were, one could become a line of a block scalar moved
        # to their column.
        out.extend(
            line.strip() for line in lines[layout.entry_end(root, len(root.entries) - 1) + 1 :]
        )
        edits = [LineEdit(first, len(lines) - 1, tuple(out))]
    else:
        edits = layout.touched(root, *lines_touched)
    edits = [edit for edit in _trimmed(edits, lines) if edit is not None]
    if not edits:
        return []
    formatted = list(lines)
    for edit in sorted(edits, key=lambda edit: edit.first, reverse=True):
        formatted[edit.first : edit.last + 1] = edit.lines
    again = parse_yaml("\n".join(formatted))
    if again.root is None or to_python(again.root) != to_python(root):
        return None  # a layout this formatter does not understand: leave it as it is
    return edits


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _trimmed(edits: list[LineEdit], lines: list[str]) -> list[LineEdit | None]:
    """Each edit without its lines that stay the same (None: nothing changes)."""
    result: list[LineEdit | None] = []
    for edit in edits:
        first, last, new = edit.first, edit.last, edit.lines
        start, end = 0, len(new)
        while first <= last and start < end and lines[first] == new[start]:
            first += 1
            start += 1
        while first <= last and start < end and lines[last] == new[end - 1]:
            last -= 1
            end -= 1
        unchanged = first > last and start == end
        result.append(None if unchanged else LineEdit(first, last, new[start:end]))
    return result


class _Layout:
    """The lines of one text and how its block mappings lie on them."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    # -- what is where ------------------------------------------------------------------

    def char_at(self, node: YamlNode) -> str:
        line, character = node.range.start
        return self.lines[line][character : character + 1] if line < len(self.lines) else ""

    def is_block_mapping(self, node: YamlNode) -> bool:
        """A block mapping whose entries this formatter can move: single-line plain keys,
        one a line, in one column."""
        if not isinstance(node, YamlMapping) or not node.entries:
            return False
        first = node.entries[0].key
        if node.range.start != first.range.start or self.char_at(node) in ("{", "?"):
            return False
        column = first.range.start.character
        previous = -1
        for entry in node.entries:
            key = entry.key
            if not isinstance(key, YamlScalar):
                return False
            start, end = key.range
            if start.line != end.line or start.character != column or start.line <= previous:
                return False
            previous = start.line
        return True

    def is_block_sequence(self, node: YamlNode) -> bool:
        return isinstance(node, YamlSequence) and bool(node.items) and self.char_at(node) == "-"

    def entry_end(self, mapping: YamlMapping, index: int) -> int:
        """The last line of an entry: where its value ends (a value never runs into the
        next key; comment lines after it belong to the next entry)."""
        entries = mapping.entries
        entry = entries[index]
        end = entry.value.range.end.line
        key_line = entry.key.range.start.line
        if end < key_line:
            end = key_line
        if index + 1 < len(entries):
            end = min(end, entries[index + 1].key.range.start.line - 1)
        return end

    def entry_ends(self, mapping: YamlMapping) -> list[tuple[int, int]]:
        """Each entry's key line and last line (`entry_end`), at once."""
        keys = [entry.key.range.start.line for entry in mapping.entries]
        ends = [
            max(key, entry.value.range.end.line)
            for key, entry in zip(keys, mapping.entries, strict=True)
        ]
        for index in range(len(keys) - 1):
            ends[index] = min(ends[index], keys[index + 1] - 1)
        return list(zip(keys, ends, strict=True))

    # -- formatting ---------------------------------------------------------------------

    def mapping_body(
        self,
        mapping: YamlMapping,
        first_line: int,
        path: tuple[str, ...],
        indent: int,
        out: list[str],
    ) -> None:
        """The entries of a block mapping from ``first_line`` (the comment lines above
        its first key) to the end of its last value, ordered and indented at ``indent``."""
        order = key_order(path)
        rank = {key: index for index, key in enumerate(order)}
        chunks: list[tuple[int, list[str]]] = []
        start = first_line
        pad = " " * indent
        for index, (entry, (key_line, end)) in enumerate(
            zip(mapping.entries, self.entry_ends(mapping), strict=True)
        ):
            chunk: list[str] = []
            for line in self.lines[start:key_line]:  # comments above the key
                stripped = line.strip()
                chunk.append(pad + stripped if stripped else "")
            self.entry(entry, key_line, end, (*path, entry.key_text), indent, chunk)
            chunks.append((rank.get(entry.key_text, len(order) + index), chunk))
            start = end + 1
        chunks.sort(key=lambda item: item[0])
        if path and chunks:  # no blank lines between a key and its first entry
            lead = chunks[0][1]
            while lead and not lead[0]:
                lead.pop(0)
        for _rank, chunk in chunks:
            out.extend(chunk)

    def entry(
        self,
        entry: YamlEntry,
        key_line: int,
        end: int,
        path: tuple[str, ...],
        indent: int,
        out: list[str],
    ) -> None:
        shift = indent - entry.key.range.start.character
        value = entry.value
        nested = value.range.start.line > key_line
        if nested and self.is_block_mapping(value):
            assert isinstance(value, YamlMapping)
            out.extend(self.shifted(key_line, key_line, shift))
            self.mapping_body(value, key_line + 1, path, indent + INDENT, out)
            value_end = self.entry_end(value, len(value.entries) - 1)
            out.extend(self.shifted(value_end + 1, end, shift))
        elif nested and self.is_block_sequence(value):
            out.extend(self.shifted(key_line, key_line, shift))
            items = indent + INDENT - value.range.start.character
            out.extend(self.shifted(key_line + 1, end, items))
        else:
            out.extend(self.shifted(key_line, end, shift))

    def shifted(self, first: int, last: int, shift: int) -> list[str]:
        """Lines ``first`` to ``last`` moved right by ``shift`` columns (left when
        negative: only leading spaces are taken away)."""
        result: list[str] = []
        for line in self.lines[first : last + 1]:
            if not line or not shift:
                result.append(line)
            elif shift > 0:
                result.append(" " * shift + line)
            else:
                spaces = len(line) - len(line.lstrip(" "))
                result.append(line[min(spaces, -shift) :])
        return result

    def touched(self, root: YamlMapping, first: int, last: int) -> list[LineEdit]:
        """Range formatting: each top-level entry the lines touch, in place, except
        `artifacts`, of which each artifact touched, in place."""
        edits: list[LineEdit] = []
        for index, entry in enumerate(root.entries):
            start, end = entry.key.range.start.line, self.entry_end(root, index)
            if end < first or start > last:
                continue
            value = entry.value
            if entry.key_text == "artifacts" and self.is_block_mapping(value):
                assert isinstance(value, YamlMapping)
                column = value.entries[0].key.range.start.character
                for number, artifact in enumerate(value.entries):
                    begin, stop = artifact.key.range.start.line, self.entry_end(value, number)
                    if stop < first or begin > last:
                        continue
                    out: list[str] = []
                    path = ("artifacts", artifact.key_text)
                    self.entry(artifact, begin, stop, path, column, out)
                    edits.append(LineEdit(begin, stop, tuple(out)))
                continue
            out = []
            self.entry(entry, start, end, (entry.key_text,), 0, out)
            edits.append(LineEdit(start, end, tuple(out)))
        return edits
