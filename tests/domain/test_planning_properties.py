"""Properties of compensation planning over random calendars.

The checks use their own, deliberately naive arithmetic (minute-by-minute over datetimes) so
they do not share a bug with the planner's interval sweep.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from slotguard.domain import expand_blocks, plan_compensations, planning_weeks
from slotguard.domain.model import (
    BlockOccurrence,
    BlockRule,
    CalendarEvent,
    IsoWeek,
    Policy,
    Response,
    Rules,
    Seller,
    ShowAs,
    Violation,
    ViolationKind,
    Weekday,
    WhenFull,
    WorkingHours,
)
from slotguard.domain.planning import CompensationPlan, PlannedCompensation

from .factories import CONTOSO, compensation_event

ZONES = ("Europe/Stockholm", "America/New_York", "Asia/Kolkata", "UTC")
# Target weeks around the 2026 DST changes of both zones, and an ordinary one.
TARGETS = (
    IsoWeek(2026, 11),
    IsoWeek(2026, 14),
    IsoWeek(2026, 44),
    IsoWeek(2026, 45),
    IsoWeek(2026, 20),
)
BLOCKING = {ShowAs.BUSY, ShowAs.TENTATIVE, ShowAs.OOF, ShowAs.UNKNOWN}
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("SLOTGUARD_EXAMPLES", "150")), deadline=None
)


@dataclass(frozen=True)
class Case:
    seller: Seller
    target: IsoWeek
    rules: Rules
    violations: tuple[Violation, ...]
    events: tuple[CalendarEvent, ...]
    blocks: tuple[BlockOccurrence, ...]

    def plan(self, existing: tuple[CalendarEvent, ...] = ()) -> CompensationPlan:
        return plan_compensations(
            self.seller,
            self.violations,
            self.target,
            self.events,
            self.blocks,
            existing,
            self.rules,
        )


@st.composite
def cases(draw: st.DrawFn) -> Case:
    zone = draw(st.sampled_from(ZONES))
    work_start = draw(st.integers(6, 10))
    work_end = draw(st.integers(work_start + 4, 19))
    work_days = draw(st.frozensets(st.sampled_from(list(Weekday)), min_size=1, max_size=7))
    hours = WorkingHours(work_days, time(work_start), time(work_end), zone)
    rule_count = draw(st.integers(1, 3))
    rules_ = []
    for index in range(rule_count):
        start_minutes = draw(st.integers(6 * 4, 18 * 4)) * 15
        length = draw(st.integers(1, 12)) * 15
        end_minutes = min(start_minutes + length, 23 * 60 + 45)
        rules_.append(
            BlockRule(
                f"r{index}",
                draw(st.frozensets(st.sampled_from(list(Weekday)), min_size=1, max_size=3)),
                time(start_minutes // 60, start_minutes % 60),
                time(end_minutes // 60, end_minutes % 60),
            )
        )
    seller = Seller("s@contoso.com", "T", zone, hours, tuple(rules_))
    target = draw(st.sampled_from(TARGETS))
    policy = Policy(
        compensation_count=draw(st.integers(1, 3)),
        granularity=timedelta(minutes=draw(st.sampled_from([5, 15, 30]))),
        max_compensations_per_week=draw(st.integers(1, 8)),
        when_full=draw(st.sampled_from(list(WhenFull))),
        prefer_same_time=draw(st.booleans()),
        prefer_different_days=draw(st.booleans()),
    )
    judged = expand_blocks(seller, target.shift(-1))
    taken = draw(st.lists(st.sampled_from(judged), unique=True, max_size=4)) if judged else []
    violations = tuple(
        Violation(occ.key, seller.upn, occ, (), ViolationKind.CUSTOMER) for occ in taken
    )
    weeks = planning_weeks(target, policy)
    first_day = datetime.combine(target.monday(), time(0), tzinfo=ZoneInfo(zone))
    span_minutes = len(weeks) * 7 * 24 * 60
    events = []
    for index in range(draw(st.integers(0, 40))):
        start = first_day + timedelta(minutes=draw(st.integers(0, span_minutes // 5)) * 5)
        length = timedelta(minutes=draw(st.integers(1, 48)) * 5)
        events.append(
            CalendarEvent(
                f"e{index}",
                start.astimezone(UTC),
                (start + length).astimezone(UTC),
                show_as=draw(st.sampled_from(list(ShowAs))),
                response=draw(st.sampled_from([Response.NONE, Response.DECLINED])),
                is_cancelled=draw(st.booleans()) and draw(st.booleans()),
            )
        )
    blocks = tuple(occ for week in weeks for occ in expand_blocks(seller, week))
    return Case(seller, target, Rules(CONTOSO, policy), violations, tuple(events), blocks)


def as_events(placements: tuple[PlannedCompensation, ...]) -> tuple[CalendarEvent, ...]:
    return tuple(compensation_event(p.key, p.start, p.end) for p in placements)


def taken_spans(case: Case, placements: tuple[PlannedCompensation, ...]) -> list[tuple]:
    spans = [
        (e.start, e.end)
        for e in case.events
        if not e.is_cancelled and e.response is not Response.DECLINED and e.show_as in BLOCKING
    ]
    spans += [(b.start, b.end) for b in case.blocks]
    spans += [(p.start, p.end) for p in placements]
    return spans


def is_free(start: datetime, end: datetime, spans: list[tuple]) -> bool:
    return all(end <= s or start >= e for s, e in spans)


def inside_working_hours(case: Case, start: datetime, end: datetime) -> bool:
    hours = case.seller.working_hours
    tz = ZoneInfo(hours.zone)
    day_start, day_end = start.astimezone(tz), (end - timedelta(seconds=1)).astimezone(tz)
    local_day = day_start.date()
    return (
        day_end.date() == local_day
        and local_day.isoweekday() in hours.days
        and IsoWeek.of(local_day) in planning_weeks(case.target, case.rules.policy)
        and day_start.time() >= hours.start
        and end.astimezone(tz).replace(tzinfo=None) <= datetime.combine(local_day, hours.end)
    )


def aligned(case: Case, start: datetime) -> bool:
    wall = start.astimezone(ZoneInfo(case.seller.zone))
    seconds = wall.hour * 3600 + wall.minute * 60 + wall.second
    return seconds % int(case.rules.policy.granularity.total_seconds()) == 0


def any_room(case: Case, length: timedelta, placements: tuple[PlannedCompensation, ...]) -> bool:
    """Naive search: any aligned, free slot in working hours of a week with cap left?"""
    tz = ZoneInfo(case.seller.zone)
    spans = taken_spans(case, placements)
    step = case.rules.policy.granularity
    for week in planning_weeks(case.target, case.rules.policy):
        used = sum(1 for p in placements if IsoWeek.of(p.start.astimezone(tz).date()) == week)
        if used >= case.rules.policy.max_compensations_per_week:
            continue
        cursor = datetime.combine(week.monday(), time(0), tzinfo=tz).astimezone(UTC)
        stop = cursor + timedelta(days=7)
        while cursor < stop:
            end = cursor + length
            if (
                aligned(case, cursor)
                and inside_working_hours(case, cursor, end)
                and is_free(cursor, end, spans)
            ):
                return True
            cursor += step
    return False


@PROPERTY_SETTINGS
@given(cases())
def test_compensations_never_overlap_and_stay_in_working_hours(case: Case) -> None:
    result = case.plan()
    placed: list[tuple] = []
    for p in result.placements:
        assert is_free(p.start, p.end, taken_spans(case, ()) + placed), p
        assert inside_working_hours(case, p.start, p.end), p
        assert aligned(case, p.start), p
        placed.append((p.start, p.end))


@PROPERTY_SETTINGS
@given(cases())
def test_exactly_the_configured_count_whenever_there_is_room(case: Case) -> None:
    result = case.plan()
    count = case.rules.policy.compensation_count
    missing = {s.violation_key: s.missing for s in result.shortfalls}
    for violation in case.violations:
        mine = [p for p in result.placements if p.violation_key == violation.key]
        assert sorted(p.index for p in mine) == list(range(1, len(mine) + 1))
        occ = violation.occurrence
        assert all(p.end - p.start == occ.end - occ.start for p in mine)
        assert len(mine) + missing.get(violation.key, 0) == count
        if violation.key in missing:
            assert not any_room(case, occ.end - occ.start, result.placements)
    cap = case.rules.policy.max_compensations_per_week
    tz = ZoneInfo(case.seller.zone)
    for week in planning_weeks(case.target, case.rules.policy):
        in_week = [
            p for p in result.placements if IsoWeek.of(p.start.astimezone(tz).date()) == week
        ]
        assert len(in_week) <= cap


@PROPERTY_SETTINGS
@given(cases(), st.randoms(use_true_random=False))
def test_planning_is_deterministic_and_idempotent(case: Case, rng: random.Random) -> None:
    first = case.plan()
    assert case.plan() == first
    events, violations = list(case.events), list(case.violations)
    rng.shuffle(events)
    rng.shuffle(violations)
    shuffled = Case(
        case.seller, case.target, case.rules, tuple(violations), tuple(events), case.blocks
    )
    assert shuffled.plan() == first
    again = case.plan(existing=as_events(first.placements))
    assert again.placements == ()
    assert again.shortfalls == first.shortfalls
    # Part of the plan already written (a crash mid-way): the rest is planned exactly as
    # before, because every choice was the best of a set that has only shrunk around it.
    rest = case.plan(existing=as_events(first.placements[::2]))
    assert rest.placements == first.placements[1::2]
    assert rest.shortfalls == first.shortfalls
