"""Half-open time intervals as integer POSIX seconds: the arithmetic planning is built on.

Planning compares and subtracts thousands of instants per seller-week; plain ints are several
times cheaper than aware datetimes and timedeltas, and exact. Every function takes and
returns ``(start, end)`` pairs with ``start < end``; merged lists are sorted and disjoint.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from operator import itemgetter

Interval = tuple[int, int]


def floor_seconds(instant: datetime) -> int:
    """Whole seconds since the epoch, rounded down (for starts: never later than the truth)."""
    return math.floor(instant.timestamp())


def ceil_seconds(instant: datetime) -> int:
    """Whole seconds since the epoch, rounded up (for ends: never earlier than the truth)."""
    return math.ceil(instant.timestamp())


def to_datetime(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    """Length of the common part of two intervals; 0 when they only touch or are apart."""
    length = min(a_end, b_end) - max(a_start, b_start)
    return length if length > 0 else 0


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and coalesce overlapping or touching intervals; empty ones are dropped."""
    ordered = sorted(iv for iv in intervals if iv[0] < iv[1])
    merged: list[Interval] = []
    for start, end in ordered:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(window: Interval, busy: Sequence[Interval]) -> list[Interval]:
    """The parts of ``window`` not covered by ``busy`` (which must be merged: sorted, disjoint).

    Bisects to the first busy interval that can reach into the window, so the cost is the
    number of busy intervals inside the window, not the length of ``busy``.
    """
    start, end = window
    free: list[Interval] = []
    # The busy interval just before the first one starting after ``start`` may cover it.
    i = max(bisect_right(busy, start, key=itemgetter(0)) - 1, 0)
    cursor = start
    for b_start, b_end in busy[i:]:
        if b_start >= end:
            break
        if b_end <= cursor:
            continue
        if b_start > cursor:
            free.append((cursor, b_start))
        cursor = b_end
        if cursor >= end:
            break
    if cursor < end:
        free.append((cursor, end))
    return free


def remove(free: list[Interval], taken: Interval) -> list[Interval]:
    """Free gaps after ``taken`` is carved out of them (``free`` sorted and disjoint)."""
    t_start, t_end = taken
    result: list[Interval] = []
    for start, end in free:
        if end <= t_start or start >= t_end:
            result.append((start, end))
            continue
        if start < t_start:
            result.append((start, t_start))
        if t_end < end:
            result.append((t_end, end))
    return result


def free_gaps(window: Interval, busy: Iterable[Interval]) -> list[Interval]:
    """Convenience: the free parts of ``window`` given unsorted, possibly overlapping busy."""
    return subtract(window, merge(busy))
