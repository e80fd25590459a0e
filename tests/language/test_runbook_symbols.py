"""The outline of a runbook (`language.outline.runbook_symbols`, with `artifact_kinds`) and
how a workspace symbol query matches a name (`match_score`)."""

from __future__ import annotations

from language_support import RunbookFolder
from runbook_samples import CHILD, MAPPED_PARENT
from waivern_lsp.language.artifact_kinds import SymbolKind
from waivern_lsp.language.outline import match_score, runbook_symbols


def test_the_outline_lists_artifacts_by_how_they_are_produced(folder: RunbookFolder) -> None:
    folder.write("child.yaml", CHILD)
    symbols = runbook_symbols(folder.open(MAPPED_PARENT).analysis)
    assert [(s.name, s.kind, s.detail, s.selection.start.line) for s in symbols] == [
        ("files", SymbolKind.EVENT, "source: filesystem", 3),
        ("analysed", SymbolKind.MODULE, "child runbook: child.yaml", 8),
        ("summary", SymbolKind.FUNCTION, "findings_summary ← child_findings · output", 16),
    ]
    # the block of an artifact is its range; the names output_mapping makes are beneath it
    analysed = symbols[1]
    assert (analysed.range.start.line, analysed.range.end.line) == (8, 15)
    assert [(c.name, c.kind, c.detail) for c in analysed.children] == [
        ("child_findings", SymbolKind.FIELD, "output findings")
    ]


def test_a_child_runbook_lists_its_inputs_and_outputs(folder: RunbookFolder) -> None:
    symbols = runbook_symbols(folder.open(CHILD, "child.yaml").analysis)
    assert [(s.name, s.kind, s.detail) for s in symbols] == [
        ("documents", SymbolKind.VARIABLE, "input: standard_input/1.0.0"),
        ("findings", SymbolKind.PROPERTY, "output → found"),
        ("found", SymbolKind.FUNCTION, "personal_data ← documents"),
    ]


def test_reused_combined_and_broken_artifacts(folder: RunbookFolder) -> None:
    runbook = folder.open(
        """\
        name: Kinds
        description: One of each
        inputs:
          texts: {}
        outputs:
          open: {}
        artifacts:
          old:
            reuse: {from_run: 20250101-000000-abcd, artifact: files}
            output_schema: standard_input/1.0.0
          both:
            inputs: [old, texts]
          broken:
            inputs: [old
        """,
        "kinds.yaml",
    )
    assert [(s.name, s.kind, s.detail) for s in runbook_symbols(runbook.analysis)] == [
        ("texts", SymbolKind.VARIABLE, "input"),
        ("open", SymbolKind.PROPERTY, "output"),
        ("old", SymbolKind.CONSTANT, "reuse: files of run 20250101-000000-abcd"),
        ("both", SymbolKind.FUNCTION, "← old, texts"),
        ("broken", SymbolKind.OBJECT, "does not parse"),
    ]


def test_a_query_matches_a_subsequence_exact_and_prefix_first() -> None:
    assert [match_score(query, "personal_data_findings") for query in ("", "PERSONAL")] == [0, 1]
    assert match_score("personal_data_findings", "personal_data_findings") == 0
    assert match_score("data", "personal_data_findings") == 2
    assert match_score("pdf", "personal_data_findings") == 3
    assert match_score("fdp", "personal_data_findings") is None
