"""`paused_collector()`: the cyclic garbage collector off while analyses run.

An analysis allocates hundreds of thousands of small objects that the collector would
scan over and over while they are built, freeing nothing (reference counting frees
them). Pausing it is a process-wide decision, so the library never takes it: the
programs that run analyses (`wct validate`, the language server's analysis thread, the
benchmarks) choose to wrap them in this context manager.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def paused_collector() -> Iterator[None]:
    """The collector stays off while any caller is inside (pauses may overlap across
    threads); it is restored when the last one leaves.

    Afterwards the new objects would all sit in the youngest generation, and the first
    collection would scan every one of them at once. They are moved to the oldest
    generation instead (`freeze` then `unfreeze`, which scans nothing): cyclic garbage among
    them is still found, by the next full collection. A process that uses the permanent
    generation itself (`gc.freeze` before forking) is left alone."""
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                if gc.get_freeze_count() == 0:
                    gc.freeze()
                    gc.unfreeze()
                gc.enable()
