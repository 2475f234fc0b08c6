import random
from dataclasses import replace
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
    OwnMarker,
    Purpose,
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


def _only_monday_is_near(zone: str = STOCKHOLM) -> list:
    """Monday is free; every other day's first free time is 13:00 or later."""
    return [
        busy(at(TUE, 10, zone=zone), at(TUE, 17, zone=zone)),
        busy(at(WED, 7, zone=zone), at(WED, 13, zone=zone)),
        busy(at(THU, 10, zone=zone), at(THU, 17, zone=zone)),
        busy(at(FRI, 7, zone=zone), at(FRI, 17, zone=zone)),
    ]


def test_a_different_day_beats_a_nearer_time_on_the_same_day() -> None:
    # Monday 10:00 is two hours from the lost 08:00, Wednesday 13:00 five: a second block
    # on another day still wins, unless the policy drops that preference.
    result = plan(tuesday_taken(), _only_monday_is_near())
    assert slots(result) == [("comp1", "Mon 08:00", "10:00"), ("comp2", "Wed 13:00", "15:00")]
    same_day_ok = rules(prefer_different_days=False)
    assert slots(plan(tuesday_taken(), _only_monday_is_near(), policy=same_day_ok)) == [
        ("comp1", "Mon 08:00", "10:00"),
        ("comp2", "Mon 10:00", "12:00"),
    ]


def test_an_existing_compensation_is_counted_and_its_day_avoided() -> None:
    (violation,) = tuesday_taken()
    done = compensation_event(f"{violation.key}#comp1", at(MON, 8), at(MON, 10))
    result = plan((violation,), [done, *_only_monday_is_near()], [done])
    assert slots(result) == [("comp2", "Wed 13:00", "15:00")]
    same_day_ok = rules(prefer_different_days=False)
    again = plan((violation,), [done, *_only_monday_is_near()], [done], policy=same_day_ok)
    assert slots(again) == [("comp2", "Mon 10:00", "12:00")]


def seller_in(zone: str) -> Seller:
    """Team Nordics' seller (blocks Tue+Thu 08:00–10:00) working 08–17 in ``zone``."""
    return nordics_seller(zone=zone, working_hours=WorkingHours(WEEKDAYS, time(8), time(17), zone))


def tuesday_taken_in(seller: Seller, until: int = 10) -> tuple[Violation, ...]:
    day, zone = JUDGED.day(Weekday.TUESDAY), seller.zone
    taken = meeting(at(day, 8, zone=zone), at(day, until, zone=zone))
    return violations_for(seller, JUDGED, [taken], rules())


def test_an_existing_compensations_day_is_the_sellers_local_day() -> None:
    # 08:00 on Monday in Tokyo is 23:00 on Sunday in UTC; Monday is the day to avoid.
    tokyo = "Asia/Tokyo"
    seller = seller_in(tokyo)
    (violation,) = tuesday_taken_in(seller)
    done = compensation_event(
        f"{violation.key}#comp1", at(MON, 8, zone=tokyo), at(MON, 10, zone=tokyo)
    )
    result = plan((violation,), [done, *_only_monday_is_near(tokyo)], [done], seller=seller)
    assert slots(result, tokyo) == [("comp2", "Wed 13:00", "15:00")]


def test_existing_events_that_are_not_compensations_are_skipped_not_the_ones_after() -> None:
    (violation,) = tuesday_taken()
    block_event = replace(
        compensation_event("x", at(MON, 8), at(MON, 10)),
        marker=OwnMarker(Purpose.BLOCK, violation.key),
    )
    unparsable = compensation_event("not-a-compensation-key", at(FRI, 14), at(FRI, 15))
    plain = busy(at(FRI, 16), at(FRI, 17))
    done = compensation_event(f"{violation.key}#comp1", at(WED, 8), at(WED, 10))
    existing = [block_event, unparsable, plain, done]
    assert slots(plan((violation,), [done], existing)) == [("comp2", "Mon 08:00", "10:00")]


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
    with pytest.raises(ValueError) as error:
        plan(tuesday_taken(), policy=rules(granularity=timedelta(0)))
    assert str(error.value) == (
        "policy.granularity: must be a positive duration, e.g. 15 minutes"
    )
    to_the_second = plan(tuesday_taken(), policy=rules(granularity=timedelta(seconds=1)))
    assert slots(to_the_second) == [
        ("comp1", "Mon 08:00", "10:00"),
        ("comp2", "Wed 08:00", "10:00"),
    ]


def test_without_the_same_time_preference_slots_start_when_the_working_day_opens() -> None:
    seller = nordics_seller(blocks=(block("friday", {Weekday.FRIDAY}, time(15), time(17)),))
    day = JUDGED.day(Weekday.FRIDAY)
    found = violations_for(seller, JUDGED, [meeting(at(day, 15), at(day, 16))], rules())
    anytime = rules(prefer_same_time=False)
    assert slots(plan(found, seller=seller, policy=anytime)) == [
        ("comp1", "Mon 08:00", "10:00"),
        ("comp2", "Tue 08:00", "10:00"),
    ]


def test_hourly_starts_fall_on_the_local_hour_in_kathmandu() -> None:
    # UTC+05:45: an hour on the seller's wall clock starts at a quarter past in UTC.
    kathmandu = "Asia/Kathmandu"
    seller = seller_in(kathmandu)
    found = tuesday_taken_in(seller, until=9)
    mornings = [busy(at(d, 7, zone=kathmandu), at(d, 9, 10, zone=kathmandu)) for d in (MON, WED)]
    hourly = rules(granularity=timedelta(hours=1))
    result = plan(found, mornings, seller=seller, policy=hourly)
    # Free from 09:10: the next local hour, 10:00, not 09:45 (a whole hour in UTC).
    assert slots(result, kathmandu) == [
        ("comp1", "Fri 08:00", "10:00"),
        ("comp2", "Mon 10:00", "12:00"),
    ]


def test_the_weekly_cap_counts_the_sellers_own_week_midnight_to_midnight() -> None:
    cap = rules(max_compensations_per_week=1)
    following_monday = TARGET.shift(1).day(Weekday.MONDAY)
    first = compensation_event("other|r|2026-03-20#comp1", at(MON, 0), at(MON, 0, 30))
    after = compensation_event("other|r|2026-03-20#comp2", at(following_monday, 0),
                               at(following_monday, 0, 30))
    assert plan(tuesday_taken(), existing=[first], policy=cap).placements == ()
    assert len(plan(tuesday_taken(), existing=[after], policy=cap).placements) == 1
    # In Tokyo the seller's Monday 08:00 is still Sunday in UTC.
    tokyo = "Asia/Tokyo"
    seller = seller_in(tokyo)
    found = tuesday_taken_in(seller)
    this_week = compensation_event(
        "other|r|2026-03-20#comp1", at(MON, 8, zone=tokyo), at(MON, 9, zone=tokyo)
    )
    next_week = compensation_event(
        "other|r|2026-03-20#comp2",
        at(following_monday, 8, zone=tokyo),
        at(following_monday, 9, zone=tokyo),
    )
    assert plan(found, existing=[this_week], policy=cap, seller=seller).placements == ()
    assert len(plan(found, existing=[next_week], policy=cap, seller=seller).placements) == 1


@pytest.mark.parametrize(
    ("key", "parsed"),
    [
        ("a@x|r|2026-03-24#comp2", ("a@x|r|2026-03-24", 2)),
        ("a@x|r|2026-03-24#comp0", None),
        ("a@x|r|2026-03-24#task:1", None),
        ("#comp1", None),
        ("a@x|r|2026-03-24#compx", None),
        # A rule id may itself contain "#comp": the index follows the last one.
        ("a@x|team#compliance|2026-03-24#comp1", ("a@x|team#compliance|2026-03-24", 1)),
    ],
)
def test_compensation_keys(key: str, parsed: tuple[str, int] | None) -> None:
    assert parse_compensation_key(key) == parsed
