"""Making real runs in a language-server test's workspace store (`<root>/.waivern`), as
`wct run` would, for the features that show run status (hover, code lens, actions)."""

from __future__ import annotations

import asyncio

from lsp_support import LspSession
from waivern_orchestration.execution.events import SilentSink
from waivern_orchestration.execution.outcome import RunOutcome
from waivern_orchestration.execution.runs import RunRequest, execute


async def run(lsp: LspSession, runbook: str = "runbook.yaml") -> RunOutcome:
    """Run a runbook of the workspace into the server's run store, as `wct run` would."""
    request = RunRequest(runbook=lsp.root / runbook, store_dir=lsp.root / ".waivern")
    return await asyncio.to_thread(execute, request, SilentSink(), lambda notice: None)
