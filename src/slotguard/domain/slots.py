"""Choosing one slot: the best aligned start in the free gaps of a horizon's working days.

Ranking, in order: an earlier week, a day not in ``avoid`` (days that already hold a
compensation for the same violation), the distance to the wanted instant of that day, the
earlier start. Every comparison is on ints and each gap is looked at once, so a choice costs
the number of free gaps, not the number of possible starts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from slotguard.domain.intervals import Interval


@dataclass(slots=True)
class OpenDay:
    """A working day of the horizon and what is still free in it (POSIX seconds)."""

    week: int  # index into the horizon: 0 is the target week
    day: date  # local date
    offset: int  # local UTC offset in seconds, so starts align on the wall clock
    opens: int  # start of working hours
    gaps: list[Interval]


def best_slot(
    days: Sequence[OpenDay],
    capacity: Sequence[int],
    length: int,
    step: int,
    avoid: set[date],
    wanted: Callable[[OpenDay], int],
) -> tuple[OpenDay, int] | None:
    """The best ``(day, start)`` for a slot of ``length`` seconds, or ``None`` if none fits.

    ``days`` are in week-then-date order; ``capacity[week]`` is how many more slots that
    week may take.
    """
    best: tuple[OpenDay, int] | None = None
    best_score: tuple[int, bool, int, int] | None = None
    for day in days:
        if capacity[day.week] <= 0 or not day.gaps:
            continue
        if best_score is not None and day.week > best_score[0]:
            break  # an earlier week always wins
        used = day.day in avoid
        if best_score is not None and used and not best_score[1]:
            continue
        target = wanted(day)
        for gap_start, gap_end in day.gaps:
            low = gap_start + (-(gap_start + day.offset)) % step
            high = gap_end - length
            high -= (high + day.offset) % step
            if low > high:
                continue
            start = _nearest(target, low, high, step, day.offset)
            score = (day.week, used, abs(start - target), start)
            if best_score is None or score < best_score:
                best, best_score = (day, start), score
    return best


def _nearest(target: int, low: int, high: int, step: int, offset: int) -> int:
    """The aligned start in ``[low, high]`` (both aligned) closest to ``target``; ties go
    to the earlier one."""
    if target <= low:
        return low
    if target >= high:
        return high
    down = target - (target + offset) % step
    if down == target:
        return down
    up = down + step
    return down if target - down <= up - target else up
