"""The wire: LSP's base protocol on stdin/stdout, in place of pygls' reader.

Input is read in bounded chunks and cut into frames (`Content-Length: N`, an empty line,
N bytes of body) by `FrameDecoder`, which trusts no header: a header block that is not
`Name: value` lines, lacks a usable Content-Length or is longer than `MAX_HEADER`, or a
length above `MAX_BODY`, is a `FramingFault` (one log line), and decoding resumes at the
next `Content-Length:` header. A body that is not JSON is answered with a parse error
(id null); when it is a JSON value followed by more (the length was too long), decoding
resumes right after the value, so the messages that followed are not lost. Each parsed
body goes to `WaivernProtocol.receive`; `serve_stdio` returns the process exit code once
the client sends `exit` or hangs up."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sys
import threading
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from lsprotocol import types as lsp

from waivern_lsp.protocol import Phase, WaivernProtocol

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024 * 1024  # a larger Content-Length is refused before any byte is kept
MAX_HEADER = 8 * 1024
CHUNK = 64 * 1024

HEADER_START = re.compile(rb"content-length:", re.IGNORECASE)
_TOKEN = rb"[!#$%&'*+.^_`|~0-9A-Za-z-]"
_LINE = _TOKEN + rb"+:[\t\x20-\x7e]*"
HEADER_LINE = re.compile(rb"(" + _TOKEN + rb"+):[ \t]*([\t\x20-\x7e]*?)[ \t]*")
# What the start of a header block may look like before its empty line has arrived.
HEADER_PREFIX = re.compile(rb"(?:" + _LINE + rb"\r\n)*(?:\r|" + _TOKEN + rb"*|" + _LINE + rb"\r?)")


@dataclass(frozen=True)
class Frame:
    body: bytes


@dataclass(frozen=True)
class FramingFault:
    reason: str


class FrameDecoder:
    """Bytes in (`feed`, in any pieces), frames and faults out (`next`)."""

    def __init__(self, max_body: int = MAX_BODY) -> None:
        self.max_body = max_body
        self._buffer = bytearray()
        self._resyncing = False  # discarding input until the next Content-Length header

    @property
    def pending(self) -> int:
        """Bytes received and not yet cut into a frame or skipped."""
        return len(self._buffer)

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def resume_at(self, data: bytes) -> None:
        """Decode `data` (what followed the JSON value of a body that was too long, or a
        header found inside a body that was not JSON) before the rest of the input."""
        self._buffer[:0] = data
        self._resyncing = False

    def next(self) -> Frame | FramingFault | None:
        """The next frame or fault, or None until more input arrives."""
        buffer = self._buffer
        if self._resyncing and not self._skipped_to_header():
            return None
        if not buffer:
            return None
        end = buffer.find(b"\r\n\r\n", 0, MAX_HEADER + 4)
        if end < 0:
            if len(buffer) > MAX_HEADER:
                return self._fault(f"no end of the header within {MAX_HEADER} bytes", 1)
            if HEADER_PREFIX.fullmatch(buffer) is None:
                return self._fault("bytes that are not a header", 1)
            return None
        start = end + 4
        headers: list[re.Match[bytes]] = []
        for line in bytes(buffer[:end]).split(b"\r\n"):
            if (header := HEADER_LINE.fullmatch(line)) is None:
                # not a header at all: a header may still begin inside it
                return self._fault(f"a header line that is not `Name: value`: {_shown(line)}", 1)
            headers.append(header)
        length = _content_length(headers)
        if isinstance(length, str):
            return self._fault(length, start)  # a header, unusable: skip it whole
        if length > self.max_body:
            return self._fault(
                f"Content-Length {length} is above the limit of {self.max_body} bytes; "
                "message skipped",
                start,
            )
        if len(buffer) < start + length:
            return None
        body = bytes(buffer[start : start + length])
        del buffer[: start + length]
        return Frame(body)

    def _skipped_to_header(self) -> bool:
        match = HEADER_START.search(self._buffer)
        if match is None:
            # keep what may be the beginning of a header cut by the end of the chunk
            del self._buffer[: max(0, len(self._buffer) - len(HEADER_START.pattern) + 1)]
            return False
        del self._buffer[: match.start()]
        self._resyncing = False
        return True

    def _fault(self, reason: str, skip: int) -> FramingFault:
        del self._buffer[:skip]
        self._resyncing = True
        return FramingFault(reason)


def _content_length(headers: list[re.Match[bytes]]) -> int | str:
    """The Content-Length of a header's `Name: value` lines, or what is wrong with it."""
    length: int | None = None
    for header in headers:
        name, value = header.groups()
        if name.lower() != b"content-length":
            continue  # Content-Type: only UTF-8 JSON is spoken
        if not value.isdigit():
            return f"Content-Length is not a number: {_shown(value)}"
        # 19 digits and more are above any limit: do not even convert them
        number = int(value) if len(value) < 19 else sys.maxsize
        if length is not None and number != length:
            return "two different Content-Length headers"
        length = number
    if length is None:
        return "a header without Content-Length"
    return length


def _shown(data: bytes) -> str:
    text = repr(data[:40])[2:-1]
    return text + ("…" if len(data) > 40 else "")


# -- stdio ----------------------------------------------------------------------------


class ChunkReader(Protocol):
    def read1(self, size: int = ..., /) -> bytes: ...


class DescriptorReader:
    """Reads of a file descriptor, unbuffered. (A read blocked in `sys.stdin.buffer`
    holds its lock, and the interpreter aborts at exit when it cannot take it.)"""

    def __init__(self, descriptor: int) -> None:
        self.descriptor = descriptor

    def read1(self, size: int = CHUNK, /) -> bytes:
        return os.read(self.descriptor, size)


class FrameWriter:
    """pygls' writer: each frame written whole, under a lock (a response can come from
    a worker thread), and flushed."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def write(self, data: bytes) -> None:
        with self._lock:
            self._stream.write(data)
            self._stream.flush()

    def write_parts(self, parts: Sequence[bytes]) -> None:
        """One frame whose body is ``parts`` in order, written without joining them (a
        large publish is hundreds of kilobytes: each copy costs)."""
        with self._lock:
            self._stream.write(b"Content-Length: %d\r\n\r\n" % sum(map(len, parts)))
            for part in parts:
                self._stream.write(part)
            self._stream.flush()

    def close(self) -> None:
        with self._lock:
            self._stream.close()


def serve_stdio(
    protocol: WaivernProtocol, stdin: ChunkReader | None = None, stdout: BinaryIO | None = None
) -> int:
    """Serve until `exit` or the end of input; the process exit code."""
    reader = stdin if stdin is not None else DescriptorReader(sys.stdin.fileno())
    protocol.set_writer(FrameWriter(stdout if stdout is not None else sys.stdout.buffer))
    try:
        return asyncio.run(_serve(protocol, reader))
    except BrokenPipeError:
        log.error("the client closed the connection")
        return 1


async def _serve(protocol: WaivernProtocol, stdin: ChunkReader) -> int:
    decoder = FrameDecoder()
    async for chunk in _chunks(stdin):
        decoder.feed(chunk)
        while (item := decoder.next()) is not None:
            if isinstance(item, FramingFault):
                log.warning(
                    "framing error: %s; reading on from the next Content-Length header", item.reason
                )
                continue
            try:
                _deliver(protocol, decoder, item.body)
            except Exception as error:  # a bug of ours: one message lost, never the session
                log.error("a message could not be handled: %s", _first_line(error))
                log.debug("the failure", exc_info=error)
            if protocol.phase is Phase.EXITED:
                return protocol.exit_code
    if decoder.pending:
        log.warning("the input ended inside a message (%d bytes)", decoder.pending)
    log.info("the client hung up without exit")
    return protocol.exit_code


def _deliver(protocol: WaivernProtocol, decoder: FrameDecoder, body: bytes) -> None:
    try:
        message = json.loads(body)
    except (ValueError, RecursionError) as error:
        log.warning("a message of %d bytes is not JSON (%s)", len(body), _first_line(error))
        protocol.reply_error(None, lsp.ErrorCodes.ParseError, "Parse error: the body is not JSON")
        if (overshoot := _after_json(body)) is not None:
            decoder.resume_at(overshoot)  # the length was too long: what follows is not lost
        elif (header := HEADER_START.search(body)) is not None:
            decoder.resume_at(body[header.start() :])
        return
    protocol.receive(message)


def _after_json(body: bytes) -> bytes | None:
    """The bytes after a complete JSON value that begins the body, if it does."""
    text = body.decode("utf-8", "surrogateescape")
    start = len(text) - len(text.lstrip())
    try:
        _, end = json.JSONDecoder().raw_decode(text, start)
    except (ValueError, RecursionError):
        return None
    return body[len(text[:end].encode("utf-8", "surrogateescape")) :]


def _first_line(error: BaseException) -> str:
    return str(error).split("\n", 1)[0][:120] or type(error).__name__


async def _chunks(stdin: ChunkReader) -> AsyncIterator[bytes]:
    """Chunks of at most CHUNK bytes as they arrive. A daemon thread reads: a read blocked
    on an idle pipe must not keep the process alive after `exit`."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=4)  # reads stay a little ahead

    def read() -> None:
        chunk = b"-"
        while chunk:
            try:
                chunk = stdin.read1(CHUNK)
            except (OSError, ValueError):
                chunk = b""
            try:
                asyncio.run_coroutine_threadsafe(queue.put(chunk), loop).result()
            except Exception:  # the loop has finished
                return

    threading.Thread(target=read, name="lsp-stdin", daemon=True).start()
    while chunk := await queue.get():
        yield chunk
