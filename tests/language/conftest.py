"""The in-process tier: language services called directly, `<|>` marking the cursor."""

from __future__ import annotations

from pathlib import Path

import pytest

from language_support import RunbookFolder


@pytest.fixture
def folder(tmp_path: Path) -> RunbookFolder:
    """An empty folder for runbooks (and their child runbooks, data and run store)."""
    return RunbookFolder(tmp_path)
