"""The Waivern runbook language server (`wct lsp`).

It serves editors from the core's analysis (`waivern_orchestration.analysis`); its
features arrive with the language-server issues.
"""
