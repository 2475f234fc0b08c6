"""Request bodies for what slotguard writes, as the SDK's own models so kiota serialises
them exactly as Graph documents (writing a model is cheap; only parsing one is slow)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, tzinfo

from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.day_of_week import DayOfWeek
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.free_busy_status import FreeBusyStatus
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.linked_resource import LinkedResource
from msgraph.generated.models.message import Message
from msgraph.generated.models.patterned_recurrence import PatternedRecurrence
from msgraph.generated.models.recipient import Recipient
from msgraph.generated.models.recurrence_pattern import RecurrencePattern
from msgraph.generated.models.recurrence_pattern_type import RecurrencePatternType
from msgraph.generated.models.recurrence_range import RecurrenceRange
from msgraph.generated.models.recurrence_range_type import RecurrenceRangeType
from msgraph.generated.models.single_value_legacy_extended_property import (
    SingleValueLegacyExtendedProperty,
)
from msgraph.generated.models.todo_task import TodoTask
from msgraph.generated.models.todo_task_list import TodoTaskList
from msgraph.generated.users.item.send_mail.send_mail_post_request_body import (
    SendMailPostRequestBody,
)

from slotguard.domain.model import Weekday
from slotguard.errors import BadGraphData
from slotguard.graph.marker import TASK_APPLICATION, marker_properties, transaction_id
from slotguard.graph.zones import zone_info
from slotguard.ports import NewEvent, NewTask, WeeklyRecurrence

_DAY = {
    Weekday.MONDAY: DayOfWeek.Monday,
    Weekday.TUESDAY: DayOfWeek.Tuesday,
    Weekday.WEDNESDAY: DayOfWeek.Wednesday,
    Weekday.THURSDAY: DayOfWeek.Thursday,
    Weekday.FRIDAY: DayOfWeek.Friday,
    Weekday.SATURDAY: DayOfWeek.Saturday,
    Weekday.SUNDAY: DayOfWeek.Sunday,
}
# A task's reminder rings on its due day at this seller-local time.
TASK_REMINDER_TIME = time(9, 0)
TASK_KEY_PREFIX = "slotguard-key: "


def event_body(event: NewEvent) -> Event:
    zone = _zone(event.zone)
    return Event(
        subject=event.subject,
        body=ItemBody(content_type=BodyType.Text, content=event.body),
        start=_local(event.start, zone, event.zone),
        end=_local(event.end, zone, event.zone),
        show_as=FreeBusyStatus.Busy,
        categories=list(event.categories),
        is_reminder_on=event.reminder_minutes > 0,
        reminder_minutes_before_start=max(0, event.reminder_minutes),
        transaction_id=transaction_id(event.key, event.revision),
        single_value_extended_properties=[
            SingleValueLegacyExtendedProperty(id=pid, value=value)
            for pid, value in marker_properties(event.purpose, event.key)
        ],
        recurrence=_recurrence(event.recurrence, event.zone) if event.recurrence else None,
    )


def task_body(task: NewTask) -> TodoTask:
    """A To Do task; the key travels both as the linked resource's externalId and as the
    last line of the body, so ``find_task`` can match either."""
    due = DateTimeTimeZone(date_time=_wall(task.due, time(0, 0)), time_zone=task.zone)
    link = LinkedResource(
        application_name=TASK_APPLICATION,
        display_name=task.link_title or task.title,
        external_id=task.key,
        web_url=task.link_url,
    )
    return TodoTask(
        title=task.title,
        body=ItemBody(
            content_type=BodyType.Text, content=f"{task.body}\n\n{TASK_KEY_PREFIX}{task.key}"
        ),
        due_date_time=due,
        is_reminder_on=True,
        reminder_date_time=DateTimeTimeZone(
            date_time=_wall(task.due, TASK_REMINDER_TIME), time_zone=task.zone
        ),
        recurrence=_recurrence(task.recurrence, task.zone) if task.recurrence else None,
        linked_resources=[link],
    )


def task_list_body(name: str) -> TodoTaskList:
    return TodoTaskList(display_name=name)


def mail_body(to: Sequence[str], subject: str, body: str) -> SendMailPostRequestBody:
    message = Message(
        subject=subject,
        body=ItemBody(content_type=BodyType.Text, content=body),
        to_recipients=[Recipient(email_address=EmailAddress(address=a)) for a in to],
    )
    return SendMailPostRequestBody(message=message, save_to_sent_items=True)


def _recurrence(rule: WeeklyRecurrence, zone: str) -> PatternedRecurrence:
    # Graph requires type, interval, daysOfWeek and firstDayOfWeek for weekly patterns.
    pattern = RecurrencePattern(
        type=RecurrencePatternType.Weekly,
        interval=1,
        days_of_week=[_DAY[d] for d in sorted(rule.days)],
        first_day_of_week=DayOfWeek.Monday,
    )
    ends = rule.end is not None
    rng = RecurrenceRange(
        type=RecurrenceRangeType.EndDate if ends else RecurrenceRangeType.NoEnd,
        start_date=rule.start,
        end_date=rule.end,
        recurrence_time_zone=zone,
    )
    return PatternedRecurrence(pattern=pattern, range=rng)


def _zone(name: str) -> tzinfo:
    zone = zone_info(name)
    if zone is None:
        raise BadGraphData(f"zone {name!r} is not a known time zone", code="zone")
    return zone


def _local(instant: datetime, zone: tzinfo, name: str) -> DateTimeTimeZone:
    if instant.tzinfo is None:
        raise ValueError("NewEvent.start/end must be timezone-aware (UTC)")
    local = instant.astimezone(zone).replace(tzinfo=None)
    return DateTimeTimeZone(date_time=local.isoformat(timespec="seconds"), time_zone=name)


def _wall(day: date, at: time) -> str:
    return datetime.combine(day, at).isoformat(timespec="seconds")

