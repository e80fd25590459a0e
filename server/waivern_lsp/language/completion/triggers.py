"""When a typed character should pop a list up, and which choices match what is typed
when there are too many to send."""

from __future__ import annotations

from waivern_lsp.language.completion.choice import Choice
from waivern_lsp.language.cursor import Cursor


def pops_up(cursor: Cursor, character: str) -> bool:
    """A trigger character pops a list up only where it starts something to complete
    (a space in a description, or while indenting, is no reason to)."""
    if character in ("$", "{"):
        return cursor.kind == "variable"
    if cursor.kind != "value":
        return False
    if character == " ":
        return cursor.word == ""
    if character == ":":
        return not cursor.spaced
    if character in (",", "["):
        return cursor.item and cursor.word == ""
    if character == "/":
        return cursor.word.endswith("/")
    return True


def matching(choices: list[Choice], word: str) -> list[Choice]:
    """The choices whose label (or filter text) contains the typed word, ignoring case."""
    typed = word.lower()
    return [choice for choice in choices if typed in (choice.filter or choice.label).lower()]
