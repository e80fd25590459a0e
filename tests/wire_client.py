"""`WireClient`: a language server process driven over raw stdio, its framed answers
read strictly and kept by id (all of them, so a second answer to one id shows). Every
wait has a timeout, so a server that stops answering fails the test instead of hanging
it. The protocol tests write raw bytes with it; the release tests drive an installed
`wct lsp` with it."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

import pytest

from lsp_support import WCT

TIMEOUT = 20.0

Message = dict[str, Any]


def frame(body: bytes, length: int | None = None) -> bytes:
    """A frame; `length` other than the body's for a wrong Content-Length."""
    return b"Content-Length: %d\r\n\r\n%s" % (len(body) if length is None else length, body)


def encode(message: object) -> bytes:
    return json.dumps(message).encode()


class WireClient:
    """A client that writes raw bytes to a real `wct lsp` and reads its framed answers
    (answers are kept by id, all of them, so a second answer to one id shows)."""

    def __init__(
        self, root: Path, command: Sequence[str] = (WCT, "lsp"), env: dict[str, str] | None = None
    ) -> None:
        """`command` in `root` (`wct lsp` of this checkout's venv unless told), with `env`
        (this process's environment, without WCT_STORE, unless told)."""
        self.root = root
        self.stderr_path = root / "server.stderr"
        if env is None:
            env = dict(os.environ)
            env.pop("WCT_STORE", None)
        with self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                list(command),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                cwd=root,
                env=env,
            )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin: IO[bytes] = self.process.stdin
        self.answers: dict[object, list[Message]] = {}
        self.notifications: list[Message] = []
        self.arrived = threading.Condition()
        self.hung_up = False
        # The server's own requests are answered (null) at once, unless held here instead.
        self.hold_requests = False
        self.held: list[Message] = []
        self.ids = itertools.count(1)
        self._writing = threading.Lock()
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    # -- writing --------------------------------------------------------------------------

    def send_raw(self, data: bytes) -> None:
        with self._writing:
            self.stdin.write(data)
            self.stdin.flush()

    def send(self, message: object) -> None:
        self.send_raw(frame(encode(message)))

    def request(self, method: str, params: object = None) -> int:
        msg_id = next(self.ids)
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        return msg_id

    def notify(self, method: str, params: object = None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    # -- reading --------------------------------------------------------------------------

    def _read(self, stdout: IO[bytes]) -> None:
        try:
            while (message := _read_frame(stdout)) is not None:
                if "method" in message and "id" in message and self.hold_requests:
                    with self.arrived:
                        self.held.append(message)
                        self.arrived.notify_all()
                    continue
                if "method" in message and "id" in message:  # the server asks: say nothing
                    self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
                    continue
                with self.arrived:
                    if "method" in message:
                        self.notifications.append(message)
                    else:
                        self.answers.setdefault(message["id"], []).append(message)
                    self.arrived.notify_all()
        finally:
            with self.arrived:
                self.hung_up = True
                self.arrived.notify_all()

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        with self.arrived:
            if not self.arrived.wait_for(lambda: condition() or self.hung_up, TIMEOUT):
                pytest.fail(f"no {what} within {TIMEOUT} s\n{self.stderr()[-3000:]}")
            if not condition():
                pytest.fail(f"the server hung up before {what}\n{self.stderr()[-3000:]}")

    def answer(self, msg_id: object) -> Message:
        self.wait_for(lambda: msg_id in self.answers, f"answer to {msg_id!r}")
        return self.answers[msg_id][0]

    def call(self, method: str, params: object = None) -> Message:
        return self.answer(self.request(method, params))

    def result(self, method: str, params: object = None) -> Any:
        answer = self.call(method, params)
        assert "error" not in answer, answer
        return answer["result"]

    def error(self, method: str, params: object = None) -> Message:
        answer = self.call(method, params)
        assert "error" in answer, answer
        return dict(answer["error"])

    def held_request(self, method: str) -> Message:
        """The first request of ``method`` the server sent (with `hold_requests`)."""

        def found() -> Message | None:
            return next((m for m in self.held if m["method"] == method), None)

        self.wait_for(lambda: found() is not None, f"a {method} request from the server")
        message = found()
        assert message is not None
        return message

    def null_id_errors(self) -> list[int]:
        with self.arrived:
            return [answer["error"]["code"] for answer in self.answers.get(None, [])]

    # -- the session ----------------------------------------------------------------------

    def initialize(self) -> Message:
        result = self.result(
            "initialize",
            {
                "processId": None,
                "rootUri": self.root.as_uri(),
                "capabilities": {},
                "initializationOptions": {"store": str(self.root / ".waivern")},
            },
        )
        self.notify("initialized", {})
        return dict(result)

    def open(self, name: str, text: str) -> str:
        uri = (self.root / name).as_uri()
        document = {"uri": uri, "languageId": "yaml", "version": 1, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": document})
        return uri

    def symbols(self, uri: str) -> Any:
        return self.result("textDocument/documentSymbol", {"textDocument": {"uri": uri}})

    def exit(self) -> int:
        self.notify("exit")
        return self.process.wait(TIMEOUT)

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(TIMEOUT)
        self.stdin.close()


def _read_frame(stdout: IO[bytes]) -> Message | None:
    """One frame of the server's, checked strictly (the server must frame correctly)."""
    header = b""
    while not header.endswith(b"\r\n\r\n"):
        byte = stdout.read(1)
        if not byte:
            assert not header, f"the output ended inside a header: {header!r}"
            return None
        header += byte
    fields = dict(line.split(b": ", 1) for line in header.strip().split(b"\r\n"))
    body = stdout.read(int(fields[b"Content-Length"]))
    message = json.loads(body)
    assert isinstance(message, dict) and message.get("jsonrpc") == "2.0", message
    return message
