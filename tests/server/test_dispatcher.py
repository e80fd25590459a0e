"""The dispatcher features register through: a handler that raises is logged and answers
nothing (null), and the server carries on; cancellation and protocol errors (such as
ContentModified) still reach the client as such."""

from __future__ import annotations

import asyncio
import logging

import pytest
from pygls.exceptions import JsonRpcContentModified

from waivern_lsp.server import WaivernServer


async def test_a_feature_that_raises_answers_null_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = WaivernServer()

    @server.request("waivern/test/broken")
    async def broken(params: object) -> str:
        raise KeyError("a bug in a feature")

    with caplog.at_level(logging.ERROR, logger="waivern_lsp"):
        assert await broken(None) is None
    assert "waivern/test/broken failed" in caplog.text
    assert "a bug in a feature" in caplog.text


async def test_stale_and_cancelled_requests_are_not_swallowed() -> None:
    server = WaivernServer()

    @server.request("waivern/test/stale")
    async def stale(params: object) -> str:
        raise JsonRpcContentModified("changed")

    @server.request("waivern/test/cancelled")
    async def cancelled(params: object) -> str:
        raise asyncio.CancelledError

    with pytest.raises(JsonRpcContentModified):
        await stale(None)
    with pytest.raises(asyncio.CancelledError):
        await cancelled(None)


def test_a_notification_handler_that_raises_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    server = WaivernServer()

    @server.notification("waivern/test/note")
    def note(params: object) -> None:
        raise ValueError("bad")

    with caplog.at_level(logging.ERROR, logger="waivern_lsp"):
        note(None)
    assert "waivern/test/note failed" in caplog.text
