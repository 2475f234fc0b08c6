"""Where compensating blocks go.

Each compensated violation earns ``policy.compensation_count`` blocks as long as the lost one,
placed in the target week inside the seller's working hours, in time that is free: not busy,
tentative or out of office, not a protected block, not another compensation. The search is a
greedy pass over violations in key order, so the same input always yields the same plan, and
compensations that already exist (found by their key) are counted and not planned again.

For each compensation the best slot is chosen by, in order: an earlier week of the horizon
(the week after only when the policy spills), a day this violation has no compensation on
yet, the distance from the lost block's local time of day, the earlier instant. Starts are
aligned to the granularity on the seller's wall clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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

# Show-as values that make time unavailable; free and workingElsewhere leave it usable, and
# unknown is treated as taken because nothing says it is free.
BLOCKING_SHOW_AS = frozenset({ShowAs.BUSY, ShowAs.TENTATIVE, ShowAs.OOF, ShowAs.UNKNOWN})
_COMP_SEPARATOR = "#comp"


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


def compensation_key(violation_key: str, index: int) -> str:
    return f"{violation_key}{_COMP_SEPARATOR}{index}"


def parse_compensation_key(key: str) -> tuple[str, int] | None:
    """``(violation_key, index)`` for a compensation key, ``None`` for anything else."""
    violation_key, separator, index = key.rpartition(_COMP_SEPARATOR)
    if not separator or not violation_key or not index.isdigit() or int(index) < 1:
        return None
    return violation_key, int(index)


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


@dataclass(slots=True)
class _Day:
    week: int  # index into the horizon
    day: date
    offset: int  # local UTC offset in seconds, for wall-clock alignment
    opens: int  # start of working hours: the target when the time of day does not matter
    gaps: list[Interval]


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
    busy.extend((floor_seconds(occ.start), ceil_seconds(occ.end)) for occ in target_week_blocks)
    for week in weeks:
        busy.extend(
            (floor_seconds(occ.start), ceil_seconds(occ.end)) for occ in expand_blocks(seller, week)
        )

    existing: dict[str, set[int]] = {}
    existing_days: dict[str, set[date]] = {}
    existing_starts: list[int] = []
    for ev in existing_compensations:
        if ev.marker is None or ev.marker.purpose is not Purpose.COMPENSATION:
            continue
        parsed = parse_compensation_key(ev.marker.key)
        if parsed is None:
            continue
        existing.setdefault(parsed[0], set()).add(parsed[1])
        existing_days.setdefault(parsed[0], set()).add(ev.start.astimezone(seller_tz).date())
        start = floor_seconds(ev.start)
        existing_starts.append(start)
        busy.append((start, ceil_seconds(ev.end)))
    if not_before is not None:
        busy.append((floor_seconds(not_before) - 10**12, ceil_seconds(not_before)))
    merged = merge(busy)

    days: list[_Day] = []
    capacity: list[int] = []
    for week_index, week in enumerate(weeks):
        work = working_days(seller.working_hours, week)
        for work_day in work:
            offset = work_day.start.astimezone(seller_tz).utcoffset()
            window = (floor_seconds(work_day.start), floor_seconds(work_day.end))
            days.append(
                _Day(
                    week_index,
                    work_day.day,
                    int(offset.total_seconds()) if offset else 0,
                    window[0],
                    subtract(window, merged),
                )
            )
        first = floor_seconds(resolve_local(week.monday(), _MIDNIGHT, seller_tz))
        last = floor_seconds(resolve_local(week.shift(1).monday(), _MIDNIGHT, seller_tz))
        already = sum(1 for start in existing_starts if first <= start < last)
        capacity.append(max(0, policy.max_compensations_per_week - already))

    placements: list[PlannedCompensation] = []
    shortfalls: list[Shortfall] = []
    targets: dict[tuple[date, time], int] = {}
    for violation in sorted((v for v in violations if v.compensate), key=lambda v: v.key):
        have = existing.get(violation.key, set())
        need = max(0, policy.compensation_count - len(have))
        indices = _free_indices(have, need)
        occ = violation.occurrence
        length = ceil_seconds(occ.end) - floor_seconds(occ.start)
        used_days = set(existing_days.get(violation.key, ()))
        placed = 0
        for index in indices:
            choice = _best_slot(
                days, capacity, length, step, used_days, occ, policy, seller_tz, targets
            )
            if choice is None:
                break
            day, start = choice
            day.gaps = remove(day.gaps, (start, start + length))
            capacity[day.week] -= 1
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


def _free_indices(have: set[int], need: int) -> list[int]:
    """The lowest ``need`` indices not yet used: a lost compensation's key is reused."""
    indices: list[int] = []
    candidate = 1
    while len(indices) < need:
        if candidate not in have:
            indices.append(candidate)
        candidate += 1
    return indices


def _best_slot(
    days: Sequence[_Day],
    capacity: Sequence[int],
    length: int,
    step: int,
    used_days: set[date],
    occ: BlockOccurrence,
    policy: Policy,
    seller_tz: ZoneInfo,
    targets: dict[tuple[date, time], int],
) -> tuple[_Day, int] | None:
    best: tuple[_Day, int] | None = None
    best_score: tuple[int, bool, int, int] | None = None
    for day in days:
        if capacity[day.week] <= 0 or not day.gaps:
            continue
        if best_score is not None and day.week > best_score[0]:
            break
        used = policy.prefer_different_days and day.day in used_days
        if best_score is not None and used and not best_score[1]:
            continue
        if policy.prefer_same_time:
            wanted = targets.get((day.day, occ.rule.start))
            if wanted is None:
                wanted = floor_seconds(resolve_local(day.day, occ.rule.start, seller_tz))
                targets[(day.day, occ.rule.start)] = wanted
        else:
            wanted = day.opens
        for gap_start, gap_end in day.gaps:
            low = gap_start + (-(gap_start + day.offset)) % step
            high = gap_end - length
            high -= (high + day.offset) % step
            if low > high:
                continue
            if wanted <= low:
                start = low
            elif wanted >= high:
                start = high
            else:
                down = wanted - (wanted + day.offset) % step
                up = down if down == wanted else down + step
                start = down if wanted - down <= up - wanted else up
            score = (day.week, used, abs(start - wanted), start)
            if best_score is None or score < best_score:
                best, best_score = (day, start), score
    return best
