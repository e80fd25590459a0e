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
from collections.abc import Sequence

from lsprotocol import types as lsp
from lsprotocol.converters import get_converter

from waivern_lsp.conversions import LineCodec, lsp_severity, to_lsp_diagnostic
from waivern_lsp.diagnostic_cap import Unlisted
from waivern_orchestration.diagnostics import Diagnostic
from waivern_orchestration.parse.positions import split_lines
from waivern_orchestration.parse.text_ends import common_prefix, common_suffix

_CONVERTER = get_converter()  # as pygls unstructures LSP types (only its own hooks added)


class DiagnosticForm:
    """One diagnostic as the client gets it, and its JSON text (made when first sent)."""

    __slots__ = ("_json", "item", "source")

    def __init__(self, source: Diagnostic | None, item: lsp.Diagnostic) -> None:
        self.source = source  # None for the cap's summary
        self.item = item
        self._json: str | None = None

    @property
    def json(self) -> str:
        if self._json is None:
            self._json = json.dumps(_CONVERTER.unstructure(self.item))
        return self._json

    def moved(self, source: Diagnostic, lines: int) -> DiagnosticForm:
        """This form for ``source``, the same problem ``lines`` lines further down."""
        item = self.item
        related = item.related_information
        if related:
            related = [
                lsp.DiagnosticRelatedInformation(
                    location=lsp.Location(
                        uri=info.location.uri, range=_shifted(info.location.range, lines)
                    ),
                    message=info.message,
                )
                if original.file == source.file
                else info
                for info, original in zip(related, source.related, strict=True)
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


class DocumentDiagnostics:
    """The forms last made for one document, in the text they were made for."""

    def __init__(self) -> None:
        self.forms: list[DiagnosticForm] = []
        self._text = ""
        self._lines = 1  # in `_text` (counting them costs milliseconds in a large one)
        # The previous forms by their diagnostic: the same object (what the edit did not
        # change keeps its diagnostics), else an equal one that started on the same line
        # (indexed when needed: finding by identity costs less).
        self._by_identity: dict[int, DiagnosticForm] = {}
        self._by_line: dict[int, list[DiagnosticForm]] | None = None
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
        what the cap left out; True when they differ from the previous ones."""
        old_text, by_identity = self._text, self._by_identity
        before, after = unchanged_ends(old_text, text) if by_identity else (0, 0)
        lines = _line_count(text)
        delta = lines - self._lines
        tail = lines - after  # lines from here on are the old ones, moved by `delta`
        codec = _Codec(text, encoding)
        forms: list[DiagnosticForm] = []
        self.reused = self.moved = self.made = 0
        for diagnostic in diagnostics:
            form = None
            if by_identity:
                if diagnostic.related:
                    first, last = _line_span(diagnostic)
                else:
                    first, last = diagnostic.range.start.line, diagnostic.range.end.line
                if last < before or (first >= tail and not delta):
                    form = by_identity.get(id(diagnostic))
                    if form is None or form.source is not diagnostic:
                        form = self._earlier(diagnostic)
                    if form is not None:
                        self.reused += 1
                elif first >= tail:
                    earlier = self._earlier(diagnostic.shifted(-delta))
                    if earlier is not None:
                        form = earlier.moved(diagnostic, delta)
                        self.moved += 1
            if form is None:
                form = DiagnosticForm(diagnostic, to_lsp_diagnostic(diagnostic, codec.codec))
                self.made += 1
            forms.append(form)
        if unlisted is not None:
            forms.append(_summary(unlisted, codec.codec))
        changed = len(forms) != len(self.forms) or any(
            new.item is not old.item and new.item != old.item
            for new, old in zip(forms, self.forms, strict=True)
        )
        self.forms, self._text, self._lines, self._by_line = forms, text, lines, None
        self._by_identity = {id(form.source): form for form in forms if form.source is not None}
        return changed

    def _earlier(self, diagnostic: Diagnostic) -> DiagnosticForm | None:
        """The previous form of a diagnostic equal to this one: among those that started on
        the same line (an index by line costs less than hashing every diagnostic, and an
        edit leaves few equal but new ones: those of the edited artifact)."""
        if self._by_line is None:
            self._by_line = {}
            for form in self._by_identity.values():
                if form.source is not None:
                    line = form.source.range.start.line
                    found = self._by_line.get(line)
                    if found is None:
                        self._by_line[line] = [form]
                    else:
                        found.append(form)
        for form in self._by_line.get(diagnostic.range.start.line, ()):
            if form.source == diagnostic:
                return form
        return None


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


def unchanged_ends(old: str, new: str) -> tuple[int, int]:
    """How many lines the two texts share at their start, and then at their end (the two
    never overlap)."""
    if "\r" in old or "\r" in new:  # other line breaks than `\n`: by lines
        return _unchanged_line_ends(split_lines(old), split_lines(new))
    limit = min(len(old), len(new))
    start = common_prefix(old, new, limit)
    # The line where they differ starts after the break that ends the lines shared at the
    # start; that break may begin the shared end too.
    differing = old.rfind("\n", 0, start) + 1
    end = common_suffix(old, new, limit - differing + (1 if differing else 0))
    # whole lines: those whose break is in the common start, those after a break in the end
    return old.count("\n", 0, differing), new.count("\n", len(new) - end)


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
