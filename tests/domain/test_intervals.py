from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import pairwise
from typing import overload

from hypothesis import given, settings
from hypothesis import strategies as st

from slotguard.domain.intervals import (
    ceil_seconds,
    floor_seconds,
    free_gaps,
    merge,
    overlap,
    remove,
    subtract,
)


def test_overlap_is_zero_for_touching_intervals() -> None:
    assert overlap(0, 10, 10, 20) == 0
    assert overlap(0, 10, 30, 40) == 0  # apart: zero, never negative
    assert overlap(0, 10, 5, 20) == 5
    assert overlap(5, 6, 0, 20) == 1


def test_merge_coalesces_overlapping_and_touching() -> None:
    assert merge([(5, 7), (0, 2), (2, 3), (6, 9), (4, 4)]) == [(0, 3), (5, 9)]


def test_subtract_and_remove() -> None:
    assert subtract((0, 100), [(-5, 10), (20, 30), (90, 200)]) == [(10, 20), (30, 90)]
    assert subtract((40, 50), [(0, 10), (20, 30)]) == [(40, 50)]
    assert remove([(0, 10), (20, 40)], (25, 30)) == [(0, 10), (20, 25), (30, 40)]


def test_what_is_left_never_holds_an_empty_interval() -> None:
    assert subtract((0, 100), [(0, 10)]) == [(10, 100)]  # busy from the window's start
    assert subtract((0, 100), [(90, 100)]) == [(0, 90)]  # busy up to its end
    assert subtract((0, 100), [(10, 20), (20, 30)]) == [(0, 10), (30, 100)]
    assert remove([(0, 10)], (0, 4)) == [(4, 10)]
    assert remove([(0, 10)], (6, 10)) == [(0, 6)]
    assert remove([(0, 10)], (0, 10)) == []


def test_seconds_round_outward() -> None:
    instant = datetime(2026, 3, 24, 7, 0, 0, 500_000, tzinfo=UTC)
    assert ceil_seconds(instant) - floor_seconds(instant) == 1


spans = st.lists(st.tuples(st.integers(0, 200), st.integers(1, 40)), max_size=15).map(
    lambda pairs: [(start, start + length) for start, length in pairs]
)


@settings(max_examples=200, deadline=None)
@given(spans, st.integers(0, 150), st.integers(1, 100))
def test_free_gaps_are_exactly_the_uncovered_points(
    busy: list[tuple[int, int]], start: int, length: int
) -> None:
    window = (start, start + length)
    gaps = free_gaps(window, busy)
    covered = {t for s, e in busy for t in range(s, e)}
    expected = {t for t in range(*window) if t not in covered}
    assert {t for s, e in gaps for t in range(s, e)} == expected
    assert all(a[1] < b[0] for a, b in pairwise(gaps))


class _Watched(Sequence[tuple[int, int]]):
    """A busy list that records where a reader started slicing it."""

    def __init__(self, items: list[tuple[int, int]]) -> None:
        self.items = items
        self.sliced_from: list[int | None] = []

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> tuple[int, int]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[int, int]]: ...
    def __getitem__(self, index: int | slice) -> tuple[int, int] | list[tuple[int, int]]:
        if isinstance(index, slice):
            self.sliced_from.append(index.start)
        return self.items[index]


def test_subtract_starts_at_the_busy_interval_covering_the_windows_start() -> None:
    # A week of a busy calendar: only the intervals reaching the window are looked at.
    busy = _Watched([(10 * i, 10 * i + 5) for i in range(100)])
    assert subtract((502, 530), busy) == [(505, 510), (515, 520), (525, 530)]
    assert busy.sliced_from == [50]  # (500, 505), which covers 502
