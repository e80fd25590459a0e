"""Semantic tokens: what the names of a runbook are, for highlighting that YAML's grammar
cannot give (an artifact id looks like any other key; a reference like any string).

The legend uses the token types of LSP's own list, which themes in VS Code, Neovim and
Emacs already colour:

- `variable`: an artifact id (`declaration`: its key) or a reference to one (`inputs`,
  `input_mapping` values, `outputs.*.artifact`, `reuse.artifact`); a child output alias
  (`declaration` where `output_mapping` makes it);
- `parameter`: an input a child runbook declares (`declaration`: under the top-level
  `inputs`) and its uses; an `input_mapping` key;
- `property`: an output a child runbook declares (`declaration`: under the top-level
  `outputs`); `child_runbook.output` and the keys of `output_mapping`;
- `type`: a component type, `source.type` (connector) or `process.type` (processor);
- `macro`: a `${VAR}` or `${VAR:-default}`.

Editor-agnostic: an analysis in, tokens (core positions, in characters) out, sorted;
the server encodes them for the protocol.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum, IntFlag

from waivern_orchestration.analysis import Analysis
from waivern_orchestration.parse.positions import Range


class TokenType(IntEnum):
    """The index of each type in the legend (`TOKEN_TYPES`)."""

    VARIABLE = 0
    PARAMETER = 1
    PROPERTY = 2
    TYPE = 3
    MACRO = 4


class TokenModifier(IntFlag):
    NONE = 0
    DECLARATION = 1


TOKEN_TYPES = ("variable", "parameter", "property", "type", "macro")
TOKEN_MODIFIERS = ("declaration",)


@dataclass(frozen=True, slots=True)
class SemanticToken:
    line: int
    start: int  # characters
    length: int  # characters
    type: TokenType
    modifiers: TokenModifier = TokenModifier.NONE


def semantic_tokens(
    analysis: Analysis, first_line: int = 0, last_line: int | None = None
) -> list[SemanticToken]:
    """The tokens of the analysed runbook, in document order, none overlapping; only
    those on ``first_line`` to ``last_line`` when given."""
    last = last_line if last_line is not None else 1 << 62
    found = [
        SemanticToken(range_.start.line, range_.start.character, length, kind, modifiers)
        for range_, kind, modifiers in _sites(analysis)
        if first_line <= range_.start.line <= last
        and range_.start.line == range_.end.line
        and (length := range_.end.character - range_.start.character) > 0
    ]
    found.sort(key=lambda token: (token.line, token.start))
    tokens: list[SemanticToken] = []
    end = (-1, 0)
    for token in found:
        if (token.line, token.start) >= end:  # the first of overlapping ones
            tokens.append(token)
            end = (token.line, token.start + token.length)
    return tokens


def _sites(analysis: Analysis) -> Iterator[tuple[Range, TokenType, TokenModifier]]:
    declaration = TokenModifier.DECLARATION
    plain = TokenModifier.NONE
    header = analysis.header
    declared_inputs = header.inputs if header is not None else {}
    if header is not None:
        for declared in header.inputs.values():
            yield declared.name.range, TokenType.PARAMETER, declaration
        for output in header.outputs.values():
            yield output.name.range, TokenType.PROPERTY, declaration
    for reference in analysis.references:
        if reference.name in declared_inputs and reference.name not in analysis.artifacts:
            yield reference.range, TokenType.PARAMETER, plain
        else:
            yield reference.range, TokenType.VARIABLE, plain
    for alias in analysis.aliases.values():
        yield alias.range, TokenType.VARIABLE, declaration
    for info in analysis.artifact_list:
        yield info.key_range, TokenType.VARIABLE, declaration
        for site in (info.source_type, info.process_type):
            if site is not None:
                yield site.range, TokenType.TYPE, plain
        if info.reuse is not None:
            yield info.reuse[1].range, TokenType.VARIABLE, plain
        child = info.child
        if child is not None:
            for key, _reference in child.input_mapping:
                yield key.range, TokenType.PARAMETER, plain
            if child.output is not None:
                yield child.output.range, TokenType.PROPERTY, plain
            for child_output, _alias in child.output_mapping or ():
                yield child_output.range, TokenType.PROPERTY, plain
    for env in analysis.env_sites:
        yield env.range, TokenType.MACRO, plain
