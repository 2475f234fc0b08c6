"""Planning benchmark: the policy core over 1,000 seller-weeks of realistic calendars.

Each seller-week is a judged week and its target week with about 40 events each (customer
and internal meetings, rooms, tentative/free/out-of-office, declined and cancelled ones,
all-day events), for sellers in Stockholm and New York across ordinary and DST weeks. The
timed path is what a scan does per seller once the calendars are read: expand the blocks,
classify every event, find the violations, expand next week's blocks, plan compensations.
Data is generated up front from a fixed seed, so only the core is measured.

    .venv/bin/python bench/planning.py [--seller-weeks N] [--rounds R]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time as clock
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from slotguard.domain import (
    classify,
    expand_blocks,
    find_violations,
    plan_compensations,
)
from slotguard.domain.model import (
    Attendee,
    AttendeeType,
    BlockRule,
    CalendarEvent,
    IsoWeek,
    Organization,
    Policy,
    Response,
    Rules,
    Seller,
    ShowAs,
    Weekday,
    WorkingHours,
)

TARGET_MS = 0.5
WEEKDAYS = frozenset(Weekday(day) for day in range(1, 6))
RULES = Rules(Organization(frozenset({"contoso.com"})), Policy())
CUSTOMERS = ("fabrikam.com", "northwind.example", "adatum.com", "litware.example")
COLLEAGUES = (
    "erik.holm@contoso.com",
    "sara.nyberg@contoso.com",
    "johan.ek@contoso.com",
    "maria.lind@contoso.com",
    "lars.dahl@emea.contoso.com",
)
# Ordinary weeks and the weeks around the 2026 DST changes in Europe and the US.
WEEKS = tuple(IsoWeek(2026, w) for w in (10, 11, 13, 14, 20, 21, 36, 43, 44, 45, 48))


@dataclass(frozen=True, slots=True)
class SellerWeek:
    seller: Seller
    judged: IsoWeek
    target: IsoWeek
    judged_events: tuple[CalendarEvent, ...]
    target_events: tuple[CalendarEvent, ...]


def make_seller(index: int) -> Seller:
    if index % 2:
        zone = "America/New_York"
        hours = WorkingHours(WEEKDAYS, time(9), time(18), zone)
        rule = BlockRule(
            "prospecting", frozenset({Weekday.MONDAY, Weekday.WEDNESDAY}), time(9), time(11)
        )
    else:
        zone = "Europe/Stockholm"
        hours = WorkingHours(WEEKDAYS, time(8), time(17), zone)
        rule = BlockRule(
            "prospecting", frozenset({Weekday.TUESDAY, Weekday.THURSDAY}), time(8), time(10)
        )
    return Seller(f"seller{index}@contoso.com", "bench", zone, hours, (rule,))


def make_event(rng: random.Random, seller: Seller, week: IsoWeek, n: int) -> CalendarEvent:
    tz = ZoneInfo(seller.zone)
    day = week.day(Weekday(rng.choice((1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6))))
    if rng.random() < 0.03:
        start = datetime.combine(day, time(0), tzinfo=tz)
        return CalendarEvent(
            f"e{n}",
            start.astimezone(UTC),
            (start + timedelta(days=1)).astimezone(UTC),
            "Offsite",
            show_as=rng.choice((ShowAs.OOF, ShowAs.BUSY, ShowAs.FREE)),
            is_all_day=True,
        )
    opens = seller.working_hours.start.hour
    start = datetime.combine(
        day, time(rng.randint(opens - 1, opens + 8), rng.choice((0, 15, 30, 30, 45))), tzinfo=tz
    )
    length = timedelta(minutes=rng.choice((15, 30, 30, 45, 60, 60, 60, 90, 120)))
    attendees = [Attendee(rng.choice(COLLEAGUES)) for _ in range(rng.randint(0, 4))]
    if rng.random() < 0.35:
        domain = rng.choice(CUSTOMERS)
        attendees += [Attendee(f"buyer{k}@{domain}") for k in range(rng.randint(1, 3))]
    if rng.random() < 0.2:
        attendees.append(Attendee("room.kista@contoso.com", AttendeeType.RESOURCE))
    rng.shuffle(attendees)
    return CalendarEvent(
        f"e{n}",
        start.astimezone(UTC),
        (start + length).astimezone(UTC),
        f"Meeting {n}",
        show_as=rng.choices(
            (ShowAs.BUSY, ShowAs.TENTATIVE, ShowAs.FREE, ShowAs.OOF, ShowAs.WORKING_ELSEWHERE),
            (75, 10, 8, 4, 3),
        )[0],
        response=rng.choices(
            (Response.ACCEPTED, Response.ORGANIZER, Response.DECLINED, Response.NOT_RESPONDED),
            (60, 25, 5, 10),
        )[0],
        is_cancelled=rng.random() < 0.03,
        attendees=tuple(attendees),
        organizer=rng.choice((seller.upn, "erik.holm@contoso.com", "buyer@fabrikam.com")),
    )


def generate(count: int, seed: int) -> list[SellerWeek]:
    rng = random.Random(seed)
    data = []
    for index in range(count):
        seller = make_seller(index % 200)
        judged = rng.choice(WEEKS)
        target = judged.shift(RULES.policy.target_week_offset)
        judged_events = tuple(
            make_event(rng, seller, judged, n) for n in range(rng.randint(34, 46))
        )
        target_events = tuple(
            make_event(rng, seller, target, n) for n in range(rng.randint(34, 46))
        )
        data.append(SellerWeek(seller, judged, target, judged_events, target_events))
    return data


def run_one(item: SellerWeek, timings: dict[str, float]) -> tuple[int, int, int]:
    t0 = clock.perf_counter()
    occurrences = expand_blocks(item.seller, item.judged)
    t1 = clock.perf_counter()
    for event in item.judged_events:
        classify(event, RULES)
    t2 = clock.perf_counter()
    violations = find_violations(item.seller, occurrences, item.judged_events, RULES)
    t3 = clock.perf_counter()
    plan = plan_compensations(
        item.seller,
        violations,
        item.target,
        item.target_events,
        expand_blocks(item.seller, item.target),
        (),
        RULES,
    )
    t4 = clock.perf_counter()
    timings["expand blocks"] += t1 - t0
    timings["classify all events"] += t2 - t1
    timings["find violations"] += t3 - t2
    timings["plan compensations"] += t4 - t3
    return len(violations), len(plan.placements), sum(s.missing for s in plan.shortfalls)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seller-weeks", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)

    data = generate(args.seller_weeks, args.seed)
    events = sum(len(d.judged_events) + len(d.target_events) for d in data)
    per_item_ms: list[float] = []
    round_ms: list[float] = []
    stage_best: dict[str, float] = {}
    totals = [0, 0, 0]
    for _ in range(args.rounds):
        timings = dict.fromkeys(
            ("expand blocks", "classify all events", "find violations", "plan compensations"),
            0.0,
        )
        started = clock.perf_counter()
        counts = [run_one(item, timings) for item in data]
        round_ms.append((clock.perf_counter() - started) * 1000 / len(data))
        for name, seconds in timings.items():
            ms = seconds * 1000 / len(data)
            stage_best[name] = min(stage_best.get(name, ms), ms)
        totals = [sum(c[i] for c in counts) for i in range(3)]
    for item in data:  # per seller-week spread, after warm-up
        scratch = dict.fromkeys(stage_best, 0.0)
        started = clock.perf_counter()
        run_one(item, scratch)
        per_item_ms.append((clock.perf_counter() - started) * 1000)

    best = min(round_ms)
    per_item_ms.sort()
    print(f"seller-weeks: {len(data)}  events: {events} ({events / len(data) / 2:.1f} per week)")
    print(f"violations: {totals[0]}  compensations placed: {totals[1]}  short: {totals[2]}")
    print(
        f"time per seller-week: best {best:.3f} ms, median of {args.rounds} rounds "
        f"{statistics.median(round_ms):.3f} ms (target <= {TARGET_MS} ms)"
    )
    print(
        f"per seller-week spread: p50 {per_item_ms[len(per_item_ms) // 2]:.3f} ms, "
        f"p95 {per_item_ms[int(len(per_item_ms) * 0.95)]:.3f} ms, "
        f"max {per_item_ms[-1]:.3f} ms"
    )
    for name, ms in stage_best.items():
        print(f"  {name:<22} {ms:.3f} ms")
    print("within target" if best <= TARGET_MS else "ABOVE TARGET")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
