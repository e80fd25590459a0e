"""What can go wrong with the run store's file, said in one line: which store, what is
wrong, what to do. Every SQLite, I/O and data error of a store operation becomes one
`StoreError` here, so every command prints one line and exits 2 instead of a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import sqlite3
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import Concatenate, ParamSpec, Protocol, TypeVar


class StoreError(Exception):
    """A problem with the store a user can act on (one clear line)."""


class StoreGone(StoreError):
    """The store's file was removed or replaced while a process used it."""


def store_fault(error: BaseException, directory: Path, file_name: str) -> StoreError:
    """The one line for an error that came out of the store at ``directory``."""
    path = directory / file_name
    detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    where = f"the run store at {directory}"
    aside = f"move {path} aside (a new store is made in its place), or restore it from a backup"
    if isinstance(error, json.JSONDecodeError | UnicodeDecodeError):
        return StoreError(f"{where} holds damaged data ({detail}): {aside}")
    if isinstance(error, OSError):
        if error.errno == errno.ENOSPC:
            return StoreError(f"{where} cannot be written: the disk is full")
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return StoreError(f"{where} cannot be used: {detail}")
        return StoreError(f"{where} cannot be used: {detail}")
    lowered = detail.lower()
    if "disk is full" in lowered or "database or disk is full" in lowered:
        return StoreError(f"{where} cannot be written: the disk is full ({detail})")
    if "readonly" in lowered or "read-only" in lowered:
        return StoreError(
            f"{where} cannot be written: it is read-only ({detail}); make it writable, "
            "or choose another folder with --store"
        )
    if "no such column" in lowered or "no such table" in lowered or "has no column" in lowered:
        return StoreError(
            f"{where} does not have the tables its schema version says ({detail}): {aside}"
        )
    if "not a database" in lowered or "malformed" in lowered or "encrypted" in lowered:
        return StoreError(f"{where} is damaged or is not a run store ({detail}): {aside}")
    if "unable to open" in lowered:
        return StoreError(
            f"{where} cannot be opened ({detail}): {path} must be a file this user can read "
            "and write, in a folder it can write"
        )
    if "locked" in lowered or "busy" in lowered:
        return StoreError(f"{where} is busy: another process holds it ({detail}); try again")
    return StoreError(f"{where} failed: {detail}")


class _HasStore(Protocol):
    directory: Path
    path: Path


_Store = TypeVar("_Store", bound=_HasStore)
_Params = ParamSpec("_Params")
_Result = TypeVar("_Result")


def guarded(
    method: Callable[Concatenate[_Store, _Params], _Result],
) -> Callable[Concatenate[_Store, _Params], _Result]:
    """A store method whose SQLite, I/O and data errors become one StoreError."""

    def call(store: _Store, /, *args: _Params.args, **kwargs: _Params.kwargs) -> _Result:
        try:
            return method(store, *args, **kwargs)
        except StoreError:
            raise
        except (sqlite3.Error, OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
            raise store_fault(error, store.directory, store.path.name) from None

    return wraps(method)(call)


@contextlib.contextmanager
def creation_lock(directory: Path, name: str, *, shared: bool = False) -> Iterator[None]:
    """Held while a store file is created (and by whoever finds it empty), so that an
    empty file seen under it is really empty, never one another process is creating."""
    with open(directory / f"{name}.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def is_empty_file(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size == 0
    except OSError:
        return False
