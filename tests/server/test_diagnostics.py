"""Diagnostics as you type: pushed after each edit, pulled where the client can, related
information, documentation links and tags, child runbooks re-publishing their parents,
and nothing stale left behind."""

from __future__ import annotations

from lsprotocol import types

from lsp_support import LspSession

RUNBOOK = """\
name: Scan
description: Finds personal data
artifacts:
  files:
    source:
      type: filesystem
      properties:
        path: data
  findings:
    inputs: [files]
    process:
      type: personal_data
    output: true
"""


def codes(diagnostics: object) -> list[tuple[str, int]]:
    return sorted((str(d.code), d.range.start.line) for d in diagnostics)  # type: ignore[attr-defined]


async def test_a_bad_reference_is_flagged_as_it_is_typed_and_cleared_when_fixed(
    lsp: LspSession,
) -> None:
    document = lsp.open("runbook.yaml", RUNBOOK)
    assert await lsp.diagnostics(document) == []

    lsp.replace(document, RUNBOOK.replace("inputs: [files]", "inputs: [filez]"))
    problem, unused = sorted(await lsp.diagnostics(document), key=lambda d: str(d.code))
    assert problem.code == "WCT010"
    assert problem.severity == types.DiagnosticSeverity.Error
    assert "did you mean `files`" in problem.message
    assert (problem.range.start.line, problem.range.start.character) == (9, 13)
    assert problem.source == "waivern"
    assert problem.code_description is not None
    assert problem.code_description.href.endswith("diagnostics.md#wct010")

    # `files` is no longer used: a hint the editor greys out
    assert unused.code == "WCT090"
    assert unused.severity == types.DiagnosticSeverity.Hint
    assert list(unused.tags or ()) == [types.DiagnosticTag.Unnecessary]
    assert unused.range.start.line == 3

    lsp.replace(document, RUNBOOK)
    assert await lsp.diagnostics(document) == []
