"""Request bodies for what slotguard writes, as Graph's JSON built by our own code, and the
POST request that carries one from an SDK request builder.

The builder still owns the URL (its template and path parameters), the middleware, auth
and retries; only the body skips the SDK's models. Building an ``Event`` or ``TodoTask``
model and letting kiota serialise it cost ~3 ms of CPU per write, and the models' first use
imports ~1,200 modules (+36 MB resident) that a daemon then keeps for its lifetime. Field
names, enum values and omitted nulls follow what kiota writes for the same models (tests
compare the two).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, tzinfo
from typing import Any

import msgspec
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation

from slotguard.domain.model import Weekday
from slotguard.errors import BadGraphData
from slotguard.graph.marker import TASK_APPLICATION, marker_properties, transaction_id
from slotguard.graph.pipeline import request_config
from slotguard.graph.zones import graph_zone, zone_info
from slotguard.ports import NewEvent, NewTask, WeeklyRecurrence

Body = dict[str, Any]
_ENCODER = msgspec.json.Encoder()

_DAY = {
    Weekday.MONDAY: "monday",
    Weekday.TUESDAY: "tuesday",
    Weekday.WEDNESDAY: "wednesday",
    Weekday.THURSDAY: "thursday",
    Weekday.FRIDAY: "friday",
    Weekday.SATURDAY: "saturday",
    Weekday.SUNDAY: "sunday",
}

def post_request(builder: Any, body: Body) -> RequestInformation:
    """What ``builder.to_post_request_information(model)`` makes, with ``body`` as JSON."""
    info = RequestInformation(Method.POST, builder.url_template, builder.path_parameters)
    info.configure(request_config())
    info.headers.try_add("Accept", "application/json")
    info.headers.try_add("Content-Type", "application/json")
    info.content = _ENCODER.encode(body)
    return info


def event_body(event: NewEvent, *, recurrence_zone: bool = True) -> Body:
    """An event. ``recurrence_zone=False`` leaves recurrenceTimeZone out of a series'
    range, for a tenant that refuses it (the series then follows its start's zone)."""
    # Local times are those of the zone named, so Graph reads back the same instants.
    name = _wire_zone(event.zone)
    zone = _zone(name)
    body: Body = {
        "subject": event.subject,
        "body": _text(event.body),
        "start": _local(event.start, zone, name),
        "end": _local(event.end, zone, name),
        "showAs": "busy",
        "categories": list(event.categories),
        # Off is written, not left out: the create-event examples come back with a reminder
        # on and reminderMinutesBeforeStart 15 when a request names neither
        # (learn.microsoft.com/graph/api/user-post-events).
        "isReminderOn": event.reminder_minutes is not None,
        "transactionId": transaction_id(event.key, event.revision),
        "singleValueExtendedProperties": [
            {"id": pid, "value": value} for pid, value in marker_properties(event.purpose,
                                                                            event.key)
        ],
    }
    if event.reminder_minutes is not None:
        body["reminderMinutesBeforeStart"] = event.reminder_minutes
    if event.recurrence:
        body["recurrence"] = _recurrence(event.recurrence, name, recurrence_zone)
    return body


def task_body(task: NewTask, *, recurrence_zone: bool = True) -> Body:
    """A To Do task. Its key travels as the linked resource's externalId, which To Do
    keeps with the task and does not show: the seller reads only the note written for
    them. ``recurrence_zone`` as for ``event_body``."""
    link: Body = {"applicationName": TASK_APPLICATION,
                  "displayName": task.link_title or task.title, "externalId": task.key}
    if task.link_url is not None:
        link["webUrl"] = task.link_url
    zone = _wire_zone(task.zone)
    body: Body = {
        "title": task.title,
        "body": _text(task.body),
        "dueDateTime": {"dateTime": _wall(task.due, time(0, 0)), "timeZone": zone},
        "isReminderOn": task.reminder is not None,
        "linkedResources": [link],
    }
    if task.reminder is not None:
        body["reminderDateTime"] = {"dateTime": _wall(task.due, task.reminder), "timeZone": zone}
    if task.recurrence:
        body["recurrence"] = _recurrence(task.recurrence, zone, recurrence_zone)
    return body


def has_recurrence_zone(body: Body) -> bool:
    return "recurrenceTimeZone" in (body.get("recurrence") or {}).get("range", {})


def task_list_body(name: str) -> Body:
    return {"displayName": name}


def mail_body(to: Sequence[str], subject: str, body: str) -> Body:
    return {"message": {"subject": subject, "body": _text(body),
                        "toRecipients": [{"emailAddress": {"address": a}} for a in to]},
            "saveToSentItems": True}


def _text(content: str) -> Body:
    return {"contentType": "text", "content": content}


def _recurrence(rule: WeeklyRecurrence, zone: str, with_zone: bool = True) -> Body:
    # Graph requires type, interval, daysOfWeek and firstDayOfWeek for weekly patterns.
    pattern = {"type": "weekly", "interval": 1,
               "daysOfWeek": [_DAY[d] for d in sorted(rule.days)], "firstDayOfWeek": "monday"}
    rng: Body = {"type": "endDate" if rule.end is not None else "noEnd",
                 "startDate": rule.start.isoformat()}
    if with_zone:
        rng["recurrenceTimeZone"] = zone
    if rule.end is not None:
        rng["endDate"] = rule.end.isoformat()
    return {"pattern": pattern, "range": rng}


def _zone(name: str) -> tzinfo:
    zone = zone_info(name)
    if zone is None:
        raise BadGraphData(f"zone {name!r} is not a known time zone", code="zone")
    return zone


def _wire_zone(name: str) -> str:
    """The zone's Windows name: every timeZone slotguard writes is one (zones.py)."""
    wire = graph_zone(name)
    if wire is None:
        raise BadGraphData(f"zone {name!r} has no Windows name that Graph accepts",
                           code="zone")
    return wire


def _local(instant: datetime, zone: tzinfo, name: str) -> Body:
    if instant.tzinfo is None:
        raise ValueError("NewEvent.start/end must be timezone-aware (UTC)")
    local = instant.astimezone(zone).replace(tzinfo=None)
    return {"dateTime": local.isoformat(timespec="seconds"), "timeZone": name}


def _wall(day: date, at: time) -> str:
    return datetime.combine(day, at).isoformat(timespec="seconds")

