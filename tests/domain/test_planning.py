import random
from datetime import date, datetime, time, timedelta

import pytest

from slotguard.domain import (
    expand_blocks,
    find_violations,
    parse_compensation_key,
    plan_compensations,
    planning_weeks,
)
from slotguard.domain.model import (
    InternalMeetings,
    IsoWeek,
    Response,
    Rules,
    Seller,
    ShowAs,
    Violation,
    Weekday,
    WhenFull,
    WorkingHours,
)
from slotguard.domain.planning import CompensationPlan

from .factories import (
    NEW_YORK,
    STOCKHOLM,
    WEEKDAYS,
    block,
    busy,
    compensation_event,
    east_seller,
    internal,
    local,
    meeting,
    nordics_seller,
    rules,
)

SELLER = nordics_seller()
JUDGED = IsoWeek(2026, 13)
TARGET = IsoWeek(2026, 14)  # 30 March – 5 April, summer time
MON, TUE, WED, THU, FRI = (TARGET.day(Weekday(d)) for d in range(1, 6))


def at(day: date, hour: int, minute: int = 0, zone: str = STOCKHOLM) -> datetime:
    return local(zone, day, hour, minute)


def violations_for(
    seller: Seller, week: IsoWeek, events: list, policy: Rules
) -> tuple[Violation, ...]:
    return find_violations(seller, expand_blocks(seller, week), events, policy)


def tuesday_taken(seller: Seller = SELLER) -> tuple[Violation, ...]:
    day = JUDGED.day(Weekday.TUESDAY)
    return violations_for(seller, JUDGED, [meeting(at(day, 8), at(day, 10))], rules())


def plan(
    violations: tuple[Violation, ...],
    events: list | None = None,
    existing: list | None = None,
    policy: Rules | None = None,
    seller: Seller = SELLER,
    target: IsoWeek = TARGET,
    **kwargs: object,
) -> CompensationPlan:
    policy = policy or rules()
    weeks = planning_weeks(target, policy.policy)
    blocks = [occ for week in weeks for occ in expand_blocks(seller, week)]
    return plan_compensations(
        seller, violations, target, events or [], blocks, existing or [], policy, **kwargs
    )


def slots(result: CompensationPlan, zone: str = STOCKHOLM) -> list[tuple[str, str, str]]:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    return [
        (
            p.key.rpartition("#")[2],
            p.start.astimezone(tz).strftime("%a %H:%M"),
            p.end.astimezone(tz).strftime("%H:%M"),
        )
        for p in result.placements
    ]


def test_two_blocks_next_week_on_different_days_at_the_same_local_time() -> None:
    # The lost block was 08:00 CET; next week is summer time and still gets 08:00 local.
    result = plan(tuesday_taken())
    assert slots(result) == [("comp1", "Mon 08:00", "10:00"), ("comp2", "Wed 08:00", "10:00")]
    assert result.shortfalls == ()
    first = result.placements[0]
    assert first.key == "anna.berg@contoso.com|prospecting|2026-03-24#comp1"
    assert first.violation_key == "anna.berg@contoso.com|prospecting|2026-03-24"
    assert first.rule.title == "Prospecting" and first.lost_day == date(2026, 3, 24)
    assert first.start == datetime.fromisoformat("2026-03-30T06:00:00+00:00")


def test_busy_time_and_protected_blocks_push_slots_to_the_nearest_aligned_free_time() -> None:
    events = [
        busy(at(MON, 7), at(MON, 9, 10)),  # ends off the 15-minute grid
        meeting(at(WED, 8), at(WED, 9), show_as=ShowAs.TENTATIVE),
        busy(at(WED, 9), at(WED, 17), show_as=ShowAs.OOF),
        busy(at(FRI, 0), at(FRI, 23, 59)),
    ]
    result = plan(tuesday_taken(), events)
    # Monday from 09:15 (aligned after 09:10); Wednesday and Friday are gone, Tuesday's and
    # Thursday's mornings are protected blocks, so the second slot follows Tuesday's block.
    assert slots(result) == [("comp1", "Mon 09:15", "11:15"), ("comp2", "Tue 10:00", "12:00")]


def test_free_working_elsewhere_declined_and_cancelled_events_leave_time_usable() -> None:
    events = [
        busy(at(MON, 8), at(MON, 10), show_as=ShowAs.FREE),
        busy(at(MON, 8), at(MON, 10), show_as=ShowAs.WORKING_ELSEWHERE),
        meeting(at(WED, 8), at(WED, 10), response=Response.DECLINED),
        meeting(at(WED, 8), at(WED, 10), is_cancelled=True),
    ]
    assert slots(plan(tuesday_taken(), events)) == [
        ("comp1", "Mon 08:00", "10:00"),
        ("comp2", "Wed 08:00", "10:00"),
    ]


def test_an_existing_compensation_is_counted_and_its_day_avoided() -> None:
    (violation,) = tuesday_taken()
    done = compensation_event(f"{violation.key}#comp1", at(MON, 8), at(MON, 10))
    result = plan((violation,), [done], [done])
    assert slots(result) == [("comp2", "Wed 08:00", "10:00")]


def test_a_missing_index_is_reused() -> None:
    (violation,) = tuesday_taken()
    done = compensation_event(f"{violation.key}#comp2", at(WED, 8), at(WED, 10))
    assert slots(plan((violation,), [done], [done])) == [("comp1", "Mon 08:00", "10:00")]


def test_planning_is_deterministic_whatever_the_input_order() -> None:
    day = JUDGED.day(Weekday.THURSDAY)
    found = list(tuesday_taken()) + list(
        violations_for(SELLER, JUDGED, [meeting(at(day, 9), at(day, 10))], rules())
    )
    events = [busy(at(d, h), at(d, h + 1)) for d in (MON, WED, FRI) for h in (8, 11, 14)]
    first = plan(tuple(found), events)
    rng = random.Random(7)
    for _ in range(5):
        rng.shuffle(found)
        rng.shuffle(events)
        assert plan(tuple(found), list(events)) == first
    assert len(first.placements) == 4 and not first.shortfalls


def test_a_friday_block_is_made_up_the_following_week() -> None:
    seller = nordics_seller(blocks=(block("friday", {Weekday.FRIDAY}, time(15), time(17)),))
    day = JUDGED.day(Weekday.FRIDAY)
    found = violations_for(seller, JUDGED, [meeting(at(day, 15), at(day, 16))], rules())
    result = plan(found, seller=seller)
    assert slots(result) == [("comp1", "Mon 15:00", "17:00"), ("comp2", "Tue 15:00", "17:00")]
    assert all(IsoWeek.of(p.start.date()) == TARGET for p in result.placements)


def test_working_hours_ending_before_the_block_time_pull_slots_inside_them() -> None:
    hours = WorkingHours(WEEKDAYS, time(6), time(12), STOCKHOLM)
    seller = nordics_seller(
        working_hours=hours,
        blocks=(block("afternoon", {Weekday.TUESDAY}, time(13), time(15)),),
    )
    day = JUDGED.day(Weekday.TUESDAY)
    found = violations_for(seller, JUDGED, [meeting(at(day, 13), at(day, 14))], rules())
    assert slots(plan(found, seller=seller)) == [
        ("comp1", "Mon 10:00", "12:00"),
        ("comp2", "Tue 10:00", "12:00"),
    ]


def _full_week(week: IsoWeek) -> list:
    return [busy(at(week.day(Weekday(d)), 7), at(week.day(Weekday(d)), 18)) for d in range(1, 6)]


def test_a_week_without_room_is_a_shortfall() -> None:
    result = plan(tuesday_taken(), _full_week(TARGET))
    assert result.placements == ()
    assert [(s.violation_key, s.missing) for s in result.shortfalls] == [
        ("anna.berg@contoso.com|prospecting|2026-03-24", 2)
    ]


def _room_for_one() -> list:
    """The target week is full except Monday 08:00–10:00."""
    return [*_full_week(TARGET)[1:], busy(at(MON, 7), at(MON, 8)), busy(at(MON, 10), at(MON, 18))]


def test_a_second_slot_on_the_same_day_beats_none() -> None:
    # Different days are a preference: with only Monday free both land there.
    result = plan(tuesday_taken(), _full_week(TARGET)[1:])
    assert slots(result) == [("comp1", "Mon 08:00", "10:00"), ("comp2", "Mon 10:00", "12:00")]


def test_a_week_with_room_for_one_places_one_and_reports_one() -> None:
    events = _room_for_one()
    result = plan(tuesday_taken(), events)
    assert slots(result) == [("comp1", "Mon 08:00", "10:00")]
    assert [s.missing for s in result.shortfalls] == [1]


def test_spill_continues_into_the_week_after() -> None:
    spill = rules(when_full=WhenFull.SPILL)
    following = TARGET.shift(1)
    events = _room_for_one()
    result = plan(tuesday_taken(), events, policy=spill)
    assert [(p.start.date(), p.key[-5:]) for p in result.placements] == [
        (MON, "comp1"),
        (following.day(Weekday.MONDAY), "comp2"),
    ]
    assert result.shortfalls == ()
    both_full = plan(tuesday_taken(), _full_week(TARGET) + _full_week(following), policy=spill)
    assert both_full.placements == () and both_full.shortfalls[0].missing == 2


def test_the_weekly_cap_counts_existing_compensations() -> None:
    day = JUDGED.day(Weekday.THURSDAY)
    found = tuesday_taken() + violations_for(
        SELLER, JUDGED, [meeting(at(day, 8), at(day, 9))], rules()
    )
    other = compensation_event("someone|else|2026-03-20#comp1", at(FRI, 13), at(FRI, 15))
    capped = rules(max_compensations_per_week=3)
    result = plan(found, [other], [other], policy=capped)
    assert len(result.placements) == 2  # 3 allowed, 1 already there
    assert [(s.violation_key[-10:], s.missing) for s in result.shortfalls] == [("2026-03-26", 2)]
    spilled = plan(
        found,
        [other],
        [other],
        policy=rules(max_compensations_per_week=3, when_full=WhenFull.SPILL),
    )
    assert len(spilled.placements) == 4 and not spilled.shortfalls
    assert sum(IsoWeek.of(p.start.date()) == TARGET for p in spilled.placements) == 2


def test_only_compensated_violations_are_planned() -> None:
    day = JUDGED.day(Weekday.TUESDAY)
    sync = [internal(at(day, 8), at(day, 9))]
    reported = violations_for(SELLER, JUDGED, sync, rules())
    assert plan(reported) == CompensationPlan((), ())
    compensate = rules(internal_meetings=InternalMeetings.COMPENSATE)
    assert len(plan(violations_for(SELLER, JUDGED, sync, compensate)).placements) == 2


def test_not_before_keeps_a_late_plan_out_of_the_past() -> None:
    result = plan(tuesday_taken(), not_before=at(TUE, 12, 5))
    assert slots(result) == [("comp1", "Wed 08:00", "10:00"), ("comp2", "Fri 08:00", "10:00")]


def test_new_york_seller_after_the_march_change() -> None:
    seller = east_seller()
    judged, target = IsoWeek(2026, 10), IsoWeek(2026, 11)
    monday = judged.day(Weekday.MONDAY)
    taken = meeting(at(monday, 9, zone=NEW_YORK), at(monday, 10, zone=NEW_YORK))
    found = violations_for(seller, judged, [taken], rules())
    result = plan(found, seller=seller, target=target)
    # Target Monday and Wednesday mornings are protected blocks: Tuesday and Thursday 09:00.
    assert slots(result, NEW_YORK) == [
        ("comp1", "Tue 09:00", "11:00"),
        ("comp2", "Thu 09:00", "11:00"),
    ]
    assert result.placements[0].start == datetime.fromisoformat("2026-03-10T13:00:00+00:00")


def test_granularity_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"policy\.granularity"):
        plan(tuesday_taken(), policy=rules(granularity=timedelta(0)))


@pytest.mark.parametrize(
    ("key", "parsed"),
    [
        ("a@x|r|2026-03-24#comp2", ("a@x|r|2026-03-24", 2)),
        ("a@x|r|2026-03-24#comp0", None),
        ("a@x|r|2026-03-24#task:1", None),
        ("#comp1", None),
        ("a@x|r|2026-03-24#compx", None),
    ],
)
def test_compensation_keys(key: str, parsed: tuple[str, int] | None) -> None:
    assert parse_compensation_key(key) == parsed
