"""Turning seller-local rules (blocks, working hours) into UTC instants for one ISO week.

A block agreed as "Tuesday 08:00" means 08:00 on the seller's wall clock whatever the UTC
offset that week, so every instant is resolved from the local date and time, never by adding
hours to another instant. Two wall-clock times need a deliberate answer:

* **Nonexistent** (spring forward, e.g. 02:30 on a night that jumps 02:00 → 03:00): resolved
  to the first instant that exists after the gap — the transition itself (03:00). A block
  02:30–04:00 that night runs 03:00–04:00; a block lying wholly inside the gap vanishes for
  that day instead of being invented somewhere else.
* **Ambiguous** (fall back, e.g. 02:30 on a night that repeats 02:00–03:00): resolved to the
  first occurrence (``fold=0``, the earlier instant), the one the seller's calendar shows
  first.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slotguard.domain.model import BlockOccurrence, IsoWeek, Seller, WorkingHours


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; a one-line error naming the fix when it does not exist."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"zone: unknown IANA time zone {name!r}; use a name such as 'Europe/Stockholm'"
        ) from exc


@lru_cache(maxsize=4096)
def resolve_local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant at which the wall clock in ``tz`` shows ``at`` on ``day``.

    Ambiguous times take the first occurrence; nonexistent times the end of the gap (see the
    module docstring). Memoised: a team's sellers share zone, days and times, and a scan
    asks for the same few instants thousands of times.
    """
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=tz)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None):
        return instant
    return _end_of_gap(local, tz)


def _end_of_gap(local: datetime, tz: ZoneInfo) -> datetime:
    """The transition instant of the gap ``local`` falls into.

    For a wall time in a gap, ``fold=1`` reads it with the offset after the transition (an
    instant before it) and ``fold=0`` with the offset before (an instant after it), so the
    transition lies between the two; bisect on whole seconds (a few dozen steps, rare path).
    """
    before = int(local.replace(fold=1).astimezone(UTC).timestamp())
    after = int(local.replace(fold=0).astimezone(UTC).timestamp())
    offset_after = datetime.fromtimestamp(after, tz).utcoffset()
    while after - before > 1:
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, tz).utcoffset() == offset_after:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, UTC)


def expand_blocks(seller: Seller, week: IsoWeek) -> tuple[BlockOccurrence, ...]:
    """The seller's block occurrences in ``week``, in the seller's zone, sorted by start.

    An occurrence squeezed to nothing by a DST gap is left out for that day.
    """
    tz = zone(seller.zone)
    occurrences: list[BlockOccurrence] = []
    for rule in seller.blocks:
        if rule.end <= rule.start:
            raise ValueError(f"blocks.{rule.id}.end: must be after start ({rule.start:%H:%M})")
        for weekday in rule.days:
            day = week.day(weekday)
            start = resolve_local(day, rule.start, tz)
            end = resolve_local(day, rule.end, tz)
            if end > start:
                occurrences.append(BlockOccurrence(seller.upn, rule, day, start, end))
    occurrences.sort(key=lambda occ: (occ.start, occ.rule.id))
    return tuple(occurrences)


class WorkDay(NamedTuple):
    """One working day: its local date and its working hours as UTC instants."""

    day: date
    start: datetime
    end: datetime


def working_days(hours: WorkingHours, week: IsoWeek) -> tuple[WorkDay, ...]:
    """The working days of ``week`` in the hours' own zone, in date order.

    An end at or before the start means the working day runs past midnight (00:00–00:00 is a
    full 24 hours), which is how round-the-clock or night schedules are written.
    """
    tz = zone(hours.zone)
    result: list[WorkDay] = []
    for weekday in sorted(hours.days):
        day = week.day(weekday)
        start = resolve_local(day, hours.start, tz)
        end_day = day if hours.end > hours.start else day + timedelta(days=1)
        end = resolve_local(end_day, hours.end, tz)
        if end > start:
            result.append(WorkDay(day, start, end))
    return tuple(result)
