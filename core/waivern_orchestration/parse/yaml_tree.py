"""YAML text → a positioned tree: every key and value knows its range.

Built on ``yaml.compose`` (the C loader when present). Duplicate keys are kept (the
analyser reports them), and hostile input is refused with a WCT001 diagnostic before it
can hurt: over-large documents, binary content, nesting deeper than a limit (the C
composer recurses and would crash the process), recursive aliases and alias expansion
bombs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from waivern_orchestration.parse.positions import DOCUMENT_START, Position, Range, split_lines

try:  # pragma: no cover - depends on the PyYAML build
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_STR = "tag:yaml.org,2002:str"
# tuple.__new__ directly: the named tuples' own __new__ is a Python-level call.
_new_position = tuple.__new__
_new_range = tuple.__new__
_constructor = SafeConstructor()


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """What the parser refuses; the defaults are far above any real runbook (2,000
    artifacts take about 0.5 MB), and low enough that no document within them costs
    more than the largest runbook accepted: a few seconds and 150 MB."""

    max_chars: int = 5_000_000
    max_depth: int = 100
    max_expanded_nodes: int = 2_000_000
    # Entries of one mapping or items of one sequence: the artifacts of one runbook above
    # all (each costs the analysis about 0.1 ms and 4 KB: a runbook of 25,000 is checked
    # in about 3 s within 150 MB, where 85,000 short ones fit in 5 MB).
    max_entries: int = 25_000


DEFAULT_LIMITS = ParseLimits()


class YamlScalar:
    """A scalar and where it stands. Its range is kept as four ints and made on demand:
    a large runbook has hundreds of thousands of scalars, mostly never asked for theirs."""

    __slots__ = ("_end_char", "_end_line", "_start_char", "_start_line", "source", "style", "value")

    value: Any
    style: str | None
    # The text as written, kept only when YAML resolved it to something else than that
    # text (`on` → True, `null` → None, `010` → 8): messages and keys show what was typed.
    source: str | None

    def __init__(
        self, value: Any, range: Range, style: str | None = None, source: str | None = None
    ) -> None:
        self.value = value
        self.style = style
        self.source = source
        (self._start_line, self._start_char), (self._end_line, self._end_char) = range

    @property
    def range(self) -> Range:
        return _new_range(
            Range,
            (
                _new_position(Position, (self._start_line, self._start_char)),
                _new_position(Position, (self._end_line, self._end_char)),
            ),
        )

    @property
    def is_string(self) -> bool:
        return isinstance(self.value, str)

    @property
    def text(self) -> str:
        if self.source is not None:
            return self.source
        return self.value if isinstance(self.value, str) else str(self.value)

    def shifted(self, lines: int) -> YamlScalar:
        return YamlScalar(self.value, self.range.shifted(lines), self.style, self.source)

    def _key(self) -> tuple[object, ...]:
        return (
            self.value,
            self.style,
            self.source,
            self._start_line,
            self._start_char,
            self._end_line,
            self._end_char,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not YamlScalar:
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"YamlScalar(value={self.value!r}, range={self.range!r}, style={self.style!r})"


@dataclass(slots=True)
class YamlEntry:
    key: YamlNode
    value: YamlNode
    key_text: str  # the key as written (keys of runbooks are strings)

    @classmethod
    def of(cls, key: YamlNode, value: YamlNode) -> YamlEntry:
        return cls(key, value, key.text if isinstance(key, YamlScalar) else "<complex key>")

    @property
    def range(self) -> Range:
        return Range(self.key.range.start, self.value.range.end)

    def shifted(self, lines: int) -> YamlEntry:
        return YamlEntry(self.key.shifted(lines), self.value.shifted(lines), self.key_text)


@dataclass(slots=True)
class YamlMapping:
    entries: tuple[YamlEntry, ...]
    range: Range
    _index: dict[str, YamlEntry] | None = field(default=None, compare=False, repr=False)

    def get(self, key: str) -> YamlEntry | None:
        """The last entry with this key (YAML's own rule); duplicates are reported elsewhere."""
        entries = self.entries
        if len(entries) <= 8:  # most mappings: a scan costs less than an index to keep
            for entry in reversed(entries):
                if entry.key_text == key:
                    return entry
            return None
        index = self._index
        if index is None:
            index = self._index = {entry.key_text: entry for entry in self.entries}
        return index.get(key)

    def by_key(self) -> Mapping[str, YamlEntry]:
        """Every key's entry, the last of a repeated key (as `get` says), for a caller that
        looks up many keys. A large mapping's is the index `get` keeps (one, not two, of
        200,000 keys); a small one's is made for the caller."""
        entries = self.entries
        if len(entries) <= 8:
            return {entry.key_text: entry for entry in entries}
        index = self._index
        if index is None:
            index = self._index = {entry.key_text: entry for entry in entries}
        return index

    def value_of(self, key: str) -> YamlNode | None:
        entry = self.get(key)
        return entry.value if entry else None

    def keys(self) -> list[str]:
        return [entry.key_text for entry in self.entries]

    def shifted(self, lines: int) -> YamlMapping:
        if not lines:
            return self
        return YamlMapping(
            tuple(entry.shifted(lines) for entry in self.entries), self.range.shifted(lines)
        )


@dataclass(slots=True)
class YamlSequence:
    items: tuple[YamlNode, ...]
    range: Range

    def shifted(self, lines: int) -> YamlSequence:
        if not lines:
            return self
        return YamlSequence(
            tuple(item.shifted(lines) for item in self.items), self.range.shifted(lines)
        )


YamlNode = YamlScalar | YamlMapping | YamlSequence


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """Why a text could not be turned into a tree (reported as WCT001)."""

    message: str
    range: Range
    syntax: bool = False  # a syntax error (other blocks may still parse), not a refusal

    def shifted(self, lines: int) -> YamlProblem:
        return YamlProblem(self.message, self.range.shifted(lines), self.syntax)


@dataclass(frozen=True, slots=True)
class ParsedYaml:
    root: YamlNode | None
    problem: YamlProblem | None
    uses_anchors: bool


def to_python(node: YamlNode) -> Any:
    """Plain Python data for model validation; the last of duplicate keys wins, as in YAML."""
    if isinstance(node, YamlScalar):
        return node.value
    if isinstance(node, YamlSequence):
        return [to_python(item) for item in node.items]
    return {entry.key_text: to_python(entry.value) for entry in node.entries}


def walk(node: YamlNode) -> Iterator[YamlNode]:
    """Every node under ``node`` (itself included), depth first, in document order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, YamlMapping):
            for entry in reversed(current.entries):
                stack.append(entry.value)
                stack.append(entry.key)
        elif isinstance(current, YamlSequence):
            stack.extend(reversed(current.items))


def node_at(node: YamlNode, position: Position) -> list[YamlNode]:
    """The chain of nodes from ``node`` down to the innermost one containing ``position``."""
    chain: list[YamlNode] = []
    current: YamlNode | None = node
    while current is not None and current.range.contains(position):
        chain.append(current)
        children: tuple[YamlNode, ...]
        if isinstance(current, YamlMapping):
            children = tuple(part for entry in current.entries for part in (entry.key, entry.value))
        elif isinstance(current, YamlSequence):
            children = current.items
        else:
            break
        current = next((child for child in children if child.range.contains(position)), None)
    return chain


def parse_yaml(text: str, limits: ParseLimits = DEFAULT_LIMITS, line_offset: int = 0) -> ParsedYaml:
    """Parse one YAML document into a positioned tree, or say why it cannot be done.

    ``line_offset`` positions a piece of a larger document (incremental re-analysis)."""
    refusal = _refuse_before_parsing(text, limits)
    if refusal is not None:
        return ParsedYaml(None, refusal.shifted(line_offset), False)
    if "\r" in text:  # one kind of line break, so that lines are counted as LSP counts them
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    builder = _TreeBuilder(text, limits, line_offset)
    try:
        root = builder.build()
    except _Refused as refused:
        return ParsedYaml(None, refused.problem, False)
    except yaml.MarkedYAMLError as error:
        return ParsedYaml(None, _yaml_error_problem(error, text, line_offset), False)
    except yaml.YAMLError as error:  # no position known (e.g. a reader error)
        problem = YamlProblem(f"YAML error: {error}", DOCUMENT_START.shifted(line_offset), True)
        return ParsedYaml(None, problem, False)
    return ParsedYaml(root, None, builder.uses_anchors)


_UNCLOSED = {
    "while parsing a flow mapping": "the `{` opened here is never closed: add `}` (or a `,`)",
    "while parsing a flow sequence": "the `[` opened here is never closed: add `]` (or a `,`)",
    "while scanning a quoted scalar": "the quote opened here is never closed: add it",
}


def _yaml_error_problem(error: yaml.MarkedYAMLError, text: str, line_offset: int) -> YamlProblem:
    lines = text.split("\n")
    problem = error.problem or "invalid YAML"
    unclosed = _UNCLOSED.get(error.context or "")
    if unclosed is not None and error.context_mark is not None:
        # Point at what was left open, not where the parser gave up (often lines later;
        # no line number in the message: it would go stale when the text above changes).
        message = f"YAML syntax error: {unclosed}"
        return YamlProblem(message, _mark_range(error.context_mark, lines, line_offset), True)
    context = f" ({error.context})" if error.context else ""
    mark = error.problem_mark or error.context_mark
    if mark is None:
        return YamlProblem(
            f"YAML syntax error: {problem}{context}", DOCUMENT_START.shifted(line_offset), True
        )
    return YamlProblem(
        f"YAML syntax error: {problem}{context}", _mark_range(mark, lines, line_offset), True
    )


def _mark_range(mark: yaml.Mark, lines: list[str], line_offset: int) -> Range:
    """One character at the mark, kept inside the text (a mark can sit past the end of its
    line or of the text); at the end of a line, the character before it."""
    row = min(mark.line, len(lines) - 1)
    length = len(lines[row])
    column = min(mark.column, length) if row == mark.line else length
    if column == length and column > 0:
        column -= 1
    line = row + line_offset
    return Range.of(line, column, line, min(column + 1, length))


# -- hostile input -------------------------------------------------------------------------

_YAML_ONLY_BREAK = re.compile("[\u0085\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _refuse_before_parsing(text: str, limits: ParseLimits) -> YamlProblem | None:
    if len(text) > limits.max_chars:
        return YamlProblem(
            f"document refused: {len(text):,} characters is over the limit of "
            f"{limits.max_chars:,}; split the runbook into child runbooks",
            DOCUMENT_START,
        )
    # (`isascii` reads 5 MB in a millisecond; the search, twenty)
    separator = None if text.isascii() else _YAML_ONLY_BREAK.search(text)
    if separator is not None:
        return YamlProblem(
            f"unsupported line separator U+{ord(separator.group()):04X}: use a plain line "
            "break (editors and YAML count lines differently around it)",
            _position_range(text, separator.start()),
        )
    control = _CONTROL.search(text, 0, 65536)
    if control is not None and ("\x00" in text[:65536] or len(_CONTROL.findall(text, 0, 8192)) > 8):
        return YamlProblem(
            "document refused: binary content (control characters) is not a YAML runbook",
            _position_range(text, control.start()),
        )
    return None


def _position_range(text: str, index: int) -> Range:
    before = split_lines(text[:index])
    line, character = len(before) - 1, len(before[-1])
    return Range.of(line, character, line, character + 1)


class _Refused(Exception):
    def __init__(self, problem: YamlProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"


def plain_value(text: str) -> Any:
    """What ``text`` written as a plain scalar would be: a bool, an int, a float, None or
    the text (YAML 1.1 rules, as the parser resolves them)."""
    tag = _RESOLVE(yaml.ScalarNode, text, (True, False))
    return text if tag == _STR else _scalar_value(tag, text)


_RESOLVE: Any = yaml.resolver.Resolver().resolve


def _scalar_value(tag: str, raw: str) -> Any:
    """A plain scalar's value by its resolved tag; text for anything but str, bool, int,
    float and null (timestamps, binary) so that models see what was written."""
    try:
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return _constructor.construct_yaml_bool(yaml.ScalarNode(tag, raw))
        if tag == _INT:
            return _constructor.construct_yaml_int(yaml.ScalarNode(tag, raw))
        if tag == _FLOAT:
            return _constructor.construct_yaml_float(yaml.ScalarNode(tag, raw))
    except (ConstructorError, IndexError, KeyError, ValueError, TypeError, OverflowError):
        pass
    return raw


_new_scalar = object.__new__
_PLAIN_CACHE = 4096


_StreamEnd = yaml.StreamEndEvent
_ScalarEvent = yaml.ScalarEvent
_AliasEvent = yaml.AliasEvent
_SequenceStart = yaml.SequenceStartEvent
_MappingStart = yaml.MappingStartEvent


_MappingEnd = yaml.MappingEndEvent
_SequenceEnd = yaml.SequenceEndEvent
_UNSEEN: Any = object()  # a plain scalar's text not resolved yet


def _patterns_by_first_character() -> dict[str, tuple[Callable[[str], object], ...]] | None:
    """The loader's patterns of plain scalars that are not text (`true`, `3`, `~`,
    `.inf`, ...) by the first characters they are tried on; None when it resolves
    otherwise (a pattern for any first character, or by path)."""
    resolvers = _Loader.yaml_implicit_resolvers
    if None in resolvers or _Loader.yaml_path_resolvers:
        return None
    return {
        first: tuple(regexp.match for _tag, regexp in patterns)
        for first, patterns in resolvers.items()
    }


_PATTERNS_BY_FIRST = _patterns_by_first_character()
_new_node = object.__new__


def _entries(children: list[YamlNode]) -> tuple[YamlEntry, ...]:
    """A mapping's entries from its children (key, value, key, value, ...)."""
    entries: list[YamlEntry] = []
    pairs = iter(children)
    for key, value in zip(pairs, pairs, strict=False):
        entry = _new_node(YamlEntry)
        entry.key = key
        entry.value = value
        if key.__class__ is YamlScalar:
            entry.key_text = key.value if key.source is None else key.source
        else:
            entry.key_text = "<complex key>"
        entries.append(entry)
    return tuple(entries)


class _TreeBuilder:
    """Builds the tree from the parser's events, iteratively: nesting is counted as it is
    met (a document deeper than the limit is refused at the collection that goes too
    deep, before anything recursive sees it), aliases share the node of their anchor
    (no expansion; an alias bomb is refused by its expanded size)."""

    def __init__(self, text: str, limits: ParseLimits, line_offset: int = 0) -> None:
        self._text = text
        self._length = len(text)
        self._offset = line_offset
        self._lines: list[str] | None = None
        self._limits = limits
        self._resolve: Any = None
        self._recursive: _Refused | None = None
        # plain scalar text → its value (keys, component types, booleans repeat a lot)
        self._plain: dict[str, Any] = {}
        self.uses_anchors = False

    def build(self) -> YamlNode | None:
        loader = _Loader(self._text)
        self._resolve = loader.resolve  # the loader's own tag resolution (YAML 1.1 rules)
        try:
            return self._document(loader)
        finally:
            loader.dispose()

    def _document(self, loader: Any) -> YamlNode | None:
        loader.get_event()  # the stream's start
        if loader.check_event(_StreamEnd):
            return None
        start = loader.get_event()  # the document's start
        root = self._nodes(loader)
        loader.get_event()  # the document's end
        if not loader.check_event(_StreamEnd):
            another = loader.get_event()
            raise yaml.composer.ComposerError(
                "expected a single document in the stream",
                start.start_mark,
                "but found another document",
                another.start_mark,
            )
        if self._recursive is not None:
            raise self._recursive
        if self.uses_anchors:
            self._check_expansion(root)
        return root

    def _nodes(self, loader: Any) -> YamlNode:
        """The document's root node, from its events (the loop of parsing).

        This loop is the parser's hot path (a runbook at the size limit sends it over
        half a million events), so the common cases are written out in it: a plain scalar
        seen before or a quoted one, a block collection's end. Each costs the parser's
        event and the node, no call and no object in between; anything rarer takes
        `_scalar`."""
        max_depth = self._limits.max_depth
        max_entries = self._limits.max_entries
        offset = self._offset
        length = self._length
        plain_values = self._plain
        anchors: dict[str, YamlNode] = {}
        open_anchors: dict[str, Any] = {}
        # The collections whose end event has not come yet: their children so far, and
        # their start events (start mark, flow style, anchor). `children` is the
        # innermost one's list (None at the top: the next node is the root).
        open_children: list[list[YamlNode]] = []
        open_events: list[Any] = []
        children: list[YamlNode] | None = None
        get_event = loader.get_event
        last_line = -1
        scalar = self._scalar
        patterns_by_first = _PATTERNS_BY_FIRST
        while True:
            event = get_event()
            kind = event.__class__
            node: YamlNode
            if kind is _ScalarEvent:
                style = event.style
                if style:  # quoted: the text itself (block scalars take `_scalar`)
                    value = event.value
                    known = style != "|" and style != ">"
                elif event.tag is None:  # plain: the same text resolves the same way
                    raw = event.value
                    value = plain_values.get(raw, _UNSEEN)
                    if value is _UNSEEN and raw and patterns_by_first is not None:
                        for pattern in patterns_by_first.get(raw[0], ()):
                            if pattern(raw):
                                break  # not text: `_scalar` resolves it
                        else:
                            value = raw  # text (as the resolver would say, but sooner)
                            if len(plain_values) < _PLAIN_CACHE:
                                # kept: its repeats share this one string (memory)
                                plain_values[raw] = raw
                    known = value is not _UNSEEN
                else:
                    known = False
                end = event.end_mark
                if known and end.index < length:
                    start = event.start_mark
                    node = _new_scalar(YamlScalar)
                    node.value = value
                    node.style = style or None
                    node.source = None if value.__class__ is str else event.value
                    # One int object for a line number, shared by both ends on one line
                    # and by the scalar before on the same line (a key and its value): a
                    # tenth of a large tree's memory.
                    line = start.line + offset if offset else start.line
                    if line == last_line:
                        line = last_line
                    last_line = line
                    node._start_line = line
                    node._start_char = start.column
                    node._end_line = line if end.line == start.line else end.line + offset
                    node._end_char = end.column
                else:
                    node = scalar(event)
                anchor = event.anchor
                if anchor is not None:
                    if anchor in anchors or anchor in open_anchors:
                        self._duplicate_anchor(open_anchors, anchor, event)
                    anchors[anchor] = node
            elif kind is _MappingEnd or kind is _SequenceEnd:
                done = open_children.pop()
                opened = open_events.pop()
                children = open_children[-1] if open_children else None
                mark = opened.start_mark
                line = mark.line + offset if offset else mark.line
                if done and done[0].__class__ is YamlScalar and done[0]._start_line == line:
                    line = done[0]._start_line  # a block mapping starts at its first key
                start_position = _new_position(Position, (line, mark.column))
                if not done:  # a block one is empty where it starts, a flow one spans `{}`
                    end_position = start_position
                    if opened.flow_style:
                        mark = event.end_mark
                        end_position = _new_position(Position, (mark.line + offset, mark.column))
                elif opened.flow_style:
                    mark = event.end_mark
                    end_position = _new_position(Position, (mark.line + offset, mark.column))
                else:
                    # A block collection's end mark is where the next token starts (after
                    # comments and blank lines); it ends where its last child ends.
                    last = done[-1]
                    if last.__class__ is YamlScalar:
                        end_position = _new_position(Position, (last._end_line, last._end_char))
                    else:
                        end_position = last.range[1]
                whole = _new_range(Range, (start_position, end_position))
                if kind is _MappingEnd:
                    node = _new_node(YamlMapping)
                    node.entries = _entries(done)
                    node.range = whole
                    node._index = None
                else:
                    node = _new_node(YamlSequence)
                    node.items = tuple(done)
                    node.range = whole
                anchor = opened.anchor
                if anchor is not None:
                    del open_anchors[anchor]
                    anchors[anchor] = node
            elif kind is _MappingStart or kind is _SequenceStart:
                if len(open_children) >= max_depth:
                    raise _Refused(
                        YamlProblem(
                            f"document refused: nesting deeper than {max_depth} levels",
                            self._range(event.start_mark),
                        )
                    )
                anchor = event.anchor
                if anchor is not None:
                    if anchor in anchors or anchor in open_anchors:
                        self._duplicate_anchor(open_anchors, anchor, event)
                    open_anchors[anchor] = event.start_mark
                children = []
                open_children.append(children)
                open_events.append(event)
                continue
            elif kind is _AliasEvent:
                self.uses_anchors = True
                name = event.anchor
                if name in open_anchors:
                    # Refused once the whole document is read: a syntax error after it
                    # (an unclosed bracket swallowing the alias) says more.
                    if self._recursive is None:
                        self._recursive = _Refused(
                            YamlProblem(
                                "document refused: recursive alias",
                                self._range(open_anchors[name]),
                            )
                        )
                    assert children is not None  # an open anchor: a collection is open
                    children.append(YamlScalar(None, self._range(event.start_mark)))
                    continue
                known_node = anchors.get(name)
                if known_node is None:
                    raise yaml.composer.ComposerError(
                        None, None, f"found undefined alias {name!r}", event.start_mark
                    )
                node = known_node
            else:  # pragma: no cover - the parser sends nothing else inside a document
                continue
            if children is None:
                return node
            children.append(node)
            if len(children) > max_entries:  # a mapping's children: two per entry
                self._check_entries(children, open_events[-1])

    def _check_entries(self, children: list[YamlNode], opened: Any) -> None:
        """Refuse the collection ``opened`` once it holds more entries than the limit,
        while it is read: what comes after them is never parsed."""
        limit = self._limits.max_entries
        if opened.__class__ is _MappingStart:
            if len(children) <= 2 * limit:
                return
            what = (
                f"more than {limit:,} entries in one mapping (the most artifacts a runbook "
                "holds: split a larger one into child runbooks)"
            )
        else:
            what = f"more than {limit:,} items in one sequence"
        raise _Refused(YamlProblem(f"document refused: {what}", self._range(opened.start_mark)))

    def _duplicate_anchor(self, open_anchors: dict[str, Any], name: str, event: Any) -> None:
        raise yaml.composer.ComposerError(
            f"found duplicate anchor {name!r}; first occurrence",
            open_anchors.get(name),
            "second occurrence",
            event.start_mark,
        )

    def _check_expansion(self, root: YamlNode) -> None:
        """Refuse a document whose aliases expand to more nodes than the limit, without
        expanding anything (sizes are computed once per shared node)."""
        sizes: dict[int, int] = {}
        stack: list[tuple[YamlNode, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            key = id(node)
            if done:
                sizes[key] = 1 + sum(sizes[id(child)] for child in _node_children(node))
                continue
            if key in sizes:
                continue
            stack.append((node, True))
            stack.extend((child, False) for child in _node_children(node) if id(child) not in sizes)
        if sizes[id(root)] > self._limits.max_expanded_nodes:
            raise _Refused(
                YamlProblem(
                    f"document refused: aliases expand to more than "
                    f"{self._limits.max_expanded_nodes:,} nodes (an alias bomb?)",
                    Range(root.range.start, root.range.start),
                )
            )

    def _scalar(self, event: Any) -> YamlScalar:
        style = event.style
        tag = event.tag
        raw = event.value
        if style or tag == _STR:
            value: Any = raw
        elif tag is None and raw in self._plain:
            value = self._plain[raw]  # the same plain text resolves the same way
        else:
            plain = tag is None and event.implicit[0]
            if tag is None or tag == "!":
                tag = self._resolve(yaml.ScalarNode, raw, event.implicit)
            value = raw if tag == _STR else _scalar_value(tag, raw)
            if plain and len(self._plain) < _PLAIN_CACHE:
                self._plain[raw] = value
        end = event.end_mark
        if style in ("|", ">") or end.index >= self._length:
            return YamlScalar(
                value,
                self._scalar_range(event),
                style or None,
                None if value.__class__ is str else raw,
            )
        # The common case, without making a range: the coordinates are stored as they are.
        start, offset = event.start_mark, self._offset
        scalar = _new_scalar(YamlScalar)
        scalar.value = value
        scalar.style = style or None
        scalar.source = None if value.__class__ is str else raw
        line = start.line + offset if offset else start.line
        scalar._start_line = line  # (shared with the end on one line, as above)
        scalar._start_char = start.column
        scalar._end_line = line if end.line == start.line else end.line + offset
        scalar._end_char = end.column
        return scalar

    def _scalar_range(self, node: Any) -> Range:
        start, end = node.start_mark, node.end_mark
        if end.index >= len(self._text) and node.style not in ("|", ">"):
            # An empty value at the very end (`- ?`) is marked past the text: end it there.
            lines = self._text_lines()
            last = Position(len(lines) - 1 + self._offset, len(lines[-1]))
            first = min(Position(start.line + self._offset, start.column), last)
            return Range(
                first, max(first, min(Position(end.line + self._offset, end.column), last))
            )
        if node.style in ("|", ">") and end.column == 0 and end.line > start.line:
            # A block scalar's end mark lies after its trailing line breaks; end it on its
            # last line instead, so its range does not depend on what follows it.
            lines = self._text_lines()
            line = end.line - 1
            while line > start.line and not lines[line].strip():
                line -= 1
            off = self._offset
            return Range.of(start.line + off, start.column, line + off, len(lines[line]))
        return Range.of(
            start.line + self._offset, start.column, end.line + self._offset, end.column
        )

    def _range(self, mark: Any) -> Range:
        # Where a node starts: its end mark can lie past the end of the text.
        start = Position(mark.line + self._offset, mark.column)
        return Range(start, start)

    def _text_lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self._text.split("\n")
        return self._lines


def _node_children(node: YamlNode) -> tuple[YamlNode, ...]:
    if isinstance(node, YamlSequence):
        return node.items
    if isinstance(node, YamlMapping):
        return tuple(part for entry in node.entries for part in (entry.key, entry.value))
    return ()
