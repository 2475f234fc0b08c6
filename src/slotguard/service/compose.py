"""The words slotguard puts in sellers' calendars and To Do lists and in managers' mail, and
the translation of the policy core's plans into the gateway's write requests.

Every text is a catalog message in the team's language (``slotguard.texts``) with the real
numbers in it; the admin's own words from the rules file (block titles, the task list's
name, the follow-up title, habits) take the catalog's place where given. Reminders are the
policy's (``[policy.reminders]``).

Naming meetings: a make-up block and a follow-up task live in the seller's own mailbox,
which already holds the meeting, so naming the meeting there discloses nothing new and tells
the seller which block it replaces. The exception is a meeting marked private or
confidential: it is described only by its time. Logs are another matter — they never carry
subjects unless LOG_PERSONAL_DATA is set.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from slotguard.domain.escalation import EscalationDecision
from slotguard.domain.followup import FollowUpTask
from slotguard.domain.keys import series_key
from slotguard.domain.model import (
    BlockOccurrence,
    BlockRule,
    CalendarEvent,
    EscalationRules,
    Policy,
    Purpose,
    Sensitivity,
    Violation,
)
from slotguard.domain.planning import PlannedCompensation
from slotguard.ports import NewEvent, NewTask, WeeklyRecurrence
from slotguard.texts import Texts, fit, plain

_HIDDEN = frozenset({Sensitivity.PRIVATE, Sensitivity.CONFIDENTIAL})


def local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def block_label(occurrence: BlockOccurrence, zone: str) -> str:
    """"Tue 24 Nov 08:00–10:00" in the seller's zone, for the admin's scan report."""
    return span_label(occurrence.start, occurrence.end, zone)


def span_label(start: datetime, end: datetime, zone: str) -> str:
    a, b = local(start, zone), local(end, zone)
    return f"{a:%a %d %b %H:%M}–{b:%H:%M}"


def category(texts: Texts) -> str:
    """The Outlook category of slotguard's events, in the seller's category list."""
    return texts.pgettext("Outlook category", "Prospecting")


def task_list(texts: Texts) -> str:
    """The name of the seller's To Do list for slotguard's tasks."""
    return texts.custom.list_name or texts.gettext("Prospecting follow-up")


def quoted(text: str, texts: Texts) -> str:
    return texts.gettext("\u201c{text}\u201d", text=text)


def _private(event: CalendarEvent, zone: str, texts: Texts) -> str | None:
    if event.sensitivity in _HIDDEN:
        return texts.gettext("a private appointment at {time}",
                             time=texts.clock(local(event.start, zone)))
    return None


def meeting_name(event: CalendarEvent, zone: str, texts: Texts) -> str:
    """The meeting as a note names it: its subject in quotes, or its time when private."""
    if (private := _private(event, zone, texts)) is not None:
        return private
    # Graph's subject, as it is, goes into the seller's own mailbox: without the control
    # characters that would garble or reorder the text, and no longer than a title.
    subject = fit(plain(event.subject).strip())
    return quoted(subject, texts) if subject else texts.gettext("a meeting without a subject")


def meeting_subject(event: CalendarEvent, zone: str, texts: Texts) -> str:
    """The meeting as a task title names it: its subject as it is, or its time when private."""
    if (private := _private(event, zone, texts)) is not None:
        return private
    return plain(event.subject).strip() or texts.gettext("(no subject)")


def compensation_event(violation: Violation, placement: PlannedCompensation, policy: Policy,
                       zone: str, texts: Texts) -> NewEvent:
    occ = violation.occurrence
    names = [meeting_name(m, zone, texts) for m in violation.meetings]
    body = "\n\n".join([
        texts.gettext("Your block {block} ({when}) was taken by {meetings}.",
                      block=quoted(occ.rule.title, texts),
                      when=texts.span(local(occ.start, zone), local(occ.end, zone)),
                      meetings=texts.join(names) if names else texts.gettext("a meeting")),
        texts.ngettext(
            "The team's rule: a block given to a meeting is made up with {count} block the "
            "following week. This is make-up block {index} of {count}.",
            "The team's rule: a block given to a meeting is made up with {count} blocks the "
            "following week. This is make-up block {index} of {count}.",
            policy.compensation_count, index=texts.number(placement.index)),
        texts.gettext("slotguard placed it in free time inside your working hours. If the "
                      "meeting moves out of the block before the block starts, slotguard "
                      "removes this make-up block again."),
    ])
    return NewEvent(
        key=placement.key,
        purpose=Purpose.COMPENSATION,
        subject=fit(texts.gettext("{block} (make-up for {taken})", block=occ.rule.title,
                                  taken=texts.weekday_clock(local(occ.start, zone)))),
        body=body,
        start=placement.start,
        end=placement.end,
        zone=zone,
        categories=(category(texts),),
        reminder_minutes=policy.reminders.compensation,
    )


def block_series_event(upn: str, rule: BlockRule, first: BlockOccurrence, zone: str,
                       policy: Policy, texts: Texts) -> NewEvent:
    """The seller's visible recurring block, so colleagues see the time as taken."""
    body = "\n\n".join([
        texts.gettext("{block}: your agreed time, {days} {times}.", block=rule.title,
                      days=texts.join([texts.weekday(day) for day in sorted(rule.days)]),
                      times=texts.clock_span(rule.start, rule.end)),
        texts.ngettext(
            "A customer meeting in this block is fine: it is swapped for {count} block the "
            "following week.",
            "A customer meeting in this block is fine: it is swapped for {count} blocks the "
            "following week.",
            policy.compensation_count),
        texts.gettext("slotguard keeps this block in your calendar."),
    ])
    return NewEvent(
        key=series_key(upn, rule.id),
        purpose=Purpose.BLOCK,
        subject=rule.title,
        body=body,
        start=first.start,
        end=first.end,
        zone=zone,
        categories=(category(texts),),
        reminder_minutes=policy.reminders.block_series,
        recurrence=WeeklyRecurrence(days=rule.days, start=first.day),
    )


def task_request(task: FollowUpTask, policy: Policy, texts: Texts) -> NewTask:
    title, body = (_habit(task, texts) if task.habit is not None
                   else _follow_up(task, texts))
    recurrence = (
        WeeklyRecurrence(days=frozenset({task.repeat_weekly_on}), start=task.due)
        if task.repeat_weekly_on is not None else None
    )
    return NewTask(
        key=task.key,
        title=fit(plain(title)),
        body=body,
        due=task.due,
        zone=task.zone,
        recurrence=recurrence,
        link_url=task.link_url,
        link_title=texts.gettext("Meeting in Outlook") if task.link_url else None,
        reminder=policy.reminders.task,
    )


def _habit(task: FollowUpTask, texts: Texts) -> tuple[str, str]:
    assert task.habit is not None
    return (texts.custom.habit(task.habit) or task.habit,
            texts.gettext("Your weekly prospecting habit, from slotguard."))


def _follow_up(task: FollowUpTask, texts: Texts) -> tuple[str, str]:
    meeting = task.meeting
    values = {
        "meeting": (meeting_subject(meeting, task.zone, texts) if meeting is not None
                    else texts.gettext("(no subject)")),
        "date": texts.day(task.meeting_day) if task.meeting_day is not None else "",
        "block": plain(task.block or ""),
    }
    custom = texts.custom.follow_up_title
    title = (texts.fill(custom, **values) if custom
             else texts.gettext("Follow up: {meeting} ({date})", **values))
    if meeting is None:
        return title, texts.gettext("Follow up on the customer meeting that took a "
                                    "prospecting block.")
    start = local(meeting.start, task.zone)
    paragraphs = [texts.gettext(
        "Follow up on {meeting} ({when}), which took a prospecting block.",
        meeting=meeting_name(meeting, task.zone, texts), when=texts.moment(start))]
    if task.repeat_weekly_on is not None:
        paragraphs.append(texts.gettext("This task comes back every week until you complete "
                                        "the series."))
    return title, "\n\n".join(paragraphs)


def escalation_mail(upn: str, decision: EscalationDecision, rules: EscalationRules,
                    compensation_count: int, texts: Texts) -> tuple[str, str]:
    """The manager's notice: subject and body."""
    subject = texts.ngettext("slotguard: {seller} lost {count} prospecting block",
                             "slotguard: {seller} lost {count} prospecting blocks",
                             decision.count, seller=upn)
    body = "\n\n".join([
        texts.ngettext(
            "{seller} lost {count} prospecting block to meetings between {start} and {end}.",
            "{seller} lost {count} prospecting blocks to meetings between {start} and {end}.",
            decision.count, seller=upn, start=texts.date(decision.window_start),
            end=texts.date(decision.window_end)),
        texts.ngettext("The team's threshold: {threshold} within {count} week.",
                       "The team's threshold: {threshold} within {count} weeks.",
                       rules.weeks, threshold=texts.number(rules.violations)),
        texts.ngettext("Each taken block is made up with {count} block the following week.",
                       "Each taken block is made up with {count} blocks the following week.",
                       compensation_count),
    ])
    return subject, body
