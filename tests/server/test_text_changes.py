"""Incremental changes applied from the previous change's line give the text pygls makes
by rebuilding the document, whatever the text (characters outside ASCII, line breaks
other than `\\n`), the range (past the end, backwards) and the position encoding.
In-process, against pygls' own `TextDocument`."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp
from pygls.workspace import PositionCodec, TextDocument

from waivern_lsp.text_changes import TextChanges

URI = "file:///workspace/runbook.yaml"
pieces = st.sampled_from(["a", "inputs: [x]", "é", "😀", "\n", "\n", "\n", "  ", "\r\n", "\r"])
texts = st.lists(pieces, max_size=40).map("".join)
positions = st.builds(
    lambda line, character: lsp.Position(line=line, character=character),
    st.integers(0, 14),
    st.integers(0, 14),
)
changes = st.lists(
    st.tuples(positions, positions, st.lists(pieces, max_size=4).map("".join)),
    min_size=1,
    max_size=12,
)


def change(
    start: lsp.Position, end: lsp.Position, text: str
) -> lsp.TextDocumentContentChangePartial:
    """A change of its own (pygls clamps a column past the line's end in the range given)."""
    return lsp.TextDocumentContentChangePartial(
        range=lsp.Range(
            start=lsp.Position(line=start.line, character=start.character),
            end=lsp.Position(line=end.line, character=end.character),
        ),
        text=text,
    )


def document(text: str, encoding: lsp.PositionEncodingKind) -> TextDocument:
    return TextDocument(URI, text, position_codec=PositionCodec(encoding))


@settings(max_examples=400, deadline=None)
@given(
    text=texts,
    steps=changes,
    encoding=st.sampled_from(list(lsp.PositionEncodingKind)),
)
def test_the_text_is_the_one_pygls_makes(
    text: str,
    steps: list[tuple[lsp.Position, lsp.Position, str]],
    encoding: lsp.PositionEncodingKind,
) -> None:
    theirs, ours = document(text, encoding), document(text, encoding)
    changes = TextChanges()
    for start, end, new in steps:
        theirs.apply_change(change(start, end, new))
        changes.apply(ours, change(start, end, new))
        assert ours.source == theirs.source


def test_typing_on_one_line_far_down_a_big_text() -> None:
    lines = [f"  artifact_{number}:" for number in range(50_000)]
    ours = document("\n".join(lines), lsp.PositionEncodingKind.Utf16)
    changes = TextChanges()
    for typed, key in enumerate("_renamed"):
        at = lsp.Position(line=40_000, character=len(lines[40_000]) - 1 + typed)
        changes.apply(
            ours, lsp.TextDocumentContentChangePartial(range=lsp.Range(start=at, end=at), text=key)
        )

    assert ours.source.split("\n")[40_000] == "  artifact_40000_renamed:"
    assert ours.source.split("\n")[39_999] == lines[39_999]
