"""What is being typed at the cursor (`cursor_at`), read from the text alone: a key, a
value, an item of a list, a variable; the key path it belongs to and the span an accepted
completion replaces."""

from __future__ import annotations

from language_support import RunbookFolder
from runbook_samples import SCAN
from waivern_lsp.language.cursor import Cursor, cursor_at
from waivern_orchestration.parse.positions import Range


def cursor(folder: RunbookFolder, text: str) -> Cursor | None:
    runbook = folder.open(text)
    return cursor_at(runbook.lines, runbook.at())


def test_a_key_being_typed(folder: RunbookFolder) -> None:
    found = cursor(folder, SCAN.replace("    output: true", "    outp<|>"))
    assert found == Cursor(
        kind="key",
        path=("artifacts", "findings"),
        key_lines=(2, 8),
        line=12,
        word="outp",
        span=Range.of(12, 4, 12, 8),
    )


def test_a_key_already_written_is_replaced_up_to_its_colon(folder: RunbookFolder) -> None:
    found = cursor(folder, SCAN.replace("    output: true", "    out<|>put: true"))
    assert found is not None
    assert (found.kind, found.word, found.span, found.closed) == (
        "key",
        "out",
        Range.of(12, 4, 12, 10),
        True,
    )


def test_an_item_of_a_flow_list_knows_the_other_items(folder: RunbookFolder) -> None:
    found = cursor(folder, SCAN.replace("inputs: [files]", "inputs: [files, fi<|>nd]"))
    assert found == Cursor(
        kind="value",
        path=("artifacts", "findings", "inputs"),
        key_lines=(2, 8, 9),
        line=9,
        word="fi",
        span=Range.of(9, 20, 9, 24),
        item=True,
        written=("files",),
    )


def test_an_item_of_a_block_list_knows_the_items_above_and_below(folder: RunbookFolder) -> None:
    text = SCAN.replace("inputs: [files]", "inputs:\n      - files\n      - <|>\n      - more")
    found = cursor(folder, text)
    assert found is not None
    assert (found.kind, found.item, found.span, found.written) == (
        "value",
        True,
        Range.of(11, 8, 11, 8),
        ("files", "more"),
    )


def test_a_quoted_value_is_replaced_inside_its_quotes(folder: RunbookFolder) -> None:
    found = cursor(folder, SCAN.replace("path: data", 'path: "da<|>ta"'))
    assert found is not None
    assert (found.word, found.span) == ("da", Range.of(7, 15, 7, 19))


def test_before_a_word_a_value_is_inserted_not_replaced(folder: RunbookFolder) -> None:
    found = cursor(folder, SCAN.replace("path: data", "path: <|>  data"))
    assert found is not None
    assert (found.word, found.span) == ("", Range.of(7, 14, 7, 14))


def test_a_variable_name_in_a_closed_reference(folder: RunbookFolder) -> None:
    found = cursor(folder, SCAN.replace("path: data", "path: ${DA<|>TA}"))
    assert found is not None
    assert (found.kind, found.word, found.span, found.closed) == (
        "variable",
        "DA",
        Range.of(7, 16, 7, 20),
        True,
    )


def test_a_hash_inside_quotes_is_no_comment(folder: RunbookFolder) -> None:
    text = SCAN.replace("Finds personal data", '"a # not a comment <|>"')
    found = cursor(folder, text)
    assert found is not None and found.path == ("description",)


def test_nothing_is_typed_before_a_dash_or_a_key_or_in_a_quoted_key(
    folder: RunbookFolder,
) -> None:
    assert cursor(folder, SCAN.replace("inputs: [files]", "inputs:\n   <|>   - files")) is None
    assert cursor(folder, SCAN.replace("    output: true", "  <|>  output: true")) is None
    assert cursor(folder, SCAN.replace("    output: true", "    'out<|>put': true")) is None
