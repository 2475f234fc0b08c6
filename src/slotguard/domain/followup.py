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
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from slotguard.domain.blocks import zone
from slotguard.domain.classify import MeetingClass, classify
from slotguard.domain.keys import follow_up_key, habit_key
from slotguard.domain.model import CalendarEvent, IsoWeek, Rules, Seller, Violation, Weekday

_PLACEHOLDERS = ("meeting", "date", "block")

# Exchange keeps an item's subject to 255 characters (EWS cuts longer ones; Graph documents
# no limit), and To Do shows task titles the same way: what slotguard writes fits in it.
TITLE_LIMIT = 255
# Bidirectional controls reorder what a reader sees (U+202E shows "txt.exe" as "exe.txt").
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                  "\u2066\u2067\u2068\u2069\ufeff")


def unsafe_character(text: str) -> str | None:
    """The first control or bidirectional-control character in ``text``, or None."""
    for char in text:
        if char in _BIDI or unicodedata.category(char) == "Cc":
            return char
    return None


def plain(text: str) -> str:
    """``text`` without control and bidirectional-control characters; line breaks and
    tabs become spaces (a meeting subject from Graph can carry any of them)."""
    if unsafe_character(text) is None:
        return text
    return "".join(" " if char in "\t\n\r" else char for char in text
                   if char in "\t\n\r" or unsafe_character(char) is None)


def fit(text: str, limit: int = TITLE_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"


@dataclass(frozen=True, slots=True)
class FollowUpTask:
    key: str
    title: str
    due: date  # seller-local
    zone: str  # IANA zone the due date is meant in
    list_name: str
    repeat_weekly_on: Weekday | None  # None: a one-off task
    link_url: str | None = None
    violation_key: str | None = None  # None for habit tasks


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


def render_title(template: str, meeting: str, day: date, block: str) -> str:
    """The task title: placeholders filled with plain text, never formatted (a format spec
    such as ``{meeting:>99999999}`` would make a title of a hundred million characters),
    then cut to what Graph keeps."""
    values = {"meeting": plain(meeting), "date": day.isoformat(), "block": plain(block)}
    names = ", ".join("{" + name + "}" for name in _PLACEHOLDERS)
    out: list[str] = []
    try:
        for literal, name, spec, conversion in string.Formatter().parse(template):
            out.append(literal)
            if name is None:
                continue
            if name not in values:
                raise ValueError(f"unknown placeholder {{{name}}}")
            if spec or conversion:
                raise ValueError(f"format options are not allowed in {{{name}}}")
            out.append(values[name])
    except ValueError as exc:
        raise ValueError(
            f"follow_up.title_template: cannot fill {template!r} ({exc}); use only {names}"
        ) from exc
    return fit(plain("".join(out)))


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
                title=render_title(
                    follow_up.title_template,
                    meeting.subject.strip() or "(no subject)",
                    local_day,
                    violation.occurrence.rule.title,
                ),
                due=due,
                zone=seller.zone,
                list_name=follow_up.list_name,
                repeat_weekly_on=Weekday(due.isoweekday()) if follow_up.recurrence_weekly else None,
                link_url=meeting.web_link,
                violation_key=violation.key,
            )
    return tuple(tasks[key] for key in sorted(tasks))


def habit_tasks(seller: Seller, week: IsoWeek, rules: Rules) -> tuple[FollowUpTask, ...]:
    """This week's instance of each standing habit, due on the habit's weekday."""
    return tuple(
        FollowUpTask(
            key=habit_key(seller.upn, habit.id, week),
            title=habit.title,
            due=week.day(habit.weekday),
            zone=seller.zone,
            list_name=rules.follow_up.list_name,
            repeat_weekly_on=None,
        )
        for habit in sorted(rules.follow_up.habits, key=lambda habit: habit.id)
    )
