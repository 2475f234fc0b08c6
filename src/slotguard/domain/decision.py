"""One seller's decision for a judged week: the calendar and what slotguard remembers
writing, in; violations, compensations to place or take back, follow-up tasks and
shortfalls, out.

``decide`` is pure and runs once per seller and cycle: the scan gathers its inputs and
carries the plan out, so a dry run and a real run decide identically and tests call it
directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from slotguard.domain.blocks import expand_blocks
from slotguard.domain.followup import FollowUpTask, plan_follow_ups
from slotguard.domain.model import (
    BlockOccurrence,
    CalendarEvent,
    IsoWeek,
    OwnMarker,
    Purpose,
    Rules,
    Seller,
    Violation,
)
from slotguard.domain.planning import (
    PlannedCompensation,
    Shortfall,
    plan_compensations,
    planning_weeks,
)
from slotguard.domain.violations import find_violations
from slotguard.domain.withdrawal import Withdrawal, plan_withdrawals


@dataclass(frozen=True, slots=True)
class WrittenCompensation:
    """A compensation slotguard's ledger says it wrote, where and when."""

    key: str
    event_id: str
    start: datetime  # UTC
    end: datetime  # UTC


@dataclass(frozen=True, slots=True)
class Remembered:
    """What slotguard remembers doing for a seller. Compensations it wrote count as
    existing even when the calendar no longer shows them (the seller deleted one: it is
    not re-created, and a calendar read lagging behind a write cannot cause a duplicate);
    withdrawn keys are no longer in place, whatever the calendar says."""

    compensations: tuple[WrittenCompensation, ...] = ()
    withdrawn: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SellerPlan:
    seller: Seller
    week: IsoWeek
    target_week: IsoWeek
    occurrences: tuple[BlockOccurrence, ...]
    violations: tuple[Violation, ...]
    placements: tuple[PlannedCompensation, ...]
    shortfalls: tuple[Shortfall, ...]
    withdrawals: tuple[Withdrawal, ...]
    tasks: tuple[FollowUpTask, ...]
    # slotguard's compensation events by key, from the calendar and the ledger
    existing: dict[str, CalendarEvent]
    calendar_ids: frozenset[str]  # ids of events actually seen in the calendar

    def violation(self, key: str) -> Violation | None:
        return next((v for v in self.violations if v.key == key), None)


def calendar_span(week: IsoWeek, rules: Rules) -> tuple[datetime, datetime]:
    """The UTC stretch of calendar a decision on ``week`` reads: the judged week and every
    week compensations may land in, with a day's margin on each side because seller-local
    weeks are offset from UTC ones."""
    target = week.shift(rules.policy.target_week_offset)
    if target.monday() < week.monday():
        raise ValueError("policy.target_week_offset: must be 0 or more weeks")
    last = planning_weeks(target, rules.policy)[-1]
    start = datetime.combine(week.monday(), time(0), UTC) - timedelta(days=1)
    end = datetime.combine(last.shift(1).monday(), time(0), UTC) + timedelta(days=1)
    return start, end


def span_weeks(week: IsoWeek, rules: Rules) -> int:
    """How many weeks after ``week`` its calendar span reaches (the last planning week)."""
    target = week.shift(rules.policy.target_week_offset)
    last = planning_weeks(target, rules.policy)[-1]
    return (last.monday() - week.monday()).days // 7


def _existing(events: Sequence[CalendarEvent],
              remembered: Remembered) -> dict[str, CalendarEvent]:
    """slotguard's compensations by key: the ledger's, then the calendar's, which win (they
    have the real times and ids)."""
    existing = {c.key: CalendarEvent(id=c.event_id, start=c.start, end=c.end,
                                     marker=OwnMarker(Purpose.COMPENSATION, c.key))
                for c in remembered.compensations}
    for event in events:
        if event.marker is not None and event.marker.purpose is Purpose.COMPENSATION:
            existing[event.marker.key] = event
    return existing


def decide(seller: Seller, events: Sequence[CalendarEvent], remembered: Remembered,
           week: IsoWeek, rules: Rules, now: datetime) -> SellerPlan:
    """The plan for ``seller``: ``events`` cover ``calendar_span(week, rules)``."""
    target_week = week.shift(rules.policy.target_week_offset)
    occurrences = expand_blocks(seller, week)
    violations = find_violations(seller, occurrences, events, rules)
    existing = _existing(events, remembered)
    compensated = [v for v in violations if v.compensate]
    plan = plan_compensations(
        seller, compensated, target_week, events, (),
        [e for k, e in existing.items() if k not in remembered.withdrawn], rules,
        not_before=now,
    )
    withdrawals = plan_withdrawals(
        {v.key for v in compensated}, list(existing.values()),
        {occ.key: occ for occ in occurrences}, now, rules.policy,
    )
    return SellerPlan(
        seller=seller, week=week, target_week=target_week, occurrences=occurrences,
        violations=violations, placements=plan.placements, shortfalls=plan.shortfalls,
        withdrawals=withdrawals, tasks=plan_follow_ups(seller, violations, rules),
        existing=existing, calendar_ids=frozenset(e.id for e in events),
    )
