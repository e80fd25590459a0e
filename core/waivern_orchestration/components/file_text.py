"""Items whose text stays in its file: the run store keeps a reference, not a copy.

A connector that reads files (`filesystem`) gives each item's `content` as a reference:
``{"$file": <absolute path>, "encoding", "size", "sha256"}``, made while it checks the
file (`fingerprint`). Whoever needs the text reads it where it is (`read_text`, or
`text_chunks` for a big file, with overlap so no match is lost at a boundary) and the read
verifies the hash: a file that changed since it was listed is still read as it is now,
with a warning that says so. So the store grows by a few hundred bytes per file, however
big the file, and `reuse`, `wct inspect` and resumes read the same text.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

FILE_KEY = "$file"
# A NUL byte in the first 8 KiB marks a file as binary (the heuristic git and grep use).
BINARY_SNIFF_BYTES = 8192
READ_BYTES = 1 << 20

Warn = Callable[[str], None]


class SkippedFile(Exception):
    """A file that gives no text (binary, unreadable, not text in its encoding): why."""


def is_file_ref(content: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(content, dict) and isinstance(content.get(FILE_KEY), str)


def fingerprint(path: Path | str, relative: str, encoding: str) -> dict[str, Any]:
    """The reference to a text file, made by reading it once in blocks (never whole):
    SkippedFile when it is binary, unreadable or not text in ``encoding``."""
    name = str(path)
    try:
        with open(name, "rb", buffering=0, opener=_regular_file) as handle:
            # A small file (most are) in one read of its size; a big one block by block.
            expected = os.fstat(handle.fileno()).st_size
            block = handle.read(min(expected + 1, READ_BYTES)) or b""
            if b"\x00" in block[:BINARY_SNIFF_BYTES]:
                raise SkippedFile(f"skipped binary file {relative!r}")
            whole = len(block) < READ_BYTES and not (rest := handle.read(1))
            if whole:  # the whole file
                _check_text(block, relative, encoding)
                digest, size = hashlib.sha256(block), len(block)
            else:
                more = rest if len(block) < READ_BYTES else b""
                digest, size = _fingerprint_blocks(handle, block + more, relative, encoding)
    except OSError as error:
        reason = error.strerror or error
        raise SkippedFile(f"skipped unreadable file {relative!r}: {reason}") from None
    return {FILE_KEY: name, "encoding": encoding, "size": size, "sha256": digest.hexdigest()}


def _regular_file(path: str | bytes | os.PathLike[Any], flags: int) -> int:
    """Open ``path`` for reading only if it is a regular file: a FIFO put where a file was
    would block a read forever, a device would never end."""
    descriptor = os.open(path, flags | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.set_blocking(descriptor, True)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _fingerprint_blocks(handle: Any, block: bytes, relative: str, encoding: str) -> tuple[Any, int]:
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(encoding)()
    size = 0
    while block:
        try:
            decoder.decode(block)
        except UnicodeDecodeError as error:
            raise _not_text(relative, encoding, error, size) from None
        digest.update(block)
        size += len(block)
        block = handle.read(READ_BYTES) or b""
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise _not_text(relative, encoding, error, size) from None
    return digest, size


def _check_text(data: bytes, relative: str, encoding: str) -> None:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        raise _not_text(relative, encoding, error, 0) from None


def _not_text(relative: str, encoding: str, error: UnicodeDecodeError, at: int) -> SkippedFile:
    return SkippedFile(
        f"skipped {relative!r}: not {encoding} text ({error.reason} at byte {at + error.start})"
    )


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of a file's text: ``text`` starts at character ``offset`` of the file's
    text; matches that start in ``[core_start, core_end)`` (file positions) belong to this
    chunk, the rest of ``text`` is context shared with the neighbours. ``line`` is the
    number of line breaks before ``offset``."""

    text: str
    offset: int
    core_start: int
    core_end: int
    line: int
    last: bool


def text_chunks(
    ref: dict[str, Any], warn: Warn, *, chunk_chars: int, margin: int
) -> Iterator[Chunk]:
    """The text of a referenced file in chunks of ``chunk_chars`` characters, each with
    ``margin`` characters of context on both sides; the hash is verified at the end."""
    path = Path(ref[FILE_KEY])
    encoding = str(ref.get("encoding") or "utf-8")
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    digest = hashlib.sha256()
    pending = ""  # the file's text from character `start` on
    start = core_start = lines = 0
    first = True
    try:
        with open(path, "rb", opener=_regular_file) as handle:
            while True:
                block = handle.read(READ_BYTES)
                digest.update(block)
                piece = decoder.decode(block, final=not block)
                if first and piece:
                    piece = piece.removeprefix("\ufeff")  # a byte order mark is not content
                    first = False
                pending += piece
                while len(pending) - (core_start - start) >= chunk_chars + margin:
                    core_end = core_start + chunk_chars
                    yield Chunk(pending, start, core_start, core_end, lines, last=False)
                    keep_from = max(core_end - margin, start)
                    lines += pending.count("\n", 0, keep_from - start)
                    pending = pending[keep_from - start :]
                    start, core_start = keep_from, core_end
                if not block:
                    break
    except OSError as error:
        raise SkippedFile(
            f"cannot read {str(path)!r} any more: {error.strerror or error}"
        ) from None
    _verify(ref, digest.hexdigest(), warn)
    yield Chunk(pending, start, core_start, start + len(pending), lines, last=True)


def read_text(ref: dict[str, Any], warn: Warn) -> str:
    """The whole text of a referenced file, as it is now (a warning when it changed)."""
    path = ref[FILE_KEY]
    try:
        with open(path, "rb", buffering=0, opener=_regular_file) as handle:
            data = handle.read()
    except OSError as error:
        raise SkippedFile(f"cannot read {path!r} any more: {error.strerror or error}") from None
    _verify(ref, hashlib.sha256(data).hexdigest(), warn)
    text = data.decode(str(ref.get("encoding") or "utf-8"), errors="replace")
    return text.removeprefix("\ufeff")


def resolved(item: Any, warn: Warn) -> Any:
    """The item with its text in place of a file reference (other items as they are); a
    file that cannot be read any more gives an item without text and a warning."""
    if not (isinstance(item, dict) and is_file_ref(item.get("content"))):
        return item
    try:
        text: str | None = read_text(item["content"], warn)
    except SkippedFile as skipped:
        warn(str(skipped))
        text = None
    return {**item, "content": text}


class ResolvedItems(Sequence[Any]):
    """A list field with its file references read (lazily, one item at a time)."""

    def __init__(self, items: Sequence[Any], warn: Warn) -> None:
        self._items = items
        self._warn = warn

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        for item in self._items:
            yield resolved(item, self._warn)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [resolved(item, self._warn) for item in self._items[index]]
        return resolved(self._items[index], self._warn)


def _verify(ref: dict[str, Any], found: str, warn: Warn) -> None:
    if ref.get("sha256") not in (None, found):
        warn(
            f"{ref[FILE_KEY]!r} changed since it was listed (its SHA-256 differs): read as it "
            "is now"
        )
