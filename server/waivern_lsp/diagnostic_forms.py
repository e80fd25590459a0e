"""The LSP form of one document's diagnostics, kept from one publish to the next so that an
update costs in proportion to what the edit changed, not to how many problems the file has.

A diagnostic whose lines the edit did not touch keeps the form it had: the same
`lsp.Diagnostic` and its JSON text when it stands before the edit, the same form moved by
the lines the edit added or removed when it stands after it (only its ranges are made
again). Only the diagnostics of the edited lines, and those of the runbook-wide checks
that changed, are converted again. The previous forms are found by value: the analysis
gives an equal `Diagnostic` (shifted, after the edit) for a problem that did not change.

The forms are compared with the previous ones, so that a document whose diagnostics an
edit left as they were is not published again.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import takewhile
from operator import attrgetter, is_, truth

from lsprotocol import types as lsp
from lsprotocol.converters import get_converter

from waivern_lsp.conversions import LineCodec, lsp_severity, to_lsp_diagnostic
from waivern_lsp.diagnostic_cap import Unlisted
from waivern_orchestration.diagnostics import Diagnostic
from waivern_orchestration.parse.positions import split_lines
from waivern_orchestration.parse.text_ends import common_prefix, common_suffix

_CONVERTER = get_converter()  # as pygls unstructures LSP types (only its own hooks added)


class DiagnosticForm:
    """One diagnostic as the client gets it: its JSON text (made when first sent) and the
    `lsp.Diagnostic` it stands for (made when first asked: a form moved by an edit is
    made from the JSON text it had, its line numbers moved)."""

    __slots__ = ("_base", "_delta", "_encoded", "_item", "first", "last", "source")

    def __init__(
        self,
        source: Diagnostic | None,
        item: lsp.Diagnostic | None,
        base: DiagnosticForm | None = None,
        delta: int = 0,
    ) -> None:
        self.source = source  # None for the cap's summary
        self._item = item
        self._encoded: bytes | None = None
        self._base, self._delta = base, delta  # moved: this form's of ``delta`` lines above
        # The lines of the file the form depends on (its ranges, related ones included).
        self.first, self.last = _line_span(source) if source is not None else (-1, -1)

    @property
    def item(self) -> lsp.Diagnostic:
        if self._item is None:
            self._item = _CONVERTER.structure(json.loads(self.encoded), lsp.Diagnostic)
        return self._item

    @property
    def encoded(self) -> bytes:
        """The JSON text, in UTF-8 (as it is written to the client)."""
        if self._encoded is None:
            base = self._base
            if base is not None:
                self._encoded = _moved_json(base.encoded, self._delta)
                self._base = None
            else:
                self._encoded = json.dumps(_CONVERTER.unstructure(self.item)).encode("utf-8")
        return self._encoded

    @property
    def json(self) -> str:
        return self.encoded.decode("utf-8")

    def moved(self, source: Diagnostic, lines: int) -> DiagnosticForm:
        """This form for ``source``, the same problem ``lines`` lines further down."""
        if not source.related:
            return DiagnosticForm(source, None, self, lines)
        item = self.item
        related = [
            lsp.DiagnosticRelatedInformation(
                location=lsp.Location(
                    uri=info.location.uri, range=_shifted(info.location.range, lines)
                ),
                message=info.message,
            )
            if original.file == source.file
            else info
            for info, original in zip(item.related_information or (), source.related, strict=True)
        ]
        moved = lsp.Diagnostic(
            range=_shifted(item.range, lines),
            message=item.message,
            severity=item.severity,
            code=item.code,
            code_description=item.code_description,
            source=item.source,
            related_information=related,
            tags=item.tags,
            data=item.data,
        )
        return DiagnosticForm(source, moved)


def _moved_json(encoded: bytes, lines: int) -> bytes:
    """The JSON text of a form without related information, ``lines`` further down: the
    two line numbers of its range, the first ones in it (a message's quotes are escaped,
    so no `"line": ` can stand in one)."""
    start = encoded.index(_LINE) + len(_LINE)
    start_end = encoded.index(b",", start)
    end = encoded.index(_LINE, start_end) + len(_LINE)
    end_end = encoded.index(b",", end)
    return b"".join(
        (
            encoded[:start],
            b"%d" % (int(encoded[start:start_end]) + lines),
            encoded[start_end:end],
            b"%d" % (int(encoded[end:end_end]) + lines),
            encoded[end_end:],
        )
    )


_LINE = b'"line": '


class DocumentDiagnostics:
    """The forms last made for one document, in the text they were made for."""

    def __init__(self) -> None:
        self.forms: list[DiagnosticForm] = []
        self._sources: list[Diagnostic | None] = []  # each form's
        self._wide: list[int] = []  # the forms whose lines are not just their first one
        self._text = ""
        self._lines = 1  # in `_text` (counting them costs milliseconds in a large one)
        self._mark = TEXT_START  # a line start in `_text`: lines are counted from there
        # Counts for tests and benchmarks: forms reused as they were, moved, made anew.
        self.reused = self.moved = self.made = 0

    @property
    def items(self) -> list[lsp.Diagnostic]:
        return [form.item for form in self.forms]

    def update(
        self,
        diagnostics: Sequence[Diagnostic],
        unlisted: Unlisted | None,
        text: str,
        encoding: str,
    ) -> bool:
        """The forms of ``diagnostics`` (positioned in ``text``) and of the summary of
        what the cap left out; True when they differ from the previous ones.

        Both lists are in the order of the text, and an edit keeps the diagnostics it did
        not change (the same objects). The runs of the same objects at both ends keep
        their forms as they are (found at C speed) where the edit did not reach their
        lines; in between, the previous forms are walked beside the new diagnostics, each
        found where the walk stands, else among those that started on its line."""
        old = self.forms
        known = len(old) - (1 if old and old[-1].source is None else 0)  # (not the summary)
        self.reused = self.moved = self.made = 0
        if known:
            ends = compared_lines(self._text, text, self._lines, self._mark)
            before, after, lines, self._mark = ends.before, ends.after, ends.lines, ends.mark
        else:
            before, after, lines, self._mark = 0, 0, _line_count(text), TEXT_START
        delta = lines - self._lines
        tail = lines - after  # lines from here on are the old ones, moved by `delta`
        head, back = self._kept_ends(diagnostics, known, before, tail if not delta else None)
        codec = _Codec(text, encoding)
        middle = self._middle(
            diagnostics[head : len(diagnostics) - (known - back)],
            head,
            back,
            before,
            tail,
            delta,
            codec,
        )
        forms = [*old[:head], *middle, *old[back:known]]
        self.reused += head + known - back
        if unlisted is not None:
            forms.append(_summary(unlisted, codec.codec))
        if len(forms) != len(old) or (len(old) > known) != (unlisted is not None):
            changed = True
        else:
            changed = (
                any(  # (the JSON texts: equal when the diagnostics are)
                    new is not was and new.encoded != was.encoded
                    for new, was in zip(middle, old[head:back], strict=True)
                )
                or (unlisted is not None and forms[-1].encoded != old[-1].encoded)
            )
        offset = head + len(middle) - back  # where the kept end moved to
        self._wide = [
            *(index for index in self._wide if index < head),
            *(head + index for index, form in enumerate(middle) if form.first != form.last),
            *(index + offset for index in self._wide if back <= index < known),
        ]
        self.forms, self._text, self._lines = forms, text, lines
        self._sources = list(map(_SOURCE, forms))
        return changed

    def _kept_ends(
        self, diagnostics: Sequence[Diagnostic], known: int, before: int, tail: int | None
    ) -> tuple[int, int]:
        """How many forms at the start stay as they are, and from where on at the end
        (``tail``: the first line after the edit when it moved no lines, else None)."""
        if not known:
            return 0, 0
        sources = self._sources
        limit = min(len(diagnostics), known)
        head = len(list(takewhile(truth, map(is_, diagnostics, sources[:limit]))))
        # ... of those, the ones whose lines end before the edit
        old = self.forms
        head = bisect_left(old, before, 0, head, key=_start_line)
        for index in self._wide:
            if index >= head:
                break
            if old[index].last >= before:
                head = index
                break
        if tail is None:
            return head, known
        ending = len(
            list(
                takewhile(
                    truth,
                    map(
                        is_,
                        reversed(diagnostics),
                        reversed(sources[known - (limit - head) : known]),
                    ),
                )
            )
        )
        back = bisect_left(old, tail, known - ending, known, key=_start_line)
        for index in self._wide:
            if back <= index < known and old[index].first < tail:
                back = index + 1
        return head, back

    def _middle(
        self,
        diagnostics: Sequence[Diagnostic],
        at: int,
        end: int,
        before: int,
        tail: int,
        delta: int,
        codec: _Codec,
    ) -> list[DiagnosticForm]:
        """The forms of the diagnostics between the kept ends, the previous ones from
        ``at`` up to ``end`` walked beside them."""
        old = self.forms
        forms: list[DiagnosticForm] = []
        for diagnostic in diagnostics:
            form: DiagnosticForm | None = None
            first, last = _line_span(diagnostic)
            if last < before or (first >= tail and not delta):  # lines the edit left
                found = self._equal(diagnostic, at, end)
                if found >= 0:
                    at, form = found + 1, old[found]
                    self.reused += 1
            elif first >= tail:  # lines the edit moved
                found = self._equal(diagnostic.shifted(-delta), at, end)
                if found >= 0:
                    at, form = found + 1, old[found].moved(diagnostic, delta)
                    self.moved += 1
            if form is None:
                form = DiagnosticForm(diagnostic, to_lsp_diagnostic(diagnostic, codec.codec))
                self.made += 1
            forms.append(form)
        return forms

    def _equal(self, diagnostic: Diagnostic, at: int, end: int) -> int:
        """Where the previous form of this diagnostic, or of one equal to it, is: where
        the walk stands, else among those that started on the same line (found by
        bisection: the forms are in the order of the text); -1 when none is."""
        old = self.forms
        if at < end:
            source = old[at].source
            if source is diagnostic or source == diagnostic:
                return at
        line = diagnostic.range.start.line
        index = bisect_left(old, line, 0, end, key=_start_line)
        while index < end and _start_line(old[index]) == line:
            if old[index].source == diagnostic:
                return index
            index += 1
        return -1


_SOURCE = attrgetter("source")


def _start_line(form: DiagnosticForm) -> int:
    source = form.source
    return source.range.start.line if source is not None else -1


class _Codec:
    """The text's `LineCodec`, made when first needed: an ASCII text's columns are the same
    in every encoding, so it needs no lines (splitting a big text costs milliseconds)."""

    def __init__(self, text: str, encoding: str) -> None:
        self._text, self._encoding = text, encoding
        self._codec: LineCodec | None = None

    @property
    def codec(self) -> LineCodec:
        if self._codec is None:
            plain = self._encoding == "utf-32" or self._text.isascii()
            lines = () if plain else split_lines(self._text)
            self._codec = LineCodec(lines, self._encoding)
        return self._codec


@dataclass(frozen=True)
class LineEnds:
    """How two texts compare by lines."""

    before: int  # lines both have at their start
    after: int  # then lines both have at their end (the two never overlap)
    lines: int  # in the new text
    mark: LineMark  # where the first line that differs starts (a line start of both)


@dataclass(frozen=True)
class LineMark:
    """A line's start in a text: its offset and its number."""

    offset: int
    line: int


TEXT_START = LineMark(0, 0)


def unchanged_ends(old: str, new: str) -> tuple[int, int]:
    """How many lines the two texts share at their start, and then at their end."""
    ends = compared_lines(old, new, _line_count(old), TEXT_START)
    return ends.before, ends.after


def compared_lines(old: str, new: str, old_lines: int, mark: LineMark) -> LineEnds:
    """The two texts compared by lines, given ``old``'s count of lines and a line start
    in it: lines are counted from there (an edit is often near the one before) and in
    what differs, not in the whole of either text (milliseconds in a large one)."""
    if "\r" in old or "\r" in new:  # other line breaks than `\n`: by lines
        before, after = _unchanged_line_ends(split_lines(old), split_lines(new))
        return LineEnds(before, after, _line_count(new), TEXT_START)
    limit = min(len(old), len(new))
    start = common_prefix(old, new, limit)
    # The line where they differ starts after the break that ends the lines shared at the
    # start; that break may begin the shared end too.
    differing = old.rfind("\n", 0, start) + 1
    end = common_suffix(old, new, limit - differing + (1 if differing else 0))
    # whole lines: those whose break is in the common start, those after a break in the end
    if mark.offset <= differing:
        before = mark.line + old.count("\n", mark.offset, differing)
    else:
        before = mark.line - old.count("\n", differing, mark.offset)
    breaks = old_lines - 1
    after = breaks - _breaks_up_to(old, len(old) - end, differing, before)
    lines = _breaks_up_to(new, len(new) - end, differing, before) + after + 1
    return LineEnds(before, after, lines, LineMark(differing, before))


def _breaks_up_to(text: str, cut: int, differing: int, before: int) -> int:
    """The line breaks in ``text[:cut]``, from those before ``differing`` (``before``):
    ``cut`` is at most one character before it (a break both start and end share)."""
    if cut >= differing:
        return before + text.count("\n", differing, cut)
    return before - text.count("\n", cut, differing)


def _line_count(text: str) -> int:
    if "\r" in text:
        return len(split_lines(text))
    return text.count("\n") + 1


def _unchanged_line_ends(old: Sequence[str], new: Sequence[str]) -> tuple[int, int]:
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[len(old) - end - 1] == new[len(new) - end - 1]:
        end += 1
    return start, end


def _line_span(diagnostic: Diagnostic) -> tuple[int, int]:
    """The first and last line of the file the diagnostic's LSP form depends on."""
    first, last = diagnostic.range.start.line, diagnostic.range.end.line
    if not diagnostic.related:
        return first, last
    for info in diagnostic.related:
        if info.file is diagnostic.file or info.file == diagnostic.file:
            first = min(first, info.range.start.line)
            last = max(last, info.range.end.line)
    return first, last


def _shifted(range_: lsp.Range, lines: int) -> lsp.Range:
    return lsp.Range(
        start=lsp.Position(line=range_.start.line + lines, character=range_.start.character),
        end=lsp.Position(line=range_.end.line + lines, character=range_.end.character),
    )


def _summary(unlisted: Unlisted, codec: LineCodec) -> DiagnosticForm:
    return DiagnosticForm(
        None,
        lsp.Diagnostic(
            range=codec.range(unlisted.first.range),
            message=unlisted.message,
            severity=lsp_severity(unlisted.severity),
            source="waivern",
        ),
    )
