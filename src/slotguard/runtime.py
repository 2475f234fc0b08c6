"""Process-wide tuning for the long-running commands (scan, run, sim).

CPython's cyclic garbage collector walks every container object it tracks. After start-up a
slotguard process holds several hundred thousand of them that live as long as the process
(some 1,100 modules, most of them the SDK's), and a scan allocates many short-lived ones
(events, requests, ledger rows), so with the default thresholds a first cycle at 1,000
sellers spent 16% of its CPU in collections, mostly re-walking the start-up objects, and
the simulator (which holds the whole tenant) 45%. Hence, once start-up is done:

* ``gc.freeze()``: what exists now is moved out of the collector's sight (it is still
  freed by reference counting, as always);
* a first-generation threshold of 2,000 allocations instead of 700, so short-lived
  objects are mostly gone by refcount before a collection ever looks at them (10,000
  saved no more CPU and held some 6 MB more garbage at the peak at 1,000 sellers).

Cycles are still collected; the bench's peak-RSS figures are taken with this in place.
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
