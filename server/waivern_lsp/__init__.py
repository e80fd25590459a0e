"""The Waivern runbook language server (`wct lsp`).

It serves editors from the core's analysis (`waivern_orchestration.analysis`): the
workspace model (`workspace`) keeps the latest analysis of every open runbook, and each
LSP feature under `features/` answers from it.
"""

from waivern_orchestration import __version__

__all__ = ["__version__"]
