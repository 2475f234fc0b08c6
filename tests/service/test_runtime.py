"""settle_heap: start-up objects leave the collector's walks, collections come less often,
and garbage cycles made afterwards are still collected."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from slotguard.entrypoints import runtime


@pytest.fixture
def restore_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_settle_heap_freezes_start_up_and_raises_the_thresholds(restore_gc: None) -> None:
    runtime.settle_heap()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (runtime.GEN0_THRESHOLD, runtime.GEN1_THRESHOLD,
                                  runtime.GEN2_THRESHOLD)


def test_cycles_made_after_settling_are_still_collected(restore_gc: None) -> None:
    runtime.settle_heap()
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    del a, b
    gc.collect()
    assert gone() is None


def test_returning_free_memory_is_safe_to_call_any_time() -> None:
    blocks = [bytearray(256 * 1024) for _ in range(8)]
    del blocks
    runtime.return_free_memory()
    runtime.return_free_memory()
