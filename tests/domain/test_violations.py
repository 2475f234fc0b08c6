from datetime import date, datetime, time, timedelta

from slotguard.domain import expand_blocks, find_violations
from slotguard.domain.model import (
    InternalMeetings,
    IsoWeek,
    Response,
    ShowAs,
    ViolationKind,
    Weekday,
)

from .factories import (
    NEW_YORK,
    STOCKHOLM,
    block,
    east_seller,
    internal,
    local,
    meeting,
    nordics_seller,
    rules,
)

SELLER = nordics_seller()
WEEK = IsoWeek(2026, 13)  # 23–29 March 2026, the week summer time starts
BLOCKS = expand_blocks(SELLER, WEEK)
TUESDAY, THURSDAY = date(2026, 3, 24), date(2026, 3, 26)
TUESDAY_KEY = "anna.berg@contoso.com|prospecting|2026-03-24"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return local(STOCKHOLM, day, hour, minute)


def test_a_customer_meeting_in_a_block_is_one_violation_keyed_by_the_occurrence() -> None:
    call = meeting(at(TUESDAY, 9), at(TUESDAY, 10))
    (violation,) = find_violations(SELLER, BLOCKS, [call], rules())
    assert violation.key == TUESDAY_KEY == violation.occurrence.key
    assert violation.meetings == (call,)
    assert violation.kind is ViolationKind.CUSTOMER and violation.compensate
    assert violation.seller == SELLER.upn


def test_touching_the_block_edge_exactly_is_not_a_violation() -> None:
    before = meeting(at(TUESDAY, 7), at(TUESDAY, 8))
    after = meeting(at(THURSDAY, 10), at(THURSDAY, 11))
    assert find_violations(SELLER, BLOCKS, [before, after], rules()) == ()


def test_the_minimum_overlap_is_inclusive() -> None:
    short = meeting(at(TUESDAY, 9, 46), at(TUESDAY, 11))  # 14 minutes inside
    enough = meeting(at(THURSDAY, 9, 45), at(THURSDAY, 11))  # 15 minutes inside
    found = find_violations(SELLER, BLOCKS, [short, enough], rules())
    assert [v.occurrence.day for v in found] == [THURSDAY]


def test_with_no_minimum_overlap_touching_the_edge_is_still_no_violation() -> None:
    any_overlap = rules(min_overlap=timedelta(0))
    after = meeting(at(TUESDAY, 10), at(TUESDAY, 11))
    before = meeting(at(THURSDAY, 7), at(THURSDAY, 8))
    assert find_violations(SELLER, BLOCKS, [after, before], any_overlap) == ()
    one_minute = meeting(at(THURSDAY, 9, 59), at(THURSDAY, 11))
    found = find_violations(SELLER, BLOCKS, [one_minute], any_overlap)
    assert [v.occurrence.day for v in found] == [THURSDAY]


def test_a_block_shorter_than_the_minimum_can_still_be_taken_whole() -> None:
    seller = nordics_seller(blocks=(block("calls", {Weekday.MONDAY}, time(8), time(8, 10)),))
    occurrences = expand_blocks(seller, WEEK)
    call = meeting(at(date(2026, 3, 23), 8), at(date(2026, 3, 23), 9))
    assert len(find_violations(seller, occurrences, [call], rules())) == 1


def test_several_meetings_in_one_block_make_one_violation_listing_all() -> None:
    late = meeting(at(TUESDAY, 9), at(TUESDAY, 10), event_id="b")
    early = meeting(at(TUESDAY, 8), at(TUESDAY, 9), event_id="c", with_="x@adatum.com")
    same_start = meeting(at(TUESDAY, 8), at(TUESDAY, 9), event_id="a", with_="y@litware.example")
    (violation,) = find_violations(SELLER, BLOCKS, [late, early, same_start], rules())
    assert [m.id for m in violation.meetings] == ["a", "c", "b"]


def test_a_meeting_over_two_blocks_takes_both() -> None:
    seller = nordics_seller(
        blocks=(
            block("calls", {Weekday.TUESDAY}, time(8), time(9)),
            block("mail", {Weekday.TUESDAY}, time(9), time(10)),
        )
    )
    occurrences = expand_blocks(seller, WEEK)
    found = find_violations(
        seller, occurrences, [meeting(at(TUESDAY, 8), at(TUESDAY, 10))], rules()
    )
    assert [v.occurrence.rule.id for v in found] == ["calls", "mail"]


def test_a_meeting_clipping_one_block_and_covering_the_next_takes_only_the_next() -> None:
    seller = nordics_seller(
        blocks=(
            block("calls", {Weekday.TUESDAY}, time(8), time(9)),
            block("mail", {Weekday.TUESDAY}, time(9, 30), time(10, 30)),
        )
    )
    occurrences = expand_blocks(seller, WEEK)
    call = meeting(at(TUESDAY, 8, 50), at(TUESDAY, 10, 30))  # 10 minutes of "calls"
    found = find_violations(seller, occurrences, [call], rules())
    assert [v.occurrence.rule.id for v in found] == ["mail"]


def test_declined_cancelled_free_and_own_events_do_not_violate() -> None:
    events = [
        meeting(at(TUESDAY, 8), response=Response.DECLINED),
        meeting(at(TUESDAY, 8), is_cancelled=True),
        meeting(at(THURSDAY, 8), show_as=ShowAs.FREE),
    ]
    assert find_violations(SELLER, BLOCKS, events, rules()) == ()


def test_a_tentative_customer_meeting_violates() -> None:
    tentative = meeting(at(THURSDAY, 8, 30), show_as=ShowAs.TENTATIVE)
    assert len(find_violations(SELLER, BLOCKS, [tentative], rules())) == 1


def test_an_all_day_absence_over_a_block_is_not_a_violation_but_a_customer_day_is() -> None:
    midnight = at(TUESDAY, 0)
    day = {"is_all_day": True, "end": midnight + timedelta(days=1)}
    vacation = meeting(midnight, with_=(), show_as=ShowAs.OOF, **day)
    assert find_violations(SELLER, BLOCKS, [vacation], rules()) == ()
    workshop = meeting(midnight, **day)
    assert [v.key for v in find_violations(SELLER, BLOCKS, [workshop], rules())] == [TUESDAY_KEY]


def test_internal_meetings_follow_the_policy() -> None:
    sync = internal(at(TUESDAY, 8), at(TUESDAY, 9))
    (reported,) = find_violations(SELLER, BLOCKS, [sync], rules())
    assert reported.kind is ViolationKind.INTERNAL and not reported.compensate
    compensate = rules(internal_meetings=InternalMeetings.COMPENSATE)
    (compensated,) = find_violations(SELLER, BLOCKS, [sync], compensate)
    assert compensated.kind is ViolationKind.INTERNAL and compensated.compensate
    ignore = rules(internal_meetings=InternalMeetings.IGNORE)
    assert find_violations(SELLER, BLOCKS, [sync], ignore) == ()


def test_a_customer_and_a_colleague_in_one_block_is_a_customer_violation() -> None:
    sync = internal(at(TUESDAY, 8), at(TUESDAY, 9))
    call = meeting(at(TUESDAY, 9), at(TUESDAY, 10))
    (violation,) = find_violations(SELLER, BLOCKS, [call, sync], rules())
    assert violation.kind is ViolationKind.CUSTOMER and violation.compensate
    assert violation.meetings == (sync, call)
    ignore = rules(internal_meetings=InternalMeetings.IGNORE)
    (without_sync,) = find_violations(SELLER, BLOCKS, [call, sync], ignore)
    assert without_sync.meetings == (call,)


def test_violations_in_the_october_dst_week_use_the_new_offset() -> None:
    week = IsoWeek(2026, 44)
    occurrences = expand_blocks(SELLER, week)
    # 08:30 on Tuesday 27 October is 07:30 UTC (CET); in summer time it would be 06:30.
    call = meeting(at(date(2026, 10, 27), 8, 30))
    (violation,) = find_violations(SELLER, occurrences, [call], rules())
    assert violation.key == "anna.berg@contoso.com|prospecting|2026-10-27"
    early = meeting(at(date(2026, 10, 29), 7), at(date(2026, 10, 29), 8))  # ends at block start
    assert len(find_violations(SELLER, occurrences, [call, early], rules())) == 1


def test_new_york_week_after_the_march_change() -> None:
    seller = east_seller()
    occurrences = expand_blocks(seller, IsoWeek(2026, 11))
    monday = date(2026, 3, 9)
    call = meeting(local(NEW_YORK, monday, 10), local(NEW_YORK, monday, 12))
    outside = meeting(local(NEW_YORK, monday, 8), local(NEW_YORK, monday, 9))
    found = find_violations(seller, occurrences, [outside, call], rules())
    assert [v.key for v in found] == ["emma.clark@contoso.com|prospecting|2026-03-09"]


def test_no_blocks_no_violations() -> None:
    seller = nordics_seller(blocks=())
    assert find_violations(seller, (), [meeting(at(TUESDAY, 8))], rules()) == ()
