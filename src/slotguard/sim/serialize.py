"""Graph JSON for the simulator's objects, shaped as Microsoft documents the resources
(learn.microsoft.com/graph/api/resources/event, .../mailboxsettings, .../todotask, .../user)."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from slotguard.sim.model import StoredEvent, TodoList, TodoTask, User
from slotguard.sim.recurrence import Instance
from slotguard.sim.timezones import (
    date_time_tz,
    format_time_of_day,
    format_utc,
    format_utc_precise,
    resolve_zone,
    windows_name,
)

_EVENT_DEFAULTS: dict[str, Any] = {
    "categories": [],
    "reminderMinutesBeforeStart": 15,
    "isReminderOn": True,
    "hasAttachments": False,
    "subject": "",
    "importance": "normal",
    "sensitivity": "normal",
    "isAllDay": False,
    "isCancelled": False,
    "responseRequested": True,
    "showAs": "busy",
    "isOnlineMeeting": False,
    "onlineMeetingProvider": "unknown",
    "allowNewTimeProposals": True,
    "isDraft": False,
    "hideAttendees": False,
    "onlineMeetingUrl": None,
    "onlineMeeting": None,
    "attendees": [],
}


# Rendered events by everything their JSON depends on. Every change to an event or an
# exception draws a new (random) change key, so an entry is never stale, only unused; the
# oldest go first past the bound. A first scan reads each window twice (delta for the
# link, calendarView for the markers): the second rendering comes from here.
_RENDERED: dict[tuple[Any, ...], dict[str, Any]] = {}
RENDERED_MAX = 100_000


def event_json(
    owner: User, event: StoredEvent, instance: Instance | None, out_zone: str | None,
    smtp_organizer: bool = False,
) -> dict[str, Any]:
    """A single instance / occurrence / exception (``instance`` given) or a series master.
    A new dict each call (callers add and remove keys); nested values are shared.
    ``smtp_organizer``: the owner as organizer is named by the primary SMTP address, not
    the UPN (the tenant's ``organizer_address`` switch, quirks.py)."""
    key = (event.id, event.change_key, owner.upn, out_zone, smtp_organizer) + (
        (instance.id, instance.change_key, instance.start, instance.end, instance.type)
        if instance else ())
    rendered = _RENDERED.get(key)
    if rendered is None:
        rendered = _render_event(owner, event, instance, out_zone, smtp_organizer)
        if len(_RENDERED) >= RENDERED_MAX:
            del _RENDERED[next(iter(_RENDERED))]
        _RENDERED[key] = rendered
    return dict(rendered)


def _render_event(
    owner: User, event: StoredEvent, instance: Instance | None, out_zone: str | None,
    smtp_organizer: bool,
) -> dict[str, Any]:
    fields = instance.fields if instance else event.fields
    start = instance.start if instance else event.start
    end = instance.end if instance else event.end
    change_key = instance.change_key if instance else event.change_key
    modified = instance.modified if instance else event.modified
    kind = instance.type if instance else ("seriesMaster" if event.recurrence else "singleInstance")
    event_id = instance.id if instance else event.id
    organizer = fields.get("organizer") or {
        "emailAddress": {"name": owner.display_name, "address": owner.upn}
    }
    address = str(organizer.get("emailAddress", {}).get("address", "")).lower()
    # isOrganizer: "the calendar owner ... is the organizer of the event" (resources/event),
    # whichever of the owner's addresses names them.
    is_organizer = address in {owner.upn, owner.mail.lower()}
    if smtp_organizer and is_organizer:
        organizer = {"emailAddress": {**organizer.get("emailAddress", {}),
                                      "address": owner.primary_smtp()}}
    all_day = bool(fields.get("isAllDay"))
    # Without Prefer: outlook.timezone times are UTC. All-day events keep their own zone
    # whatever the preference (they would otherwise stop starting at midnight).
    start_zone = event.start_zone if all_day else out_zone or "UTC"
    end_zone = event.end_zone if all_day else out_zone or "UTC"
    body = fields.get("body") or {"contentType": "html", "content": ""}
    content = str(body.get("content") or "")
    location = fields.get("location") or {
        "displayName": "",
        "locationType": "default",
        "uniqueIdType": "unknown",
        "address": {},
        "coordinates": {},
    }
    out: dict[str, Any] = {
        "@odata.etag": f'W/"{change_key}"',
        "id": event_id,
        "createdDateTime": format_utc_precise(event.created),
        "lastModifiedDateTime": format_utc_precise(modified),
        "changeKey": change_key,
    }
    for key, default in _EVENT_DEFAULTS.items():
        value = fields.get(key, default)
        out[key] = list(value) if isinstance(value, list) else value
    if event.transaction_id is not None:
        out["transactionId"] = event.transaction_id
    out.update(
        {
            "originalStartTimeZone": event.start_zone,
            "originalEndTimeZone": event.end_zone,
            "iCalUId": event.ical_uid
            if kind in ("singleInstance", "seriesMaster")
            else f"{event.ical_uid}{instance.start.strftime('%Y%m%d') if instance else ''}",
            "bodyPreview": _preview(content),
            "isOrganizer": is_organizer,
            "seriesMasterId": event.id if kind in ("occurrence", "exception") else None,
            "type": kind,
            "webLink": f"https://outlook.office365.com/owa/?itemid={event_id}&exvsurl=1&path=/calendar/item",
            "responseStatus": fields.get("responseStatus")
            or {
                "response": "organizer" if is_organizer else "none",
                "time": "0001-01-01T00:00:00Z",
            },
            "body": {"contentType": body.get("contentType", "html"), "content": content},
            "start": date_time_tz(start, start_zone),
            "end": date_time_tz(end, end_zone),
            "location": location,
            "locations": fields.get("locations")
            or ([location] if location.get("displayName") else []),
            "recurrence": event.recurrence if kind == "seriesMaster" else None,
            "organizer": organizer,
        }
    )
    if instance is not None and instance.original_start is not None:
        out["originalStart"] = format_utc(instance.original_start)
    if "@removed" in fields:
        out["@removed"] = fields["@removed"]
    return out


def extended_properties(event: StoredEvent, wanted: list[str] | None) -> list[dict[str, str]]:
    """singleValueExtendedProperties for $expand; ``wanted`` ids match case-insensitively on
    the GUID but the Name part is case-sensitive, as Exchange treats them."""
    props = [{"id": k, "value": v} for k, v in event.extended.items()]
    if wanted is None:
        return props
    keys = {_prop_key(w) for w in wanted}
    return [p for p in props if _prop_key(p["id"]) in keys]


@functools.lru_cache(maxsize=1024)
def _prop_key(prop_id: str) -> str:
    parts = prop_id.split(" ", 3)
    if len(parts) == 4 and parts[2].lower() == "name":
        return f"{parts[0].lower()} {parts[1].lower()} name {parts[3]}"
    return prop_id.lower()


def prop_matches(stored_id: str, wanted_id: str) -> bool:
    return _prop_key(stored_id) == _prop_key(wanted_id)


def _preview(content: str) -> str:
    import re

    text = re.sub(r"<[^>]+>", " ", content)
    return " ".join(text.split())[:255]


def user_json(user: User) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.user",
        "id": user.id,
        "businessPhones": [],
        "displayName": user.display_name,
        "givenName": user.given_name or None,
        "jobTitle": user.job_title,
        "mail": user.mail if user.has_mailbox else None,
        "mobilePhone": None,
        "officeLocation": user.office_location,
        "preferredLanguage": "en-US",
        "surname": user.surname or None,
        "userPrincipalName": user.upn,
        "accountEnabled": user.account_enabled,
        "department": user.department,
    }


def mailbox_settings_json(user: User) -> dict[str, Any]:
    wh = user.working_hours
    return {
        "archiveFolder": f"AAMkAGArchive{user.id[:8]}",
        "timeZone": user.time_zone,
        "delegateMeetingMessageDeliveryOptions": "sendToDelegateOnly",
        "dateFormat": "yyyy-MM-dd",
        "timeFormat": "HH:mm",
        "userPurpose": "user",
        "automaticRepliesSetting": {
            "status": "disabled",
            "externalAudience": "all",
            "internalReplyMessage": "",
            "externalReplyMessage": "",
            "scheduledStartDateTime": {
                "dateTime": "2020-01-01T00:00:00.0000000",
                "timeZone": "UTC",
            },
            "scheduledEndDateTime": {"dateTime": "2020-01-02T00:00:00.0000000", "timeZone": "UTC"},
        },
        "language": {"locale": "en-US", "displayName": "English (United States)"},
        "workingHours": {
            "daysOfWeek": list(wh.days),
            "startTime": format_time_of_day(wh.start),
            "endTime": format_time_of_day(wh.end),
            "timeZone": {"name": windows_name(wh.time_zone)},
        },
    }


def todo_list_json(todo_list: TodoList) -> dict[str, Any]:
    return {
        "@odata.etag": f'W/"{todo_list.change_key}"',
        "displayName": todo_list.display_name,
        "isOwner": True,
        "isShared": False,
        "wellknownListName": todo_list.wellknown,
        "id": todo_list.id,
    }


def linked_resource_json(task: TodoTask) -> list[dict[str, Any]]:
    return [
        {
            "applicationName": r.application_name,
            "displayName": r.display_name,
            "externalId": r.external_id,
            "id": r.id,
            "webUrl": r.web_url,
        }
        for r in task.linked_resources
    ]


def todo_task_json(task: TodoTask, expand_linked: bool = False) -> dict[str, Any]:
    f = task.fields
    body = f.get("body") or {"content": "", "contentType": "text"}
    out: dict[str, Any] = {
        "@odata.etag": f'W/"{task.change_key}"',
        "importance": f.get("importance", "normal"),
        "isReminderOn": bool(f.get("isReminderOn", "reminderDateTime" in f)),
        "status": f.get("status", "notStarted"),
        "title": f.get("title", ""),
        "createdDateTime": format_utc_precise(task.created),
        "lastModifiedDateTime": format_utc_precise(task.modified),
        "hasAttachments": False,
        "categories": list(f.get("categories") or []),
        "id": task.id,
        "body": {
            "content": body.get("content", ""),
            "contentType": body.get("contentType", "text"),
        },
        "bodyLastModifiedDateTime": format_utc_precise(task.modified),
    }
    for key in (
        "dueDateTime",
        "reminderDateTime",
        "startDateTime",
        "completedDateTime",
        "recurrence",
    ):
        if f.get(key) is not None:
            out[key] = f[key]
    if expand_linked:
        out["linkedResources"] = linked_resource_json(task)
    return out


def normalise_dtz(obj: dict[str, Any]) -> dict[str, str]:
    """Echo a client's dateTimeTimeZone in Graph's 7-digit form, keeping its zone."""
    from slotguard.sim.timezones import parse_datetime_tz

    zone = str(obj.get("timeZone") or "UTC")
    value: datetime = parse_datetime_tz(obj, "dateTime")
    resolve_zone(zone)
    return date_time_tz(value, zone)
