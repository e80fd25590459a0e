"""Where a typed trigger character pops the completion list up (`pops_up`), `<|>` just
after the character typed; and which choices are kept when there are too many to send
(`matching`)."""

from __future__ import annotations

from language_support import RunbookFolder
from runbook_samples import SCAN
from waivern_lsp.language.completion import Choice, ChoiceKind, matching, pops_up
from waivern_lsp.language.cursor import cursor_at


def pops(folder: RunbookFolder, text: str, character: str) -> bool:
    runbook = folder.open(text)
    cursor = cursor_at(runbook.lines, runbook.at())
    return cursor is not None and pops_up(cursor, character)


def test_a_space_after_a_key_pops_up_a_space_in_a_description_does_not(
    folder: RunbookFolder,
) -> None:
    assert pops(folder, SCAN.replace("      type: personal_data", "      type: <|>"), " ")
    described = SCAN.replace("  files:\n", "  files:\n    description: every <|>\n")
    assert not pops(folder, described, " ")


def test_a_colon_pops_up_only_right_after_a_key(folder: RunbookFolder) -> None:
    assert pops(folder, SCAN.replace("    output: true", "    output:<|>"), ":")
    assert not pops(folder, SCAN.replace("    output: true", "    output: a:<|>"), ":")


def test_a_comma_or_bracket_pops_up_for_the_next_item(folder: RunbookFolder) -> None:
    assert pops(folder, SCAN.replace("inputs: [files]", "inputs: [files,<|>]"), ",")
    assert pops(folder, SCAN.replace("inputs: [files]", "inputs: [<|>]"), "[")


def test_a_dollar_or_brace_pops_up_only_where_a_variable_starts(folder: RunbookFolder) -> None:
    assert pops(folder, SCAN.replace("path: data", "path: $<|>"), "$")
    assert pops(folder, SCAN.replace("path: data", "path: ${<|>"), "{")
    assert not pops(folder, SCAN.replace("path: data", "path: data\n        extra: {<|>"), "{")


def test_too_many_choices_keep_those_that_contain_what_is_typed() -> None:
    choices = [
        Choice("customer_files", ChoiceKind.ARTIFACT, "customer_files"),
        Choice("Customer_DB", ChoiceKind.ARTIFACT, "Customer_DB"),
        Choice("summary", ChoiceKind.ARTIFACT, "summary"),
    ]
    assert [choice.label for choice in matching(choices, "cust")] == [
        "customer_files",
        "Customer_DB",
    ]
