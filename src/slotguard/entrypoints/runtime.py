"""Process-wide tuning for the long-running commands (scan, run, sim), called by the
commands once start-up is done — never from the scan itself.

CPython's cyclic garbage collector walks every container object it tracks. After start-up a
slotguard process holds several hundred thousand that live as long as the process (most of
them the SDK's modules), and a scan allocates many short-lived ones (events, requests,
ledger rows), so with the default thresholds collections keep re-walking the start-up
objects. Hence, once start-up is done:

* ``gc.freeze()``: what exists now is moved out of the collector's sight (it is still
  freed by reference counting, as always);
* a higher first-generation threshold, so short-lived objects are mostly gone by refcount
  before a collection ever looks at them.

Cycles are still collected. After each cycle the daemon hands the C heap's free pages back
(``return_free_memory``). bench/cycle.py measures the effect of both.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
from collections.abc import Callable
from typing import cast

GEN0_THRESHOLD = 2_000
GEN1_THRESHOLD = 10
GEN2_THRESHOLD = 10


def settle_heap() -> None:
    """Call once, when start-up is done (settings read, adapters built)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GEN0_THRESHOLD, GEN1_THRESHOLD, GEN2_THRESHOLD)


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return cast(Callable[[int], int], libc.malloc_trim)
    except (OSError, AttributeError):  # not glibc: nothing to ask
        return None


_TRIM = _malloc_trim() if sys.platform.startswith("linux") else None


def return_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``). A
    cycle's working set is freed when it ends, but glibc keeps the pages, so the next
    cycle's peak would start from the last one's; elsewhere this does nothing."""
    if _TRIM is not None:
        _TRIM(0)
