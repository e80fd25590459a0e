"""Reading a runbook file with bounded memory: its size is checked before it is read (a
regular file) or while it is read (a pipe, a FIFO, a device such as `/dev/zero`), so a
1 GiB file or an endless stream costs at most the limit, never its own size."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from waivern_orchestration.parse.yaml_tree import DEFAULT_LIMITS

_CHUNK = 1 << 20
_UTF8_MAX = 4  # bytes a character can take


class RunbookTooLarge(ValueError):
    """The file holds more than the parser would accept."""

    def __init__(self, path: Path, limit: int, size: int | None) -> None:
        self.path = path
        self.limit = limit
        self.size = size  # None when it is a stream, read only up to the limit
        super().__init__(self.message)

    @property
    def message(self) -> str:
        what = (
            f"the file is {self.size:,} bytes, over the limit of {self.limit:,} characters"
            if self.size is not None
            else f"the input goes past the limit of {self.limit:,} characters"
        )
        return f"document refused: {what}; split the runbook into child runbooks"


def read_runbook(
    path: Path, limit: int = DEFAULT_LIMITS.max_chars, *, regular_only: bool = False
) -> str:
    """The file's text. Raises OSError (missing, a directory, unreadable), UnicodeDecodeError,
    or RunbookTooLarge when it holds more bytes than ``limit`` characters can take in UTF-8
    (four each: no text the parser would take is refused here; the parser counts the
    characters of what is read).

    ``regular_only`` refuses anything but a regular file without waiting on it (a FIFO
    named as a child runbook must not hang an analysis): what a user names on the command
    line may be a pipe (`wct validate <(generate)`), what a runbook names may not."""
    most = limit * _UTF8_MAX
    descriptor = os.open(path, os.O_RDONLY | (os.O_NONBLOCK if regular_only else 0))
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
        if regular_only and not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if stat.S_ISREG(status.st_mode) and status.st_size > most:
            raise RunbookTooLarge(path, limit, status.st_size)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = file.read(min(_CHUNK, most + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > most:
                size = status.st_size if stat.S_ISREG(status.st_mode) else None
                raise RunbookTooLarge(path, limit, size)
    text = b"".join(chunks).decode("utf-8")
    if "\r" in text:  # as reading in text mode does: every line break becomes `\n`
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_runbook_or_none(path: Path) -> str | None:
    """The file's text, or None when it cannot be read as a runbook for any reason."""
    try:
        return read_runbook(path, regular_only=True)
    except (OSError, UnicodeDecodeError, RunbookTooLarge):
        return None
