"""Fixtures shared by all tests."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

# The execution fixtures (a workspace with a test plug-in of components, found through
# entry points) serve the execution, CLI and reliability tests alike.
from execution_support import plugin_folder, registry, workspace  # noqa: F401

# `lsp`: a real language server process driven over JSON-RPC (tests/server, reliability).
from lsp_support import lsp_session  # noqa: F401

# CI runs the property tests on a fixed set of examples, so that a run passes or fails
# the same way every time; local runs draw new examples each time and keep exploring.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


WriteFile = Callable[[str, str], Path]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """`write_file("runbook.yaml", text)`: the dedented text written under `tmp_path`."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write
