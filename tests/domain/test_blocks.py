from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from slotguard.domain import expand_blocks, resolve_local, working_days, zone
from slotguard.domain.model import IsoWeek, Weekday, WorkingHours

from .factories import NEW_YORK, STOCKHOLM, block, east_seller, nordics_seller


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_stockholm_blocks_stay_at_eight_local_across_the_march_change() -> None:
    # 2026-W13 is 23–29 March; summer time starts on its Sunday (29 March, 02:00 → 03:00).
    seller = nordics_seller()
    before = expand_blocks(seller, IsoWeek(2026, 13))
    after = expand_blocks(seller, IsoWeek(2026, 14))
    assert [(o.day, o.start, o.end) for o in before] == [
        (date(2026, 3, 24), utc(2026, 3, 24, 7), utc(2026, 3, 24, 9)),
        (date(2026, 3, 26), utc(2026, 3, 26, 7), utc(2026, 3, 26, 9)),
    ]
    assert [o.start for o in after] == [utc(2026, 3, 31, 6), utc(2026, 4, 2, 6)]
    assert before[0].key == "anna.berg@contoso.com|prospecting|2026-03-24"


def test_stockholm_blocks_in_the_october_week_after_the_change() -> None:
    # Summer time ends Sunday 25 October (W43); W44 runs on CET again.
    seller = nordics_seller()
    assert [o.start for o in expand_blocks(seller, IsoWeek(2026, 43))] == [
        utc(2026, 10, 20, 6),
        utc(2026, 10, 22, 6),
    ]
    assert [o.start for o in expand_blocks(seller, IsoWeek(2026, 44))] == [
        utc(2026, 10, 27, 7),
        utc(2026, 10, 29, 7),
    ]


def test_new_york_blocks_follow_the_wall_clock_on_both_changes() -> None:
    seller = east_seller()
    # 2026-03-08 (Sunday, W10) EST → EDT; 2026-11-01 (Sunday, W44) EDT → EST.
    assert expand_blocks(seller, IsoWeek(2026, 10))[0].start == utc(2026, 3, 2, 14)
    assert expand_blocks(seller, IsoWeek(2026, 11))[0].start == utc(2026, 3, 9, 13)
    assert expand_blocks(seller, IsoWeek(2026, 44))[0].start == utc(2026, 10, 26, 13)
    assert expand_blocks(seller, IsoWeek(2026, 45))[0].start == utc(2026, 11, 2, 14)


@pytest.mark.parametrize(
    ("zone_name", "day", "wall", "expected"),
    [
        # Nonexistent: the first instant after the gap, i.e. the transition (03:00 local).
        (STOCKHOLM, date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1)),
        (STOCKHOLM, date(2026, 3, 29), time(2, 0), utc(2026, 3, 29, 1)),
        # Times whose bisection does not land on the transition at once: exact to the second.
        (STOCKHOLM, date(2026, 3, 29), time(2, 0, 1), utc(2026, 3, 29, 1)),
        (STOCKHOLM, date(2026, 3, 29), time(2, 10), utc(2026, 3, 29, 1)),
        (STOCKHOLM, date(2026, 3, 29), time(2, 59, 59), utc(2026, 3, 29, 1)),
        (NEW_YORK, date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7)),
        # Ambiguous: the first occurrence (still summer time).
        (STOCKHOLM, date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30)),
        (NEW_YORK, date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),
        # Either side of the changes, ordinary times.
        (STOCKHOLM, date(2026, 3, 29), time(3, 0), utc(2026, 3, 29, 1)),
        (STOCKHOLM, date(2026, 3, 29), time(1, 59), utc(2026, 3, 29, 0, 59)),
        (STOCKHOLM, date(2026, 10, 25), time(3, 0), utc(2026, 10, 25, 2)),
    ],
)
def test_resolve_local_handles_gaps_and_repeats_on_purpose(
    zone_name: str, day: date, wall: time, expected: datetime
) -> None:
    assert resolve_local(day, wall, ZoneInfo(zone_name)) == expected


def test_a_block_starting_in_the_gap_starts_when_the_clock_resumes() -> None:
    night = block("night", {Weekday.SUNDAY}, time(2, 30), time(4))
    seller = nordics_seller(blocks=(night,))
    (occurrence,) = expand_blocks(seller, IsoWeek(2026, 13))
    assert (occurrence.start, occurrence.end) == (utc(2026, 3, 29, 1), utc(2026, 3, 29, 2))
    assert occurrence.day == date(2026, 3, 29)


def test_a_block_wholly_inside_the_gap_vanishes_that_day_only() -> None:
    lost = block("lost", {Weekday.SUNDAY}, time(2), time(2, 45))
    seller = nordics_seller(blocks=(lost,))
    assert expand_blocks(seller, IsoWeek(2026, 13)) == ()
    (next_week,) = expand_blocks(seller, IsoWeek(2026, 14))
    assert next_week.end - next_week.start == timedelta(minutes=45)


def test_a_block_in_the_repeated_hour_uses_its_first_showing() -> None:
    repeated = block("repeated", {Weekday.SUNDAY}, time(2), time(2, 30))
    seller = nordics_seller(blocks=(repeated,))
    (occurrence,) = expand_blocks(seller, IsoWeek(2026, 43))
    assert (occurrence.start, occurrence.end) == (utc(2026, 10, 25, 0), utc(2026, 10, 25, 0, 30))


def test_blocks_are_sorted_by_start_across_rules() -> None:
    seller = nordics_seller(
        blocks=(
            block("b-afternoon", {Weekday.MONDAY}, time(14), time(15)),
            block("a-morning", {Weekday.FRIDAY, Weekday.MONDAY}, time(9), time(10)),
        )
    )
    week = expand_blocks(seller, IsoWeek(2026, 20))
    assert [(o.rule.id, o.day.isoweekday()) for o in week] == [
        ("a-morning", 1),
        ("b-afternoon", 1),
        ("a-morning", 5),
    ]


@pytest.mark.parametrize("end", [time(8), time(10)])
def test_a_block_ending_before_or_when_it_starts_is_a_named_error(end: time) -> None:
    seller = nordics_seller(blocks=(block("backwards", {Weekday.MONDAY}, time(10), end),))
    with pytest.raises(ValueError, match=r"blocks\.backwards\.end: must be after start \(10:00\)"):
        expand_blocks(seller, IsoWeek(2026, 20))


def test_working_days_in_the_hours_own_zone() -> None:
    hours = WorkingHours(frozenset({Weekday.FRIDAY, Weekday.MONDAY}), time(9), time(18), NEW_YORK)
    days = working_days(hours, IsoWeek(2026, 11))
    assert [(d.day, d.start, d.end) for d in days] == [
        (date(2026, 3, 9), utc(2026, 3, 9, 13), utc(2026, 3, 9, 22)),
        (date(2026, 3, 13), utc(2026, 3, 13, 13), utc(2026, 3, 13, 22)),
    ]


def test_working_hours_past_midnight_and_a_short_dst_day() -> None:
    night = WorkingHours(frozenset({Weekday.SATURDAY}), time(22), time(6), STOCKHOLM)
    (shift,) = working_days(night, IsoWeek(2026, 13))
    assert (shift.start, shift.end) == (utc(2026, 3, 28, 21), utc(2026, 3, 29, 4))
    whole = WorkingHours(frozenset({Weekday.SUNDAY}), time(0), time(0), STOCKHOLM)
    (sunday,) = working_days(whole, IsoWeek(2026, 13))
    assert sunday.end - sunday.start == timedelta(hours=23)


def test_working_hours_wholly_inside_the_gap_leave_no_working_day_that_night() -> None:
    lost = WorkingHours(frozenset({Weekday.SUNDAY}), time(2), time(3), STOCKHOLM)
    assert working_days(lost, IsoWeek(2026, 13)) == ()  # 02:00–03:00 never happens
    (next_week,) = working_days(lost, IsoWeek(2026, 14))
    assert next_week.end - next_week.start == timedelta(hours=1)


def test_an_unknown_zone_is_a_named_error() -> None:
    with pytest.raises(ValueError, match=r"zone: unknown IANA time zone 'Mars/Olympus'"):
        zone("Mars/Olympus")
