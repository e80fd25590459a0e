"""Core and language-service values → LSP values: ranges (the core counts characters;
clients count UTF-16 code units unless they chose otherwise), diagnostics, symbol kinds,
paths and URIs."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp
from pygls.uris import from_fs_path

from waivern_lsp.documentation import diagnostic_code_link
from waivern_lsp.language.artifact_kinds import SymbolKind
from waivern_orchestration.diagnostics import Diagnostic, Severity
from waivern_orchestration.parse.positions import Position, Range

_SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFORMATION: lsp.DiagnosticSeverity.Information,
    Severity.HINT: lsp.DiagnosticSeverity.Hint,
}
_SYMBOL_KINDS = {
    SymbolKind.EVENT: lsp.SymbolKind.Event,
    SymbolKind.FUNCTION: lsp.SymbolKind.Function,
    SymbolKind.MODULE: lsp.SymbolKind.Module,
    SymbolKind.CONSTANT: lsp.SymbolKind.Constant,
    SymbolKind.OBJECT: lsp.SymbolKind.Object,
    SymbolKind.VARIABLE: lsp.SymbolKind.Variable,
    SymbolKind.PROPERTY: lsp.SymbolKind.Property,
    SymbolKind.FIELD: lsp.SymbolKind.Field,
}
# Codes whose finding is "this can go": clients grey the text out.
_UNNECESSARY = frozenset({"WCT090"})


def lsp_severity(severity: Severity) -> lsp.DiagnosticSeverity:
    return _SEVERITY[severity]


def symbol_kind(kind: SymbolKind) -> lsp.SymbolKind:
    return _SYMBOL_KINDS[kind]


def uri_to_path(uri: str) -> Path | None:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path))


def path_to_uri(path: Path) -> str:
    uri = from_fs_path(str(path))
    return uri if uri is not None else path.as_uri()


def encoding_name(encoding: object) -> str:
    """A position encoding as its protocol name (lsprotocol's enum prints as
    `PositionEncodingKind.Utf8`, so `str()` will not do)."""
    if encoding is None:
        return "utf-16"
    value = getattr(encoding, "value", encoding)
    return str(value)


class LineCodec:
    """Converts character columns to the client's units (UTF-16 code units unless the
    client chose UTF-8 or UTF-32) for one text. ASCII lines, nearly all of a runbook,
    need no work."""

    def __init__(self, lines: Sequence[str], encoding: str = "utf-16") -> None:
        self.lines = lines
        self.encoding = encoding

    def _units(self, char: str) -> int:
        if self.encoding == "utf-8":
            return len(char.encode("utf-8", "surrogatepass"))
        return 2 if ord(char) > 0xFFFF else 1

    def column_to_client(self, line: int, character: int) -> int:
        if self.encoding == "utf-32" or not 0 <= line < len(self.lines):
            return character
        text = self.lines[line]
        if text.isascii():
            return character
        return sum(self._units(char) for char in text[:character]) + max(0, character - len(text))

    def column_from_client(self, line: int, units: int) -> int:
        if self.encoding == "utf-32" or not 0 <= line < len(self.lines):
            return units
        text = self.lines[line]
        if text.isascii():
            return units
        counted = 0
        for index, char in enumerate(text):
            if counted >= units:
                return index
            counted += self._units(char)
        return len(text)

    def position(self, position: Position) -> lsp.Position:
        return lsp.Position(
            line=position.line,
            character=self.column_to_client(position.line, position.character),
        )

    def range(self, range_: Range) -> lsp.Range:
        return lsp.Range(start=self.position(range_.start), end=self.position(range_.end))

    def from_client(self, position: lsp.Position) -> Position:
        return Position(position.line, self.column_from_client(position.line, position.character))


def to_lsp_range(range_: Range) -> lsp.Range:
    """For ranges in files whose text is not at hand (other files)."""
    return lsp.Range(
        start=lsp.Position(line=range_.start.line, character=range_.start.character),
        end=lsp.Position(line=range_.end.line, character=range_.end.character),
    )


def to_lsp_diagnostic(diagnostic: Diagnostic, codec: LineCodec) -> lsp.Diagnostic:
    related = [
        lsp.DiagnosticRelatedInformation(
            location=lsp.Location(
                uri=path_to_uri(info.file),
                range=codec.range(info.range)
                if info.file == diagnostic.file
                else to_lsp_range(info.range),
            ),
            message=info.message,
        )
        for info in diagnostic.related
    ]
    return lsp.Diagnostic(
        range=codec.range(diagnostic.range),
        message=diagnostic.message,
        severity=_SEVERITY[diagnostic.severity],
        code=diagnostic.code,
        code_description=_code_description(diagnostic.code),
        source="waivern",
        related_information=related or None,
        tags=[lsp.DiagnosticTag.Unnecessary] if diagnostic.code in _UNNECESSARY else None,
    )


@cache
def _code_description(code: str) -> lsp.CodeDescription:
    return lsp.CodeDescription(href=diagnostic_code_link(code))
