"""The To Do tasks slotguard plans: a follow-up per customer meeting that took a block, and the
seller's standing weekly habits.

A follow-up is due N working days after the meeting (the seller's working days, minus
holidays) and repeats weekly on that weekday until the seller completes it. Only customer
meetings get one — there is no customer to follow up after an internal meeting, even when the
policy compensates those. A meeting that took two blocks (a multi-day event) gets one task,
under the first violation by key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from slotguard.domain.blocks import zone
from slotguard.domain.classify import MeetingClass, classify
from slotguard.domain.keys import follow_up_key, habit_key
from slotguard.domain.model import CalendarEvent, IsoWeek, Rules, Seller, Violation, Weekday


@dataclass(frozen=True, slots=True)
class FollowUpTask:
    """A task to write. What it says — title, note, the list it goes to — is words in the
    seller's language (service/compose.py); these are the facts they are made of."""

    key: str
    due: date  # seller-local
    zone: str  # IANA zone the due date is meant in
    repeat_weekly_on: Weekday | None  # None: a one-off task
    link_url: str | None = None
    violation_key: str | None = None  # None for habit tasks
    meeting: CalendarEvent | None = None  # the customer meeting a follow-up is about
    meeting_day: date | None = None  # its seller-local date
    block: str | None = None  # the title of the block it took
    habit: str | None = None  # the habit's id, for a habit task


def meeting_ref(meeting: CalendarEvent) -> str:
    """The meeting's part of a task key: its id, or a digest of what identifies it."""
    if meeting.id:
        return meeting.id
    identity = f"{meeting.start.isoformat()}|{meeting.organizer or ''}|{meeting.subject}"
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def add_working_days(
    start: date, count: int, working: frozenset[Weekday], holidays: frozenset[date]
) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself for 0)."""
    if count > 0 and not working:
        raise ValueError("working_hours.days: at least one working day is needed for due dates")
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if day.isoweekday() in working and day not in holidays:
            remaining -= 1
    return day


def plan_follow_ups(
    seller: Seller,
    violations: Iterable[Violation],
    rules: Rules,
    holidays: frozenset[date] = frozenset(),
) -> tuple[FollowUpTask, ...]:
    """One follow-up task per customer meeting that took a block, sorted by key."""
    follow_up = rules.follow_up
    tz = zone(seller.zone)
    working = seller.working_hours.days
    tasks: dict[str, FollowUpTask] = {}
    seen: set[str] = set()
    for violation in sorted(violations, key=lambda v: v.key):
        for meeting in violation.meetings:
            ref = meeting_ref(meeting)
            if ref in seen or classify(meeting, rules) is not MeetingClass.CUSTOMER:
                continue
            seen.add(ref)
            local_day = meeting.start.astimezone(tz).date()
            due = add_working_days(local_day, follow_up.due_working_days, working, holidays)
            key = follow_up_key(violation.key, ref)
            tasks[key] = FollowUpTask(
                key=key,
                due=due,
                zone=seller.zone,
                repeat_weekly_on=Weekday(due.isoweekday()) if follow_up.recurrence_weekly else None,
                link_url=meeting.web_link,
                violation_key=violation.key,
                meeting=meeting,
                meeting_day=local_day,
                block=violation.occurrence.rule.title,
            )
    return tuple(tasks[key] for key in sorted(tasks))


def habit_tasks(seller: Seller, week: IsoWeek, rules: Rules) -> tuple[FollowUpTask, ...]:
    """This week's instance of each standing habit, due on the habit's weekday."""
    return tuple(
        FollowUpTask(
            key=habit_key(seller.upn, habit.id, week),
            due=week.day(habit.weekday),
            zone=seller.zone,
            repeat_weekly_on=None,
            habit=habit.id,
        )
        for habit in sorted(rules.follow_up.habits, key=lambda habit: habit.id)
    )
