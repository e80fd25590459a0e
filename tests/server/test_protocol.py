"""Protocol conformance: whatever the client writes, a request that was framed correctly
gets exactly one answer, and the server goes on answering. A Content-Length too short or
too long, bytes that are no header, a length above the limit, params of the wrong shape,
requests before `initialize` or after `shutdown`; `exit` ends the process with 0 only
after `shutdown`.

The frame decoder is tested in-process first. `WireClient` then writes raw bytes to a real
`wct lsp` and reads its framed answers; every wait has a timeout, so a server that stops
answering fails the test instead of hanging it."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from waivern_lsp.serve import create_server
from waivern_lsp.transport import MAX_BODY, Frame, FrameDecoder, FramingFault
from wire_client import TIMEOUT, Message, WireClient, encode, frame

EXAMPLES = Path(__file__).parents[2] / "examples"
RUNBOOK = (EXAMPLES / "customer_scan" / "runbook.yaml").read_text(encoding="utf-8")

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
SERVER_NOT_INITIALIZED = -32002
INTERNAL_ERROR = -32603
CANCELLED = -32800


# -- the decoder, in-process ---------------------------------------------------------------


def decode(*pieces: bytes, max_body: int = MAX_BODY) -> list[Frame | FramingFault]:
    decoder = FrameDecoder(max_body)
    items: list[Frame | FramingFault] = []
    for piece in pieces:
        decoder.feed(piece)
        while (item := decoder.next()) is not None:
            items.append(item)
    return items


def test_frames_are_the_same_whatever_pieces_the_input_comes_in() -> None:
    stream = frame(b'{"a": 1}') + b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"
    stream += b"content-length: 7\r\n\r\n[1,2,3]" + frame(b'\xc3\xa9"\xc3\xa9"')
    expected = [Frame(b'{"a": 1}'), Frame(b"[1,2,3]"), Frame(b'\xc3\xa9"\xc3\xa9"')]
    assert decode(stream) == expected
    assert decode(*(stream[i : i + 1] for i in range(len(stream)))) == expected


def test_bytes_that_are_no_header_are_skipped_to_the_next_content_length() -> None:
    garbage = b"\x00\xff\x13 binary, no newline"
    items = decode(garbage[:10], garbage[10:] + b"Content-Len", b"gth: 2\r\n\r\n{}")
    assert items == [FramingFault("bytes that are not a header"), Frame(b"{}")]


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (b"Content-Length: twelve\r\n\r\n", "Content-Length is not a number: twelve"),
        (b"Content-Length: -2\r\n\r\n", "Content-Length is not a number: -2"),
        (b"Content-Type: application/json\r\n\r\n", "a header without Content-Length"),
        (b"Content-Length: 2\r\nnot a header\r\n\r\n", "not `Name: value`: not a header"),
        (b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n", "two different Content-Length"),
        (b"Content-Length: 2\n\n", "not `Name: value`: Content-Length: 2\\n"),
    ],
)
def test_a_bad_header_is_one_fault_then_the_next_frame_is_read(header: bytes, reason: str) -> None:
    [fault, after] = decode(header + b"{}" + frame(b"[]"))
    assert isinstance(fault, FramingFault) and reason in fault.reason
    assert after == Frame(b"[]")


def test_a_length_above_the_limit_is_refused_before_its_body_arrives() -> None:
    decoder = FrameDecoder(max_body=1000)
    decoder.feed(b"Content-Length: 99999999999999\r\n\r\n")
    fault = decoder.next()
    assert isinstance(fault, FramingFault) and "above the limit of 1000 bytes" in fault.reason
    assert decoder.pending == 0
    decoder.feed(b'{"jsonrpc": "2.0", "id": 1, "method": "shutdown"}' + frame(b"{}"))
    assert decoder.next() == Frame(b"{}")  # the refused body is skipped, unread


# -- the protocol's rules, in-process --------------------------------------------------------


class Answers:
    """A writer for the protocol that keeps what it writes, decoded."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def write(self, data: bytes) -> None:
        self.messages.append(json.loads(data.split(b"\r\n\r\n", 1)[1]))

    def close(self) -> None:
        pass

    def last_error(self) -> tuple[object, int]:
        message = self.messages[-1]
        return message["id"], message["error"]["code"]


def test_the_session_rules_in_process() -> None:
    protocol = create_server().protocol
    answers = Answers()
    protocol.set_writer(answers)

    def request(msg_id: object, method: str, params: object = None) -> None:
        protocol.receive({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})

    request(1, "textDocument/documentSymbol", {"textDocument": {"uri": "file:///r.yaml"}})
    assert answers.last_error() == (1, SERVER_NOT_INITIALIZED)
    request(2, "initialize", {"rootUri": None})  # no capabilities
    assert answers.last_error() == (2, INVALID_PARAMS)
    request(3, "initialize", {"capabilities": {}})
    assert "capabilities" in answers.messages[-1]["result"]
    request(4, "initialize", {"capabilities": {}})
    assert answers.last_error() == (4, INVALID_REQUEST)
    request(5, "textDocument/hover", {"textDocument": {"uri": "file:///r.yaml"}})
    assert answers.last_error() == (5, INVALID_PARAMS)
    request(6, "shutdown")
    assert answers.messages[-1] == {"jsonrpc": "2.0", "id": 6, "result": None}
    request("7", "textDocument/documentSymbol", {"textDocument": {"uri": "file:///r.yaml"}})
    assert answers.last_error() == ("7", INVALID_REQUEST)
    protocol.receive({"jsonrpc": "2.0", "method": "exit"})
    assert protocol.exit_code == 0
    assert len(answers.messages) == 7


def test_an_answer_that_cannot_be_written_is_an_internal_error() -> None:
    server = create_server()
    server.feature("waivern/opaque")(lambda params: object())
    answers = Answers()
    server.protocol.set_writer(answers)
    server.protocol.receive(
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}
    )
    server.protocol.receive({"jsonrpc": "2.0", "id": 2, "method": "waivern/opaque"})
    assert answers.last_error() == (2, INTERNAL_ERROR)


# -- a real server, written to byte by byte ------------------------------------------------


@pytest.fixture
def raw(tmp_path: Path) -> Iterator[WireClient]:
    """A `wct lsp` process, not initialized."""
    client = WireClient(tmp_path)
    yield client
    client.close()


@pytest.fixture
def wire(raw: WireClient) -> WireClient:
    """A `wct lsp` process, initialized."""
    raw.initialize()
    return raw


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WireClient]:
    """One initialized `wct lsp` process for the tests that only ask and read answers."""
    client = WireClient(tmp_path_factory.mktemp("shared"))
    client.initialize()
    yield client
    client.close()


def hover_request(msg_id: object, uri: str, line: int = 2, character: int = 4) -> bytes:
    position = {"line": line, "character": character}
    params = {"textDocument": {"uri": uri}, "position": position}
    return encode(
        {"jsonrpc": "2.0", "id": msg_id, "method": "textDocument/hover", "params": params}
    )


# -- framing faults --------------------------------------------------------------------------


def test_a_content_length_10_bytes_short_is_a_parse_error_then_the_server_answers(
    wire: WireClient,
) -> None:
    uri = wire.open("runbook.yaml", RUNBOOK)
    expected = wire.symbols(uri)
    damaged = hover_request("damaged", uri)
    wire.send_raw(frame(damaged, len(damaged) - 10))
    assert wire.symbols(uri) == expected
    assert wire.null_id_errors() == [PARSE_ERROR]
    assert "damaged" not in wire.answers
    assert "framing error" in wire.stderr()


def test_a_content_length_40_bytes_long_loses_no_message_after_it(wire: WireClient) -> None:
    uri = wire.open("runbook.yaml", RUNBOOK)
    expected = wire.symbols(uri)
    damaged = hover_request("damaged", uri)
    following = {"jsonrpc": "2.0", "id": "next", "method": "textDocument/documentSymbol"}
    following["params"] = {"textDocument": {"uri": uri}}
    wire.send_raw(frame(damaged, len(damaged) + 40) + frame(encode(following)))
    assert wire.answer("next")["result"] == expected
    assert wire.null_id_errors() == [PARSE_ERROR]
    assert "damaged" not in wire.answers


def test_random_bytes_without_a_newline_are_skipped(wire: WireClient) -> None:
    uri = wire.open("runbook.yaml", RUNBOOK)
    expected = wire.symbols(uri)
    garbage = random.Random(16).randbytes(4000).replace(b"\n", b"")
    wire.send_raw(garbage)
    assert wire.symbols(uri) == expected
    assert wire.null_id_errors() == []
    assert wire.stderr().count("framing error") == 1


def test_a_content_length_above_64_mib_is_refused_without_reading_it(wire: WireClient) -> None:
    uri = wire.open("runbook.yaml", RUNBOOK)
    expected = wire.symbols(uri)
    wire.send_raw(b"Content-Length: 99999999999999\r\n\r\n" + hover_request("huge", uri))
    assert wire.symbols(uri) == expected
    wire.send_raw(b"Content-Length: %d\r\n\r\n" % (MAX_BODY + 1))
    assert wire.symbols(uri) == expected
    refusals = [line for line in wire.stderr().splitlines() if "above the limit" in line]
    assert len(refusals) == 2 and "99999999999999" in refusals[0]
    assert "huge" not in wire.answers
    assert wire.process.poll() is None


# -- messages that are not JSON-RPC, params that do not fit ---------------------------------


def test_bodies_that_are_not_json_rpc_requests_are_answered_with_id_null(
    wire: WireClient,
) -> None:
    bodies = [b"{not json", b"\xff\xfe", b"[]", b"[1, 2]", b"42", b'"text"', b"{}"]
    bodies += [b'{"jsonrpc": "2.0", "method": 7}', b'{"jsonrpc": "2.0", "id": 1.5, "method": "x"}']
    bodies += [b'{"jsonrpc": "2.0", "id": true, "method": "x"}', b"[" * 100_000]
    for body in bodies:
        wire.send_raw(frame(body))
    wire.wait_for(lambda: len(wire.answers.get(None, [])) == len(bodies), "every answer")
    codes = wire.null_id_errors()
    assert codes == [PARSE_ERROR] * 2 + [INVALID_REQUEST] * 8 + [PARSE_ERROR]


def test_requests_that_are_not_json_rpc_are_answered_with_their_id(shared: WireClient) -> None:
    shared.send({"jsonrpc": "1.0", "id": "old", "method": "textDocument/hover"})
    shared.send({"id": "bare", "method": "textDocument/hover"})
    shared.send({"jsonrpc": "2.0", "id": "nothing"})
    shared.send({"jsonrpc": "2.0", "id": "notification", "method": "textDocument/didSave"})
    for msg_id in ("old", "bare", "nothing", "notification"):
        assert shared.answer(msg_id)["error"]["code"] == INVALID_REQUEST
    assert shared.error("waivern/nonsense", {})["code"] == METHOD_NOT_FOUND


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ([1, 2], "$.params.textDocument"),
        (None, "expected HoverParams"),
        ({"x": 1}, "required field missing"),
        ({"textDocument": "runbook.yaml", "position": {}}, "$.params.textDocument.uri"),
        ({"position": {"line": -1, "character": 0}}, "should be in range"),
        ({"position": {"line": 2**31, "character": 0}}, "but was 2147483648"),
        ({"position": {"line": "three", "character": 0}}, "$.params.position.line"),
        ({"position": {"line": 1, "character": 2**64}}, "$.params.position"),
    ],
)
def test_invalid_params_are_answered_with_invalid_params(
    shared: WireClient, params: object, says: str
) -> None:
    uri = shared.open("runbook.yaml", RUNBOOK)
    if isinstance(params, dict) and "position" in params and "textDocument" not in params:
        params = {"textDocument": {"uri": uri}, **params}
    error = shared.error("textDocument/hover", params)
    assert error["code"] == INVALID_PARAMS
    assert error["message"].startswith("textDocument/hover: invalid params: ")
    assert says in error["message"]
    assert len(error["message"]) < 300
    assert shared.symbols(uri)
    assert "Traceback" not in shared.stderr()


def test_a_notification_with_bad_params_is_dropped_with_one_log_line(wire: WireClient) -> None:
    wire.notify("textDocument/didOpen", [1])
    wire.notify("textDocument/didChange", {"textDocument": {"uri": 5}})
    uri = wire.open("runbook.yaml", RUNBOOK)
    assert wire.symbols(uri)
    dropped = [line for line in wire.stderr().splitlines() if "dropped" in line]
    assert len(dropped) == 2 and all("invalid params" in line for line in dropped)
    assert "Traceback" not in wire.stderr()


def test_a_failing_command_is_an_error_without_a_traceback(shared: WireClient) -> None:
    error = shared.error("workspace/executeCommand", {"command": "waivern.nonsense"})
    assert error["code"] == INVALID_PARAMS
    assert "Traceback" not in shared.stderr()


# -- the session's order ----------------------------------------------------------------------


def test_requests_before_initialize_are_refused_and_notifications_dropped(
    raw: WireClient,
) -> None:
    hover = {"textDocument": {"uri": (raw.root / "r.yaml").as_uri()}}
    hover["position"] = {"line": 0, "character": 0}
    assert raw.error("textDocument/hover", hover)["code"] == SERVER_NOT_INITIALIZED
    assert raw.error("shutdown")["code"] == SERVER_NOT_INITIALIZED
    raw.notify("textDocument/didOpen", {"textDocument": {}})
    assert "capabilities" in raw.initialize()
    uri = raw.open("runbook.yaml", RUNBOOK)
    assert raw.symbols(uri)
    assert "textDocument/didOpen dropped: before initialize" in raw.stderr()


def test_a_second_initialize_is_refused(wire: WireClient) -> None:
    assert wire.error("initialize", {"capabilities": {}})["code"] == INVALID_REQUEST


def test_requests_after_shutdown_are_invalid_and_exit_then_exits_0(wire: WireClient) -> None:
    uri = wire.open("runbook.yaml", RUNBOOK)
    assert wire.result("shutdown") is None
    error = wire.error("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert error["code"] == INVALID_REQUEST
    assert wire.error("shutdown")["code"] == INVALID_REQUEST
    assert wire.exit() == 0


def test_exit_without_shutdown_exits_1(wire: WireClient) -> None:
    assert wire.exit() == 1


def test_exit_before_initialize_exits_1(raw: WireClient) -> None:
    assert raw.exit() == 1


def test_an_answer_to_a_request_shutdown_cancelled_is_dropped(raw: WireClient) -> None:
    raw.hold_requests = True  # a client that answers the server's requests late
    capabilities = {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}}
    raw.result("initialize", {"processId": None, "capabilities": capabilities})
    raw.notify("initialized", {})
    asked = raw.held_request("client/registerCapability")

    assert raw.result("shutdown") is None  # cancels what the server still waits for
    raw.send({"jsonrpc": "2.0", "id": asked["id"], "result": None})

    assert raw.exit() == 0
    assert "Traceback" not in raw.stderr()


def test_hanging_up_after_shutdown_exits_0(wire: WireClient) -> None:
    assert wire.result("shutdown") is None
    wire.stdin.close()
    assert wire.process.wait(TIMEOUT) == 0


# -- everything at once ---------------------------------------------------------------------

WEIRD_NUMBERS: list[object] = [-1, 2**31, 2**31 - 1, 2**64, 1e308, -0.0, 1.5, "7", None, True]
REQUESTS = [
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/documentSymbol",
    "textDocument/definition",
]
OTHER_METHODS: list[object] = [
    *REQUESTS,
    "initialize",
    "textDocument/codeLens",
    "textDocument/inlayHint",
    "textDocument/didSave",  # a notification, sent with an id
    "waivern/nope",
    "$/unknown",
    "",
    42,
    None,
]


class Fuzz:
    """Messages for the fuzz test, each with the promise it carries: `must` holds the ids
    that must be answered exactly once, `may` those of damaged frames (at most once)."""

    def __init__(self, seed: int, uri: str, text: str) -> None:
        self.rng = random.Random(seed)
        self.uri = uri
        self.lines = text.split("\n")
        self.ids = itertools.count(1)
        self.must: set[object] = set()
        self.may: set[object] = set()

    def valid(self) -> Message:
        line = self.rng.randrange(len(self.lines))
        position = {"line": line, "character": self.rng.randrange(len(self.lines[line]) + 3)}
        method = self.rng.choice(REQUESTS)
        params: Message = {"textDocument": {"uri": self.uri}}
        if method != "textDocument/documentSymbol":
            params["position"] = position
        return {"jsonrpc": "2.0", "id": f"v{next(self.ids)}", "method": method, "params": params}

    def mutated(self) -> object:
        rng = self.rng
        if rng.random() < 0.1:
            return self.json_value(3)
        message = self.valid()
        message["id"] = f"m{next(self.ids)}"
        for _ in range(rng.randint(1, 3)):
            params = message.get("params")
            choice = rng.randrange(9)
            if choice == 0:
                message["params"] = self.json_value(3)
            elif choice == 1 and isinstance(params, dict):
                position = params.setdefault("position", {})
                if isinstance(position, dict):
                    position[rng.choice(["line", "character"])] = rng.choice(WEIRD_NUMBERS)
            elif choice == 2 and isinstance(params, dict):
                weird_uri = rng.choice([5, None, "", "not a uri", "file:///nowhere/x.yaml"])
                params["textDocument"] = {"uri": weird_uri}
            elif choice == 3:
                message.pop(rng.choice(["jsonrpc", "method", "params", "id"]), None)
            elif choice == 4:
                message["method"] = rng.choice(OTHER_METHODS)
            elif choice == 5:
                message["jsonrpc"] = rng.choice(["1.0", 2.0, None])
            elif choice == 6:
                weird_ids = [1.5, True, None, [], {}, 2**70 + next(self.ids), -next(self.ids)]
                message["id"] = rng.choice(weird_ids)
            elif choice == 7:
                message["result"] = self.json_value(1)
                if rng.random() < 0.5:
                    message.pop("method", None)  # a response from the client
            elif choice == 8 and isinstance(params, dict):
                params[rng.choice(["extra", "workDoneToken", "context"])] = self.json_value(2)
        return message

    def json_value(self, depth: int) -> object:
        rng = self.rng
        kind = rng.randrange(8 if depth > 0 else 6)
        if kind == 0:
            return None
        if kind == 1:
            return rng.choice([True, False])
        if kind == 2:
            return rng.choice([0, -1, 2**31, 2**63, 10**30, rng.randint(-1000, 1000)])
        if kind == 3:
            return rng.choice([0.5, -1e308, 1e-300])
        if kind in (4, 5):
            return "".join(rng.choice('aé"\\\n{}:\x00 ') for _ in range(rng.randrange(12)))
        if kind == 6:
            return [self.json_value(depth - 1) for _ in range(rng.randrange(4))]
        keys = ["textDocument", "position", "uri", "line", "x", "params", "id"]
        return {rng.choice(keys): self.json_value(depth - 1) for _ in range(rng.randrange(4))}

    def notification(self) -> Message:
        method = self.rng.choice(
            ["textDocument/didChange", "textDocument/didSave", "$/setTrace", "waivern/nope"]
        )
        if self.rng.random() < 0.3 and self.must:
            target = self.rng.choice(sorted(self.must, key=str))
            return {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": target}}
        return {"jsonrpc": "2.0", "method": method, "params": self.json_value(2)}

    def fault(self) -> bytes:
        rng = self.rng
        damaged = self.valid()
        damaged["id"] = f"d{next(self.ids)}"
        self.may.add(damaged["id"])
        body = encode(damaged)
        kind = rng.randrange(7)
        if kind == 0:
            return frame(body, len(body) - rng.randint(1, 10))
        if kind == 1:
            return frame(body, len(body) + rng.randint(1, 40))
        if kind == 2:
            return rng.randbytes(rng.randint(1, 300)).replace(b"\n", b"")
        if kind == 3:
            return b"Content-Length: %d\r\n\r\n" % rng.choice([MAX_BODY + 1, 10**14]) + body
        if kind == 4:
            return b"Content-Length: %d\n\n" % len(body) + body
        if kind == 5:
            return b"Content-Type: application/json\r\n\r\n" + body
        return b"Content-Length: x%d\r\n\r\n" % len(body) + body

    def framed(self, message: object) -> bytes:
        if answerable(message):
            assert isinstance(message, dict)
            self.must.add(message["id"])
        return frame(encode(message))


def answerable(message: object) -> bool:
    """Does JSON-RPC ask for an answer to this message: an object with an integer or
    string id that is not a response (`result`/`error` without `method`)?"""
    if not isinstance(message, dict):
        return False
    msg_id = message.get("id")
    if not isinstance(msg_id, (int, str)) or isinstance(msg_id, bool):
        return False
    return "method" in message or not ("result" in message or "error" in message)


def test_fuzz_every_request_framed_correctly_is_answered_exactly_once(
    wire: WireClient,
) -> None:
    uri = wire.open("runbook.yaml", RUNBOOK)
    expected = wire.symbols(uri)
    fuzz = Fuzz(20261206, uri, RUNBOOK)
    rng = fuzz.rng
    sent = 0
    for _ in range(500):
        stream = b""
        for _ in range(rng.randint(6, 16)):
            roll = rng.random()
            if roll < 0.3:
                stream += fuzz.framed(fuzz.valid())
            elif roll < 0.75:
                stream += fuzz.framed(fuzz.mutated())
            elif roll < 0.85:
                stream += fuzz.framed(fuzz.notification())
            else:
                stream += fuzz.fault()
            sent += 1
        while stream:  # in pieces, so frames straddle the reads
            cut = rng.randint(1, 4096)
            wire.send_raw(stream[:cut])
            stream = stream[cut:]
        assert wire.symbols(uri) == expected  # after any faults: answered, and rightly
    assert sent > 5000

    wire.wait_for(lambda: fuzz.must <= wire.answers.keys(), "answers to every request")
    with wire.arrived:
        answered = {msg_id: len(answers) for msg_id, answers in wire.answers.items()}
    assert {msg_id for msg_id in fuzz.must if answered[msg_id] != 1} == set()
    assert {msg_id for msg_id in fuzz.may if answered.get(msg_id, 0) > 1} == set()
    valid = [wire.answers[msg_id][0] for msg_id in fuzz.must if str(msg_id).startswith("v")]
    refused = [a for a in valid if a.get("error", {}).get("code", CANCELLED) != CANCELLED]
    assert refused == []
    probes = set(range(1, next(wire.ids)))
    unasked = set(answered) - fuzz.must - fuzz.may - probes - {None}
    assert unasked == set()
    assert wire.result("shutdown") is None
    assert wire.exit() == 0
    assert "Traceback" not in wire.stderr()
