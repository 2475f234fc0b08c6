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

import gc

GEN0_THRESHOLD = 2_000
GEN1_THRESHOLD = 10
GEN2_THRESHOLD = 10


def settle_heap() -> None:
    """Call once, when start-up is done (settings read, adapters built)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GEN0_THRESHOLD, GEN1_THRESHOLD, GEN2_THRESHOLD)
