"""Creating, changing and deleting events in one mailbox, with Graph's rules.

``transactionId``: Graph documents it as the way "for the server to avoid redundant POST
operations in case of client retries" without saying what a duplicate returns. Here a repeated
POST with a transactionId already used in the same mailbox returns the event the first POST
created, with the same 201 status and body, so a client cannot tell a retried create from the
first one (that is the point of the id). If that event has since been deleted, the id is free
again and a new event is created. That answer is one of two plausible ones; the tenant's
``repeated_transaction_id`` switch (quirks.py) gives the other, 409 Conflict.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from tzlocal.windows_tz import win_tz

from slotguard.sim import recurrence as rec
from slotguard.sim.graph_errors import GraphProblem, bad_request, not_found
from slotguard.sim.model import (
    ExceptionOverride,
    Mailbox,
    StoredEvent,
    User,
    new_event_id,
    parse_occurrence_id,
)
from slotguard.sim.quirks import Quirks
from slotguard.sim.timezones import UnknownTimeZone, parse_datetime_tz, resolve_zone
from slotguard.sim.zone_names import require, unsupported

# Writable event properties that are stored as given.
_STORED = {
    "subject",
    "body",
    "attendees",
    "organizer",
    "showAs",
    "responseStatus",
    "isCancelled",
    "isAllDay",
    "categories",
    "sensitivity",
    "location",
    "locations",
    "importance",
    "isReminderOn",
    "reminderMinutesBeforeStart",
    "isOnlineMeeting",
    "onlineMeetingProvider",
    "allowNewTimeProposals",
    "hideAttendees",
    "responseRequested",
    "isDraft",
}
_READ_ONLY = {
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "type",
    "seriesMasterId",
    "iCalUId",
    "webLink",
    "isOrganizer",
    "bodyPreview",
    "originalStart",
    "originalStartTimeZone",
    "originalEndTimeZone",
    "hasAttachments",
    "onlineMeetingUrl",
    "onlineMeeting",
    "calendar",
    "instances",
    "extensions",
    "attachments",
    "multiValueExtendedProperties",
}
_SHOW_AS = {"free", "tentative", "busy", "oof", "workingElsewhere", "unknown"}
_SENSITIVITY = {"normal", "personal", "private", "confidential"}
_NO_RESPONSE = {"response": "none", "time": "0001-01-01T00:00:00Z"}


def now() -> datetime:
    return datetime.now(UTC)


def new_change_key() -> str:
    return secrets.token_urlsafe(18)


def create_event(owner: User, box: Mailbox, body: dict[str, Any],
                 quirks: Quirks | None = None) -> tuple[StoredEvent, bool]:
    """Store a new event; returns (event, created). ``created`` is False for a replayed
    transactionId. ``quirks``: the tenant's switches for what Graph leaves undocumented
    (a repeated transactionId, IANA recurrence zones); None for events tests put in."""
    tx = body.get("transactionId")
    if tx is not None:
        existing = box.by_transaction.get(str(tx))
        if existing is not None and existing in box.events:
            if quirks is not None and quirks.repeated_transaction_id == "conflict":
                raise GraphProblem(409, "ErrorDuplicateTransactionId",
                                   "An event with this transactionId already exists.")
            return box.events[existing], False
    fields = _fields(body)
    start, end, start_zone, end_zone = _times(body, required=True)
    if quirks is not None and quirks.event_recurrence_iana_zone == "refused":
        _windows_recurrence_zone(body.get("recurrence"))
    recurrence = _recurrence(body.get("recurrence"), start, start_zone)
    fields.setdefault(
        "organizer", {"emailAddress": {"name": owner.display_name, "address": owner.upn}}
    )
    fields["attendees"] = [_attendee(a) for a in fields.get("attendees") or []]
    organizer = str(fields["organizer"].get("emailAddress", {}).get("address", "")).lower()
    fields.setdefault(
        "responseStatus",
        {
            "response": "organizer" if organizer == owner.upn else "notResponded",
            "time": "0001-01-01T00:00:00Z",
        },
    )
    stamp = now()
    event = StoredEvent(
        id=new_event_id(),
        ical_uid="040000008200E00074C5B7101A82E008" + secrets.token_hex(28).upper(),
        fields=fields,
        start=start,
        end=end,
        start_zone=start_zone,
        end_zone=end_zone,
        created=stamp,
        modified=stamp,
        change_key=new_change_key(),
        recurrence=recurrence,
        transaction_id=str(tx) if tx is not None else None,
        extended=_extended(body.get("singleValueExtendedProperties")),
    )
    box.events[event.id] = event
    if event.transaction_id is not None:
        box.by_transaction[event.transaction_id] = event.id
    box.version += 1
    return event, True


def find(box: Mailbox, event_id: str) -> tuple[StoredEvent, date | None]:
    """(stored event, occurrence date or None) for an event, master or occurrence id."""
    if event_id in box.events:
        return box.events[event_id], None
    occ = parse_occurrence_id(event_id)
    if occ is not None and occ[0] in box.events:
        master = box.events[occ[0]]
        if (
            master.recurrence is not None
            and occ[1] not in master.cancelled
            and (occ[1] in master.exceptions or rec.occurrence_on(master, occ[1]) is not None)
        ):
            return master, occ[1]
    raise not_found()


def update_event(
    box: Mailbox, event_id: str, body: dict[str, Any]
) -> tuple[StoredEvent, date | None]:
    event, day = find(box, event_id)
    if "transactionId" in body and body["transactionId"] != event.transaction_id:
        raise bad_request(
            "ErrorInvalidRequest", "The transactionId can't be changed after the event is created."
        )
    fields = _fields(body)
    if "attendees" in fields:
        fields["attendees"] = [_attendee(a) for a in fields["attendees"] or []]
    stamp = now()
    if day is not None:
        _update_occurrence(event, day, body, fields, stamp)
    else:
        if "start" in body or "end" in body:
            merged = {
                "start": body.get("start") or _dtz(event.start, event.start_zone),
                "end": body.get("end") or _dtz(event.end, event.end_zone),
            }
            event.start, event.end, event.start_zone, event.end_zone = _times(merged, required=True)
        if "recurrence" in body:
            event.recurrence = _recurrence(body["recurrence"], event.start, event.start_zone)
            event.exceptions.clear()
            event.cancelled.clear()
        event.fields.update(fields)
        event.extended.update(_extended(body.get("singleValueExtendedProperties")))
        event.modified, event.change_key = stamp, new_change_key()
    box.version += 1
    return event, day


def _update_occurrence(
    event: StoredEvent, day: date, body: dict[str, Any], fields: dict[str, Any], stamp: datetime
) -> None:
    override = event.exceptions.get(day)
    if override is None:
        original = rec.occurrence_on(event, day)
        assert original is not None
        override = ExceptionOverride({}, original, original + (event.end - event.start), stamp, "")
        event.exceptions[day] = override
    if "start" in body or "end" in body:
        merged = {
            "start": body.get("start") or _dtz(override.start, event.start_zone),
            "end": body.get("end") or _dtz(override.end, event.end_zone),
        }
        override.start, override.end, _, _ = _times(merged, required=True)
    override.fields.update(fields)
    override.modified, override.change_key = stamp, new_change_key()


def delete_event(box: Mailbox, event_id: str) -> None:
    event, day = find(box, event_id)
    if day is not None:
        event.cancelled.add(day)
        event.exceptions.pop(day, None)
        event.modified, event.change_key = now(), new_change_key()
    else:
        del box.events[event.id]
    box.version += 1


def _dtz(value: datetime, zone: str) -> dict[str, str]:
    return {
        "dateTime": value.astimezone(resolve_zone(zone)).replace(tzinfo=None).isoformat(),
        "timeZone": zone,
    }


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in body.items():
        if (
            key.startswith("@")
            or key in _READ_ONLY
            or key
            in {"start", "end", "recurrence", "transactionId", "singleValueExtendedProperties"}
        ):
            continue
        if key not in _STORED:
            raise bad_request(
                "RequestBodyRead",
                f"The property '{key}' does not exist on type 'microsoft.graph.event'. "
                "Make sure to only use property names that are defined by the type.",
            )
        out[key] = value
    if "showAs" in out and out["showAs"] not in _SHOW_AS:
        raise bad_request(
            "RequestBodyRead",
            f"Requested value '{out['showAs']}' was not found "
            "(showAs must be one of free, tentative, busy, oof, workingElsewhere, unknown).",
        )
    if "sensitivity" in out and out["sensitivity"] not in _SENSITIVITY:
        raise bad_request(
            "RequestBodyRead", f"Requested value '{out['sensitivity']}' was not found."
        )
    if "categories" in out and not (
        isinstance(out["categories"], list) and all(isinstance(c, str) for c in out["categories"])
    ):
        raise bad_request("RequestBodyRead", "categories must be an array of strings.")
    return out


def _times(body: dict[str, Any], required: bool) -> tuple[datetime, datetime, str, str]:
    if required and (not body.get("start") or not body.get("end")):
        raise bad_request(
            "ErrorInvalidRequest",
            "Your request can't be completed. "
            "An event needs both 'start' and 'end' (dateTimeTimeZone).",
        )
    for side in ("start", "end"):  # the names the datetimetimezone page lists, no others
        if isinstance(body[side], dict) and body[side].get("timeZone"):
            require(str(body[side]["timeZone"]))
    try:
        start = parse_datetime_tz(body["start"], "start")
        end = parse_datetime_tz(body["end"], "end")
    except UnknownTimeZone as exc:
        raise unsupported(str(exc)) from exc
    except ValueError as exc:
        raise bad_request(
            "RequestBodyRead", f"Cannot convert the literal to a dateTime: {exc}"
        ) from exc
    if end < start:
        raise bad_request(
            "ErrorCalendarEndDateIsEarlierThanStartDate",
            "The end date you entered occurs before the start date.",
        )
    return (
        start,
        end,
        str(body["start"].get("timeZone") or "UTC"),
        str(body["end"].get("timeZone") or "UTC"),
    )


def _recurrence(value: Any, start: datetime, start_zone: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request("RequestBodyRead", "recurrence must be a patternedRecurrence object.")
    try:
        rec.validate(value)
    except rec.BadRecurrence as exc:
        raise bad_request("ErrorInvalidRecurrence", str(exc)) from exc
    zone = (value.get("range") or {}).get("recurrenceTimeZone")
    if zone:
        require(str(zone))
    pattern = {
        "type": "weekly",
        "interval": 1,
        "month": 0,
        "dayOfMonth": 0,
        "firstDayOfWeek": "sunday",
        "index": "first",
        "daysOfWeek": [],
        **value.get("pattern", {}),
    }
    rng = {
        "type": "noEnd",
        "startDate": start.astimezone(resolve_zone(start_zone)).date().isoformat(),
        "endDate": "0001-01-01",
        "recurrenceTimeZone": start_zone,
        "numberOfOccurrences": 0,
        **value.get("range", {}),
    }
    return {"pattern": pattern, "range": rng}


def _windows_recurrence_zone(value: Any) -> None:
    """The switch that refuses a recurrenceTimeZone that is not a Windows zone name."""
    rng = value.get("range") if isinstance(value, dict) else None
    zone = rng.get("recurrenceTimeZone") if isinstance(rng, dict) else None
    if zone is not None and str(zone) not in win_tz and str(zone).upper() != "UTC":
        raise GraphProblem(
            400, "TimeZoneNotSupportedException",
            "A valid TimeZone value must be specified. The following TimeZone value is not "
            f"supported: '{zone}'.")


def _attendee(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or not isinstance(value.get("emailAddress"), dict):
        raise bad_request("RequestBodyRead", "Each attendee needs an emailAddress object.")
    email = value["emailAddress"]
    return {
        "type": value.get("type", "required"),
        "status": value.get("status") or dict(_NO_RESPONSE),
        "emailAddress": {
            "name": email.get("name") or email.get("address", ""),
            "address": email.get("address", ""),
        },
    }


def _extended(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, list) or not all(isinstance(p, dict) and "id" in p for p in value):
        raise bad_request(
            "RequestBodyRead", "singleValueExtendedProperties must be an array of {id, value}."
        )
    return {str(p["id"]): str(p.get("value", "")) for p in value}
