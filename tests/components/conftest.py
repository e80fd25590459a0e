"""Fixtures of the component tests: a fake context whose runbook directory is `tmp_path`."""

from __future__ import annotations

from pathlib import Path

import pytest
from component_fakes import FakeContext


@pytest.fixture
def context(tmp_path: Path) -> FakeContext:
    return FakeContext(runbook_dir=tmp_path)
