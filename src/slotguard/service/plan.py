"""One seller: gather what Graph and the ledger know, then let the policy core decide.

``gather`` is the only part that waits on I/O; ``decide`` is a pure function of what was
gathered, so a dry run and a real run decide identically and tests can call it directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from slotguard.domain.blocks import expand_blocks
from slotguard.domain.followup import FollowUpTask, plan_follow_ups
from slotguard.domain.model import (
    BlockOccurrence,
    BlockRule,
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
from slotguard.ports import CalendarGateway, Mailbox
from slotguard.store.records import ActionRecord


@dataclass(frozen=True, slots=True)
class Target:
    """A seller as the rules file names them, before their mailbox is read."""

    upn: str
    team: str
    blocks: tuple[BlockRule, ...]
    manager: str | None = None
    language: str = "en"  # the team's


@dataclass(frozen=True, slots=True)
class Gathered:
    seller: Seller
    mailbox: Mailbox
    events: tuple[CalendarEvent, ...]  # judged week through the end of the planning horizon
    window: tuple[datetime, datetime]


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

    def meeting(self, task: FollowUpTask) -> CalendarEvent | None:
        violation = self.violation(task.violation_key or "")
        ref = task.key.partition("#task:")[2]
        if violation is None:
            return None
        return next((m for m in violation.meetings if m.id == ref), None)


def window(week: IsoWeek, rules: Rules) -> tuple[datetime, datetime]:
    """UTC bounds covering the judged week and every week compensations may land in, with a
    day's margin on each side because seller-local weeks are offset from UTC ones."""
    target = week.shift(rules.policy.target_week_offset)
    last = planning_weeks(target, rules.policy)[-1]
    start = datetime.combine(week.monday(), time(0), UTC) - timedelta(days=1)
    end = datetime.combine(last.shift(1).monday(), time(0), UTC) + timedelta(days=1)
    if target.monday() < week.monday():
        raise ValueError("policy.target_week_offset: must be 0 or more weeks")
    return start, end


def window_weeks(week: IsoWeek, rules: Rules) -> int:
    """How many weeks after ``week`` its window reaches (the last planning week)."""
    target = week.shift(rules.policy.target_week_offset)
    last = planning_weeks(target, rules.policy)[-1]
    return (last.monday() - week.monday()).days // 7


async def gather(gateway: CalendarGateway, target: Target, week: IsoWeek,
                 rules: Rules) -> Gathered:
    mailbox = await gateway.mailbox(target.upn)
    seller = Seller(
        upn=target.upn,
        team=target.team,
        zone=mailbox.zone,
        working_hours=mailbox.working_hours,
        blocks=target.blocks,
        manager=target.manager,
        language=target.language,
    )
    start, end = window(week, rules)
    events = await gateway.events(target.upn, start, end)
    return Gathered(seller, mailbox, tuple(events), (start, end))


def ledger_compensations(records: list[ActionRecord]) -> list[CalendarEvent]:
    """Compensations the ledger says were written, as events: they count as existing even
    when the calendar no longer shows them (the seller deleted one: slotguard does not
    re-create it, and a calendar read that lags behind a write cannot cause a duplicate)."""
    events = []
    for record in records:
        if record.kind != "compensation" or record.state != "done" or not record.payload:
            continue
        try:
            start = datetime.fromisoformat(record.payload["start"])
            end = datetime.fromisoformat(record.payload["end"])
        except (KeyError, TypeError, ValueError):
            continue
        events.append(CalendarEvent(
            id=record.graph_id or record.key, start=start, end=end,
            marker=OwnMarker(Purpose.COMPENSATION, record.key),
        ))
    return events


def decide(gathered: Gathered, week: IsoWeek, rules: Rules, now: datetime,
           ledger_actions: list[ActionRecord]) -> SellerPlan:
    seller = gathered.seller
    target_week = week.shift(rules.policy.target_week_offset)
    occurrences = expand_blocks(seller, week)
    violations = find_violations(seller, occurrences, gathered.events, rules)

    existing: dict[str, CalendarEvent] = {}
    for event in ledger_compensations(ledger_actions):
        existing[event.marker.key] = event  # type: ignore[union-attr]
    for event in gathered.events:  # the calendar wins: it has the real times and ids
        if event.marker is not None and event.marker.purpose is Purpose.COMPENSATION:
            existing[event.marker.key] = event
    withdrawn = {r.key for r in ledger_actions if r.state == "withdrawn"}

    compensated = [v for v in violations if v.compensate]
    plan = plan_compensations(
        seller, compensated, target_week, gathered.events, (),
        [e for k, e in existing.items() if k not in withdrawn], rules, not_before=now,
    )
    withdrawals = plan_withdrawals(
        {v.key for v in compensated}, list(existing.values()),
        {occ.key: occ for occ in occurrences}, now, rules.policy,
    )
    tasks = plan_follow_ups(seller, violations, rules)
    return SellerPlan(
        seller=seller, week=week, target_week=target_week, occurrences=occurrences,
        violations=violations, placements=plan.placements, shortfalls=plan.shortfalls,
        withdrawals=withdrawals, tasks=tasks, existing=existing,
        calendar_ids=frozenset(e.id for e in gathered.events),
    )
