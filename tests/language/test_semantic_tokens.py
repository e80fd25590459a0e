"""Semantic tokens (`language.semantic_tokens`): what each name of a runbook is, decoded
back to the text it stands on; encoded for the protocol (`features.semantic_tokens`)."""

from __future__ import annotations

from language_support import Runbook, RunbookFolder
from runbook_samples import CHILD, MAPPED_PARENT
from waivern_lsp.conversions import LineCodec
from waivern_lsp.features.semantic_tokens import encoded
from waivern_lsp.language.semantic_tokens import TOKEN_MODIFIERS, TOKEN_TYPES, semantic_tokens


def decoded(runbook: Runbook, first: int = 0, last: int | None = None) -> list[str]:
    """Each token as `line text type[+modifier]`."""
    result = []
    for token in semantic_tokens(runbook.analysis, first, last):
        text = runbook.lines[token.line][token.start : token.start + token.length]
        modifiers = "".join(
            f"+{name}" for bit, name in enumerate(TOKEN_MODIFIERS) if token.modifiers >> bit & 1
        )
        result.append(f"{token.line} {text} {TOKEN_TYPES[token.type]}{modifiers}")
    return result


def test_a_parent_runbook_names_its_artifacts_types_aliases_and_variables(
    folder: RunbookFolder,
) -> None:
    folder.write("child.yaml", CHILD)
    runbook = folder.open(MAPPED_PARENT.replace("path: data", "path: ${DATA:-data}"))
    assert decoded(runbook) == [
        "3 files variable+declaration",
        "5 filesystem type",
        "7 ${DATA:-data} macro",
        "8 analysed variable+declaration",
        "9 files variable",
        "13 documents parameter",  # the child's input
        "13 files variable",
        "15 findings property",  # the child's output ...
        "15 child_findings variable+declaration",  # ... under a name of the parent's
        "16 summary variable+declaration",
        "17 child_findings variable",
        "19 findings_summary type",
    ]
    assert decoded(runbook, 8, 9) == [
        "8 analysed variable+declaration",
        "9 files variable",
    ]


def test_a_child_runbook_declares_its_inputs_and_outputs(folder: RunbookFolder) -> None:
    runbook = folder.open(CHILD)
    assert decoded(runbook) == [
        "3 documents parameter+declaration",
        "6 findings property+declaration",
        "7 found variable",  # `outputs.findings.artifact`
        "9 found variable+declaration",
        "10 documents parameter",
        "12 personal_data type",
    ]


def test_unknown_references_are_still_references(folder: RunbookFolder) -> None:
    runbook = folder.open(
        """\
        name: Scan
        description: d
        artifacts:
          findings:
            inputs: [missing, "quoted"]
            process: {type: personal_data}
        """
    )
    assert decoded(runbook) == [
        "3 findings variable+declaration",
        "4 missing variable",
        '4 "quoted" variable',
        "5 personal_data type",
    ]


def test_tokens_are_encoded_relative_and_in_utf16_units(folder: RunbookFolder) -> None:
    runbook = folder.open(
        """\
        name: Scan
        description: d
        artifacts:
          files:
            description: "🙂 ${DATA}"
            source: {type: filesystem}
        """
    )
    tokens = semantic_tokens(runbook.analysis)
    data = encoded(tokens, LineCodec(runbook.lines, "utf-16"))
    # files (line 3); ${DATA} after an emoji of two UTF-16 units; filesystem
    assert data == [3, 2, 5, 0, 1, 1, 21, 7, 4, 0, 1, 19, 10, 3, 0]
