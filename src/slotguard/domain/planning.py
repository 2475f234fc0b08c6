"""Where compensating blocks go.

Each compensated violation earns ``policy.compensation_count`` blocks as long as the lost one,
placed in the target week inside the seller's working hours, in time that is free: not busy,
tentative or out of office, not a protected block, not another compensation. The search is a
greedy pass over violations in key order, so the same input always yields the same plan, and
compensations that already exist (found by their key) are counted and not planned again.

For each compensation the best slot is chosen by, in order: an earlier week of the horizon
(the week after only when the policy spills), a day this violation has no compensation on
yet, the distance from the lost block's local time of day, the earlier instant. Starts are
aligned to the granularity on the seller's wall clock (``slots.best_slot`` makes the choice).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from slotguard.domain.blocks import expand_blocks, resolve_local, working_days, zone
from slotguard.domain.intervals import (
    Interval,
    ceil_seconds,
    floor_seconds,
    merge,
    remove,
    subtract,
    to_datetime,
)
from slotguard.domain.keys import compensation_key, parse_compensation_key
from slotguard.domain.model import (
    BlockOccurrence,
    BlockRule,
    CalendarEvent,
    IsoWeek,
    Policy,
    Purpose,
    Response,
    Rules,
    Seller,
    ShowAs,
    Violation,
    WhenFull,
)
from slotguard.domain.slots import OpenDay, best_slot

# Show-as values that make time unavailable; free and workingElsewhere leave it usable, and
# unknown is treated as taken because nothing says it is free.
BLOCKING_SHOW_AS = frozenset({ShowAs.BUSY, ShowAs.TENTATIVE, ShowAs.OOF, ShowAs.UNKNOWN})


@dataclass(frozen=True, slots=True)
class PlannedCompensation:
    key: str  # f"{violation_key}#comp{index}"
    violation_key: str
    index: int
    start: datetime  # UTC
    end: datetime  # UTC
    rule: BlockRule  # the lost block's rule (its title names the compensation)
    lost_day: date  # the lost block's seller-local date


@dataclass(frozen=True, slots=True)
class Shortfall:
    violation_key: str
    missing: int


@dataclass(frozen=True, slots=True)
class CompensationPlan:
    placements: tuple[PlannedCompensation, ...]
    shortfalls: tuple[Shortfall, ...]


def planning_weeks(target_week: IsoWeek, policy: Policy) -> tuple[IsoWeek, ...]:
    """The weeks compensations may land in: events and blocks must cover all of them."""
    if policy.when_full is WhenFull.SPILL:
        return (target_week, target_week.shift(1))
    return (target_week,)


def blocks_time(event: CalendarEvent) -> bool:
    """Whether an event makes its time unusable for a compensation."""
    return (
        not event.is_cancelled
        and event.response is not Response.DECLINED
        and event.show_as in BLOCKING_SHOW_AS
    )


def plan_compensations(
    seller: Seller,
    violations: Iterable[Violation],
    target_week: IsoWeek,
    target_week_events: Iterable[CalendarEvent],
    target_week_blocks: Iterable[BlockOccurrence],
    existing_compensations: Iterable[CalendarEvent],
    rules: Rules,
    *,
    not_before: datetime | None = None,
) -> CompensationPlan:
    """Plan the compensations still missing for ``violations``.

    ``target_week_events`` and ``target_week_blocks`` must cover every week of
    ``planning_weeks(target_week, policy)``; the seller's own block rules are protected in
    those weeks in any case. ``existing_compensations`` are slotguard's compensation events
    already in the calendar (any week). ``not_before`` keeps a late plan out of the past.
    """
    policy = rules.policy
    step = int(policy.granularity.total_seconds())
    if step <= 0:
        raise ValueError("policy.granularity: must be a positive duration, e.g. 15 minutes")
    weeks = planning_weeks(target_week, policy)
    seller_tz = zone(seller.zone)

    busy: list[Interval] = [
        (floor_seconds(ev.start), ceil_seconds(ev.end))
        for ev in target_week_events
        if blocks_time(ev)
    ]
    protected = [*target_week_blocks, *(occ for w in weeks for occ in expand_blocks(seller, w))]
    busy.extend((floor_seconds(occ.start), ceil_seconds(occ.end)) for occ in protected)
    existing = _Existing.collect(existing_compensations, seller_tz)
    busy.extend(existing.spans)
    if not_before is not None:
        busy.append((_DISTANT_PAST, ceil_seconds(not_before)))
    days, capacity = _open_days(seller, weeks, merge(busy), existing, policy)

    placements: list[PlannedCompensation] = []
    shortfalls: list[Shortfall] = []
    targets: dict[tuple[date, time], int] = {}
    for violation in sorted((v for v in violations if v.compensate), key=lambda v: v.key):
        have = existing.indices.get(violation.key, set())
        need = max(0, policy.compensation_count - len(have))
        indices = _free_indices(have, need)
        occ = violation.occurrence
        wanted = _aim(occ.rule.start, seller_tz, targets) if policy.prefer_same_time else _opens
        length = ceil_seconds(occ.end) - floor_seconds(occ.start)
        used_days = (
            set(existing.days.get(violation.key, ())) if policy.prefer_different_days else set()
        )
        placed = 0
        for index in indices:
            choice = best_slot(days, capacity, length, step, used_days, wanted)
            if choice is None:
                break
            day, start = choice
            day.gaps = remove(day.gaps, (start, start + length))
            capacity[day.week] -= 1
            if policy.prefer_different_days:
                used_days.add(day.day)
            placed += 1
            placements.append(
                PlannedCompensation(
                    key=compensation_key(violation.key, index),
                    violation_key=violation.key,
                    index=index,
                    start=to_datetime(start),
                    end=to_datetime(start + length),
                    rule=occ.rule,
                    lost_day=occ.day,
                )
            )
        if placed < need:
            shortfalls.append(Shortfall(violation.key, need - placed))
    return CompensationPlan(tuple(placements), tuple(shortfalls))


_MIDNIGHT = time(0)
_DISTANT_PAST = -(2**62)


@dataclass(slots=True)
class _Existing:
    """Compensations already in the calendar, by the violation they belong to."""

    indices: dict[str, set[int]]
    days: dict[str, set[date]]
    spans: list[Interval]

    @classmethod
    def collect(cls, events: Iterable[CalendarEvent], seller_tz: ZoneInfo) -> _Existing:
        found = cls({}, {}, [])
        for ev in events:
            if ev.marker is None or ev.marker.purpose is not Purpose.COMPENSATION:
                continue
            parsed = parse_compensation_key(ev.marker.key)
            if parsed is None:
                continue
            found.indices.setdefault(parsed[0], set()).add(parsed[1])
            found.days.setdefault(parsed[0], set()).add(ev.start.astimezone(seller_tz).date())
            found.spans.append((floor_seconds(ev.start), ceil_seconds(ev.end)))
        return found


def _open_days(
    seller: Seller,
    weeks: Sequence[IsoWeek],
    busy: Sequence[Interval],
    existing: _Existing,
    policy: Policy,
) -> tuple[list[OpenDay], list[int]]:
    """Each working day's free gaps, and how many compensations each week can still take."""
    seller_tz = zone(seller.zone)
    days: list[OpenDay] = []
    capacity: list[int] = []
    for week_index, week in enumerate(weeks):
        for work_day in working_days(seller.working_hours, week):
            offset = work_day.start.astimezone(seller_tz).utcoffset()
            window = (floor_seconds(work_day.start), floor_seconds(work_day.end))
            days.append(
                OpenDay(
                    week_index,
                    work_day.day,
                    int(offset.total_seconds()) if offset else 0,
                    window[0],
                    subtract(window, busy),
                )
            )
        first = floor_seconds(resolve_local(week.monday(), _MIDNIGHT, seller_tz))
        last = floor_seconds(resolve_local(week.shift(1).monday(), _MIDNIGHT, seller_tz))
        already = sum(1 for start, _ in existing.spans if first <= start < last)
        capacity.append(max(0, policy.max_compensations_per_week - already))
    return days, capacity


def _opens(day: OpenDay) -> int:
    return day.opens


def _aim(
    at: time, seller_tz: ZoneInfo, cache: dict[tuple[date, time], int]
) -> Callable[[OpenDay], int]:
    """The instant of a day at which the lost block started on the seller's wall clock."""

    def wanted(day: OpenDay) -> int:
        instant = cache.get((day.day, at))
        if instant is None:
            instant = cache[(day.day, at)] = floor_seconds(resolve_local(day.day, at, seller_tz))
        return instant

    return wanted


def _free_indices(have: set[int], need: int) -> list[int]:
    """The lowest ``need`` indices not yet used: a lost compensation's key is reused."""
    indices: list[int] = []
    candidate = 1
    while len(indices) < need:
        if candidate not in have:
            indices.append(candidate)
        candidate += 1
    return indices
