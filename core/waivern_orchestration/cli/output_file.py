"""Files `wct` writes for other programs (`wct export -o`, `wct run -o`): written whole or
not at all. The text goes to a temporary file in the same folder, which then replaces the
target (`os.replace`, atomic on one file system): a CI job never reads half a file, and a
failed write leaves an earlier file as it was."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO

NEW_FILE_MODE = 0o644


class OutputFileError(Exception):
    """The file cannot be written: one line for the user."""


@contextmanager
def replaced_atomically(path: Path) -> Iterator[TextIO]:
    """A text stream whose content becomes ``path`` once the block ends without an
    exception; OutputFileError when the file cannot be written."""
    folder = path.parent
    check_folder(path)
    if path.is_dir():
        raise OutputFileError(f"cannot write {path}: it is a folder")
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else NEW_FILE_MODE
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise OutputFileError(f"cannot write {path}: {_reason(error)}") from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as error:
        with suppress(OSError):
            os.unlink(temporary)
        raise OutputFileError(f"cannot write {path}: {_reason(error)}") from None
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


def check_folder(path: Path) -> None:
    """OutputFileError when the folder ``path`` would be written in does not exist (said
    before a long run, not after it)."""
    if not path.parent.is_dir():
        raise OutputFileError(f"cannot write {path}: the folder {path.parent} does not exist")


def _reason(error: OSError) -> str:
    return error.strerror or str(error)
