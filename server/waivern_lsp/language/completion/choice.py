"""One thing completion offers: what the user sees in the list (label, detail,
documentation), what accepting it inserts (plain text, and the same as a snippet for
editors that take snippets) and where it sorts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ChoiceKind(Enum):
    FIELD = "field"
    VALUE = "value"
    ARTIFACT = "artifact"
    CONNECTOR = "connector"
    PROCESSOR = "processor"
    CHILD_NAME = "child name"  # an input or output a child runbook declares
    FILE = "file"
    FOLDER = "folder"
    RUN = "run"
    SCHEMA = "schema"
    VARIABLE = "variable"


@dataclass(frozen=True, slots=True)
class Choice:
    label: str
    kind: ChoiceKind
    text: str  # inserted in place of the cursor's span
    snippet: str | None = None  # `text` with tab stops, for editors that take snippets
    detail: str | None = None
    documentation: str | None = None  # Markdown
    order: str = ""  # sorts before the label: choices with a smaller order come first
    filter: str | None = None  # matched against what was typed, when not the label

    @property
    def multiline(self) -> bool:
        return "\n" in (self.snippet or self.text)


def snippet_text(text: str) -> str:
    """Literal text inside a snippet (`$`, `}` and `\\` are snippet syntax)."""
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def snippet_choice(values: list[str]) -> str:
    """`${1|a,b|}`: a tab stop offering the values."""
    escaped = (
        value.replace("\\", "\\\\").replace("$", "\\$").replace("|", "\\|").replace(",", "\\,")
        for value in values
    )
    return "${1|" + ",".join(escaped) + "|}"
