from dataclasses import replace
from datetime import date, time, timedelta

import pytest

from slotguard.domain import (
    add_working_days,
    expand_blocks,
    find_violations,
    habit_tasks,
    plan_follow_ups,
)
from slotguard.domain.followup import meeting_ref
from slotguard.domain.model import (
    FollowUpRules,
    HabitTask,
    InternalMeetings,
    IsoWeek,
    Organization,
    Policy,
    Rules,
    Violation,
    ViolationKind,
    Weekday,
)

from .factories import (
    CONTOSO,
    STOCKHOLM,
    WEEKDAYS,
    block,
    internal,
    local,
    meeting,
    nordics_seller,
)

SELLER = nordics_seller()
WEEK = IsoWeek(2026, 13)
THURSDAY = date(2026, 3, 26)
KEY = "anna.berg@contoso.com|prospecting|2026-03-26"


def rules_with(**follow_up: object) -> Rules:
    return Rules(CONTOSO, Policy(), FollowUpRules(**follow_up))


def violations(events: list, rules: Rules) -> tuple[Violation, ...]:
    return find_violations(SELLER, expand_blocks(SELLER, WEEK), events, rules)


def test_one_task_per_customer_meeting_due_in_working_days_repeating_weekly() -> None:
    rules = rules_with()
    call = meeting(
        local(STOCKHOLM, THURSDAY, 8, 30),
        subject="Fabrikam pricing",
        event_id="AAMk-1",
        web_link="https://outlook.office365.com/owa/?itemid=AAMk-1",
    )
    (task,) = plan_follow_ups(SELLER, violations([call], rules), rules)
    assert task.key == f"{KEY}#task:AAMk-1"
    # What its words are made of (service/compose.py writes them in the seller's language).
    assert (task.meeting, task.meeting_day, task.block) == (call, THURSDAY, "Prospecting")
    assert task.habit is None
    assert task.due == date(2026, 3, 30)  # Thursday + 2 working days = Monday
    assert task.repeat_weekly_on is Weekday.MONDAY
    assert task.link_url == call.web_link and task.violation_key == KEY
    assert task.zone == STOCKHOLM


def test_the_meetings_local_date_is_used_not_the_utc_one() -> None:
    seller = nordics_seller(blocks=())
    rules = rules_with()
    late = meeting(local(STOCKHOLM, THURSDAY, 0, 30))  # 23:30 UTC on Wednesday
    (occurrence,) = expand_blocks(nordics_seller(), WEEK)[1:]
    violation = Violation(occurrence.key, seller.upn, occurrence, (late,), ViolationKind.CUSTOMER)
    (task,) = plan_follow_ups(seller, [violation], rules)
    assert task.meeting_day == THURSDAY


def test_holidays_and_weekends_are_skipped() -> None:
    good_friday, easter_monday = date(2026, 4, 3), date(2026, 4, 6)
    holidays = frozenset({good_friday, easter_monday})
    assert add_working_days(date(2026, 4, 2), 1, WEEKDAYS, holidays) == date(2026, 4, 7)
    assert add_working_days(date(2026, 4, 2), 0, WEEKDAYS, holidays) == date(2026, 4, 2)
    rules = rules_with(due_working_days=1, recurrence_weekly=False)
    call = meeting(local(STOCKHOLM, date(2026, 4, 2), 8))
    found = find_violations(SELLER, expand_blocks(SELLER, IsoWeek(2026, 14)), [call], rules)
    (task,) = plan_follow_ups(SELLER, found, rules, holidays)
    assert task.due == date(2026, 4, 7) and task.repeat_weekly_on is None


def test_internal_meetings_get_no_follow_up_even_when_compensated() -> None:
    rules = Rules(CONTOSO, Policy(internal_meetings=InternalMeetings.COMPENSATE))
    sync = internal(local(STOCKHOLM, THURSDAY, 8))
    call = meeting(local(STOCKHOLM, THURSDAY, 9), event_id="c1")
    found = violations([sync, call], rules)
    assert [t.key for t in plan_follow_ups(SELLER, found, rules)] == [f"{KEY}#task:c1"]
    assert plan_follow_ups(SELLER, violations([sync], rules), rules) == ()


def test_two_customer_meetings_in_one_block_get_two_tasks() -> None:
    rules = rules_with()
    first = meeting(local(STOCKHOLM, THURSDAY, 8), event_id="b", subject="")
    second = meeting(local(STOCKHOLM, THURSDAY, 9), event_id="a")
    tasks = plan_follow_ups(SELLER, violations([first, second], rules), rules)
    assert [t.key.rpartition(":")[2] for t in tasks] == ["a", "b"]
    assert [t.meeting for t in tasks] == [second, first]


def test_a_meeting_without_an_id_gets_a_stable_reference() -> None:
    rules = rules_with()
    call = meeting(local(STOCKHOLM, THURSDAY, 8), event_id="")
    first = plan_follow_ups(SELLER, violations([call], rules), rules)
    again = plan_follow_ups(SELLER, violations([call], rules), rules)
    assert first[0].key == again[0].key and len(first[0].key.rpartition(":")[2]) == 16


def test_a_meeting_without_an_id_keeps_its_reference_across_releases() -> None:
    # The reference is part of task keys already written to To Do: changing how it is
    # derived would make every open follow-up look new and be written again.
    call = meeting(local(STOCKHOLM, THURSDAY, 8), event_id="", subject="Fabrikam renewal")
    assert meeting_ref(call) == "9c0a9a54d17c1281"
    assert meeting_ref(replace(call, organizer=None)) == "e5c390c326a12ca1"
    assert meeting_ref(replace(call, organizer="cfo@adatum.com")) != meeting_ref(call)
    assert meeting_ref(replace(call, id="AAMk-1")) == "AAMk-1"


def test_a_meeting_that_took_two_blocks_gets_one_task_under_the_first_violation() -> None:
    seller = nordics_seller(
        blocks=(
            block("calls", {Weekday.THURSDAY}, time(8), time(9)),
            block("mail", {Weekday.THURSDAY}, time(9), time(10)),
        )
    )
    rules = rules_with()
    call = meeting(local(STOCKHOLM, THURSDAY, 8), local(STOCKHOLM, THURSDAY, 10), event_id="m1")
    found = find_violations(seller, expand_blocks(seller, WEEK), [call], rules)
    assert [v.occurrence.rule.id for v in found] == ["calls", "mail"]
    (task,) = plan_follow_ups(seller, tuple(reversed(found)), rules)
    assert task.violation_key == found[0].key
    assert task.key == f"{found[0].key}#task:m1"


def test_habit_tasks_for_a_week() -> None:
    habits = (
        HabitTask("opportunities", Weekday.FRIDAY),
        HabitTask("calls", Weekday.THURSDAY),
    )
    rules = Rules(Organization(frozenset({"contoso.com"})), follow_up=FollowUpRules(habits=habits))
    seller = nordics_seller(upn="Anna.Berg@contoso.com")
    tasks = habit_tasks(seller, IsoWeek(2026, 48), rules)
    assert [(t.key, t.due) for t in tasks] == [
        ("anna.berg@contoso.com|habit:calls|2026-W48", date(2026, 11, 26)),
        ("anna.berg@contoso.com|habit:opportunities|2026-W48", date(2026, 11, 27)),
    ]
    assert [t.habit for t in tasks] == ["calls", "opportunities"]
    assert tasks[0].violation_key is None and tasks[0].repeat_weekly_on is None
    assert {t.zone for t in tasks} == {STOCKHOLM}


def test_due_dates_need_a_working_day() -> None:
    for count in (1, 2):
        with pytest.raises(ValueError) as error:
            add_working_days(THURSDAY, count, frozenset(), frozenset())
        assert str(error.value) == (
            "working_hours.days: at least one working day is needed for due dates"
        )
    assert add_working_days(THURSDAY, 0, frozenset(), frozenset()) == THURSDAY  # due that day
    assert add_working_days(THURSDAY, 3, WEEKDAYS, frozenset()) - THURSDAY == timedelta(days=5)
