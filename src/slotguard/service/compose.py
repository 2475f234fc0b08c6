"""The words slotguard puts in sellers' calendars and To Do lists, and the translation of the
policy core's plans into the gateway's write requests.

Naming meetings: a make-up block and a follow-up task live in the seller's own mailbox,
which already holds the meeting, so naming the meeting there discloses nothing new and tells
the seller which block it replaces. The exception is a meeting marked private or
confidential: it is described only by its time. Logs are another matter — they never carry
subjects unless LOG_PERSONAL_DATA is set.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from slotguard.domain.followup import FollowUpTask, fit, plain
from slotguard.domain.model import (
    BlockOccurrence,
    BlockRule,
    CalendarEvent,
    IsoWeek,
    Purpose,
    Sensitivity,
    Violation,
)
from slotguard.domain.planning import PlannedCompensation
from slotguard.ports import NewEvent, NewTask, WeeklyRecurrence

CATEGORY = "Prospecting"
_HIDDEN = frozenset({Sensitivity.PRIVATE, Sensitivity.CONFIDENTIAL})


def local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def block_label(occurrence: BlockOccurrence, zone: str) -> str:
    """"Tue 24 Nov 08:00–10:00" in the seller's zone."""
    start, end = local(occurrence.start, zone), local(occurrence.end, zone)
    return f"{start:%a %d %b %H:%M}–{end:%H:%M}"


def span_label(start: datetime, end: datetime, zone: str) -> str:
    a, b = local(start, zone), local(end, zone)
    return f"{a:%a %d %b %H:%M}–{b:%H:%M}"


def meeting_name(event: CalendarEvent, zone: str) -> str:
    if event.sensitivity in _HIDDEN or not event.subject.strip():
        return f"a private appointment at {local(event.start, zone):%H:%M}"
    # Graph's subject, as it is, goes into the seller's own mailbox: without the control
    # characters that would garble or reorder the text, and no longer than a title.
    return f"\u201c{fit(plain(event.subject).strip())}\u201d"


def compensation_event(
    violation: Violation, placement: PlannedCompensation, count: int, zone: str
) -> NewEvent:
    occ = violation.occurrence
    taken = local(occ.start, zone)
    names = ", ".join(meeting_name(m, zone) for m in violation.meetings) or "a meeting"
    body = (
        f"Your {occ.rule.title.lower()} block on {block_label(occ, zone)} was taken by "
        f"{names}.\n\n"
        "The team's rule: one customer meeting in a block = two blocks the following week. "
        f"This is make-up block {placement.index} of {count}.\n\n"
        "slotguard placed it in free time inside your working hours. If the meeting moves "
        "out of the block before the block starts, slotguard removes this make-up block again."
    )
    return NewEvent(
        key=placement.key,
        purpose=Purpose.COMPENSATION,
        subject=fit(f"{occ.rule.title} (make-up for {taken:%a %H:%M})"),
        body=body,
        start=placement.start,
        end=placement.end,
        zone=zone,
        categories=(CATEGORY,),
        reminder_minutes=15,
    )


def series_key(upn: str, rule: BlockRule) -> str:
    return f"{upn.lower()}|{rule.id}|series"


def block_series_event(upn: str, rule: BlockRule, first: BlockOccurrence, zone: str,
                       week: IsoWeek) -> NewEvent:
    """The seller's visible recurring block, so colleagues see the time as taken."""
    days = ", ".join(f"{week.day(d):%a}" for d in sorted(rule.days))
    return NewEvent(
        key=series_key(upn, rule),
        purpose=Purpose.BLOCK,
        subject=rule.title,
        body=(
            f"Your agreed {rule.title.lower()} time: {days} {rule.start:%H:%M}–{rule.end:%H:%M}."
            " A customer meeting in this block is fine — it is swapped for two blocks the "
            "following week and a weekly follow-up task. Kept by slotguard."
        ),
        start=first.start,
        end=first.end,
        zone=zone,
        categories=(CATEGORY,),
        reminder_minutes=15,
        recurrence=WeeklyRecurrence(days=rule.days, start=first.day),
    )


def task_request(task: FollowUpTask, meeting: CalendarEvent | None) -> NewTask:
    if meeting is not None:
        when = local(meeting.start, task.zone)
        body = (
            f"Follow up on {meeting_name(meeting, task.zone)} ({when:%a %d %b %H:%M}), which "
            "took a prospecting block."
            + (" Repeats weekly until you complete the series." if task.repeat_weekly_on else "")
        )
    else:
        body = "Your weekly prospecting habit. Created by slotguard."
    recurrence = (
        WeeklyRecurrence(days=frozenset({task.repeat_weekly_on}), start=task.due)
        if task.repeat_weekly_on is not None else None
    )
    return NewTask(
        key=task.key,
        title=task.title,
        body=body,
        due=task.due,
        zone=task.zone,
        recurrence=recurrence,
        link_url=task.link_url,
        link_title="Meeting in Outlook" if task.link_url else None,
    )
