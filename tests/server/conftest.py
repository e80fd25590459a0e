"""The `lsp` fixture: a real `wct lsp` process, initialized with a temporary workspace,
once per client-capability set (`visual_studio_code`, `neovim`).

`@pytest.mark.server_env({...})` adds environment variables to the server's process."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from lsp_support import CLIENTS, LspSession, start_session


@pytest_asyncio.fixture(params=CLIENTS)
async def lsp(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[LspSession]:
    marker = request.node.get_closest_marker("server_env")
    env = dict(os.environ)
    env.pop("WCT_STORE", None)
    if marker is not None:
        env.update(marker.args[0])
    root = tmp_path / "workspace"
    root.mkdir()
    session = await start_session(request.param, root, env=env)
    request.node.lsp_client = session.client
    yield session
    await session.client.shutdown_session()
    await session.client.stop()
