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

_CONVERTER = get_converter()  # as pygls unstructures LSP types (only its own hooks added)
# Lines compared at once when looking for where two texts start and stop differing.
_CHUNK = 512


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
    """The forms last made for one document, in the lines of the text they were made for."""

    def __init__(self) -> None:
        self.forms: list[DiagnosticForm] = []
        self._lines: Sequence[str] = ()
        self._by_value: dict[Diagnostic, DiagnosticForm] = {}
        # Counts for tests and benchmarks: forms reused as they were, moved, made anew.
        self.reused = self.moved = self.made = 0

    @property
    def items(self) -> list[lsp.Diagnostic]:
        return [form.item for form in self.forms]

    def update(
        self,
        diagnostics: Sequence[Diagnostic],
        unlisted: Unlisted | None,
        lines: Sequence[str],
        codec: LineCodec,
    ) -> bool:
        """The forms of ``diagnostics`` (positioned in ``lines``) and of the summary of
        what the cap left out; True when they differ from the previous ones."""
        old_lines, old = self._lines, self._by_value
        before, after = unchanged_ends(old_lines, lines) if old else (0, 0)
        delta = len(lines) - len(old_lines)
        tail = len(lines) - after  # lines from here on are the old ones, moved by `delta`
        forms: list[DiagnosticForm] = []
        by_value: dict[Diagnostic, DiagnosticForm] = {}
        self.reused = self.moved = self.made = 0
        for diagnostic in diagnostics:
            form = None
            if old:
                first, last = _line_span(diagnostic)
                if last < before or (first >= tail and not delta):
                    form = old.get(diagnostic)
                    if form is not None:
                        self.reused += 1
                elif first >= tail:
                    earlier = old.get(diagnostic.shifted(-delta))
                    if earlier is not None:
                        form = earlier.moved(diagnostic, delta)
                        self.moved += 1
            if form is None:
                form = DiagnosticForm(diagnostic, to_lsp_diagnostic(diagnostic, codec))
                self.made += 1
            forms.append(form)
            by_value[diagnostic] = form
        if unlisted is not None:
            forms.append(_summary(unlisted, codec))
        changed = [form.item for form in forms] != self.items
        self.forms, self._lines, self._by_value = forms, lines, by_value
        return changed


def unchanged_ends(old: Sequence[str], new: Sequence[str]) -> tuple[int, int]:
    """How many lines the two texts share at their start, and then at their end (the two
    never overlap)."""
    limit = min(len(old), len(new))
    start = 0
    while start + _CHUNK <= limit and old[start : start + _CHUNK] == new[start : start + _CHUNK]:
        start += _CHUNK
    while start < limit and old[start] == new[start]:
        start += 1
    left = limit - start  # lines the common end may take
    end = 0
    old_end, new_end = len(old), len(new)
    while (
        end + _CHUNK <= left
        and old[old_end - end - _CHUNK : old_end - end]
        == new[new_end - end - _CHUNK : new_end - end]
    ):
        end += _CHUNK
    while end < left and old[old_end - end - 1] == new[new_end - end - 1]:
        end += 1
    return start, end


def _line_span(diagnostic: Diagnostic) -> tuple[int, int]:
    """The first and last line of the file the diagnostic's LSP form depends on."""
    first, last = diagnostic.range.start.line, diagnostic.range.end.line
    for info in diagnostic.related:
        if info.file == diagnostic.file:
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
