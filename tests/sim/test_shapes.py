"""The simulator's JSON against the field names and types Microsoft documents.

Sources (microsoftgraph/microsoft-graph-docs-contrib, the text of learn.microsoft.com/graph):
- event: learn.microsoft.com/graph/api/resources/event ("Properties" and "JSON representation";
  transactionId, isDraft and hideAttendees are in the current version of that page)
- dateTimeTimeZone: learn.microsoft.com/graph/api/resources/datetimetimezone
- responseStatus / attendee: learn.microsoft.com/graph/api/resources/responsestatus, .../attendee
- calendarView page: learn.microsoft.com/graph/api/user-list-calendarview (value, @odata.nextLink)
- mailboxSettings / workingHours: learn.microsoft.com/graph/api/resources/mailboxsettings,
  .../workinghours
- todoTask: learn.microsoft.com/graph/api/resources/todotask
"""

from __future__ import annotations

import re
from typing import Any

from .conftest import RawGraph

ANNA = "anna.berg@contoso.com"
WEEK = {"startDateTime": "2026-11-23T00:00:00+01:00", "endDateTime": "2026-11-30T00:00:00+01:00"}

STR, BOOL, INT, OBJ, LIST = str, bool, int, dict, list
EVENT_FIELDS: dict[str, Any] = {
    "allowNewTimeProposals": BOOL,
    "attendees": LIST,
    "body": OBJ,
    "bodyPreview": STR,
    "categories": LIST,
    "changeKey": STR,
    "createdDateTime": "timestamp",
    "end": "dtz",
    "hasAttachments": BOOL,
    "iCalUId": STR,
    "id": STR,
    "importance": STR,
    "isAllDay": BOOL,
    "isCancelled": BOOL,
    "isOnlineMeeting": BOOL,
    "isOrganizer": BOOL,
    "isReminderOn": BOOL,
    "lastModifiedDateTime": "timestamp",
    "location": OBJ,
    "locations": LIST,
    "onlineMeeting": (OBJ, None),
    "onlineMeetingProvider": STR,
    "onlineMeetingUrl": (STR, None),
    "organizer": OBJ,
    "originalEndTimeZone": STR,
    "originalStart": "timestamp",
    "originalStartTimeZone": STR,
    "recurrence": (OBJ, None),
    "reminderMinutesBeforeStart": INT,
    "responseRequested": BOOL,
    "responseStatus": OBJ,
    "sensitivity": STR,
    "seriesMasterId": (STR, None),
    "showAs": STR,
    "start": "dtz",
    "subject": STR,
    "type": STR,
    "webLink": STR,
    "transactionId": (STR, None),
    "isDraft": BOOL,
    "hideAttendees": BOOL,
    "singleValueExtendedProperties": LIST,
}
ENUMS = {
    "showAs": {"free", "tentative", "busy", "oof", "workingElsewhere", "unknown"},
    "sensitivity": {"normal", "personal", "private", "confidential"},
    "importance": {"low", "normal", "high"},
    "type": {"singleInstance", "occurrence", "exception", "seriesMaster"},
}
RESPONSES = {"none", "organizer", "tentativelyAccepted", "accepted", "declined", "notResponded"}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$")
LOCAL_DT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$")  # "2026-11-24T08:00:00.0000000"


def check(obj: dict[str, Any], spec: dict[str, Any], what: str) -> None:
    extra = {k for k in obj if not k.startswith("@odata.")} - set(spec)
    assert not extra, f"{what}: undocumented properties {extra}"
    for key, kind in spec.items():
        if key not in obj:
            continue
        value = obj[key]
        if kind == "timestamp":
            assert isinstance(value, str) and TIMESTAMP.match(value), (what, key, value)
        elif kind == "dtz":
            assert set(value) == {"dateTime", "timeZone"} and LOCAL_DT.match(value["dateTime"]), (
                value
            )
        else:
            kinds = kind if isinstance(kind, tuple) else (kind,)
            ok = any(value is None if k is None else isinstance(value, k) for k in kinds)
            assert ok, (what, key, value)
    for key, allowed in ENUMS.items():
        if key in obj and key in spec:
            assert obj[key] in allowed, (what, key, obj[key])


def test_event_in_a_calendar_view_page(shared_graph: RawGraph) -> None:
    r = shared_graph.get(f"/users/{ANNA}/calendarView", params={**WEEK, "$top": "2"})
    page = r.json()
    assert r.headers["content-type"].startswith("application/json")
    assert set(page) == {"@odata.context", "value", "@odata.nextLink"}
    assert page["@odata.nextLink"].startswith("https://") and "$skip=2" in page["@odata.nextLink"]
    assert len(page["value"]) == 2
    for event in page["value"]:
        check(event, EVENT_FIELDS, "event")
        assert event["@odata.etag"].startswith('W/"')
        assert set(event["responseStatus"]) == {"response", "time"}
        assert event["responseStatus"]["response"] in RESPONSES
        assert set(event["organizer"]) == {"emailAddress"}
        assert set(event["organizer"]["emailAddress"]) == {"name", "address"}
        assert set(event["body"]) == {"contentType", "content"}
        for attendee in event["attendees"]:
            assert set(attendee) == {"type", "status", "emailAddress"}
            assert attendee["type"] in {"required", "optional", "resource"}
            assert attendee["status"]["response"] in RESPONSES


def test_occurrence_and_single_instance_fields(shared_graph: RawGraph) -> None:
    events = shared_graph.get(f"/users/{ANNA}/calendarView", params={**WEEK, "$top": "50"}).json()[
        "value"
    ]
    occurrence = next(e for e in events if e["type"] == "occurrence")
    assert occurrence["seriesMasterId"] and occurrence["recurrence"] is None
    assert TIMESTAMP.match(occurrence["originalStart"])
    single = next(e for e in events if e["type"] == "singleInstance")
    assert single["seriesMasterId"] is None and "originalStart" not in single
    assert "transactionId" not in single  # "only returned ... if an app has set it"


def test_series_master_recurrence_is_a_patterned_recurrence(shared_graph: RawGraph) -> None:
    events = shared_graph.get(f"/users/{ANNA}/events", params={"$top": "100"}).json()["value"]
    master = next(e for e in events if e["type"] == "seriesMaster")
    check(master, EVENT_FIELDS, "seriesMaster")
    # learn.microsoft.com/graph/api/resources/recurrencepattern, .../recurrencerange
    assert set(master["recurrence"]) == {"pattern", "range"}
    assert set(master["recurrence"]["pattern"]) == {
        "type",
        "interval",
        "month",
        "dayOfMonth",
        "daysOfWeek",
        "firstDayOfWeek",
        "index",
    }
    assert set(master["recurrence"]["range"]) == {
        "type",
        "startDate",
        "endDate",
        "recurrenceTimeZone",
        "numberOfOccurrences",
    }
    assert not any(
        e["type"] in ("occurrence", "exception") for e in events
    )  # /events lists masters


def test_mailbox_settings(shared_graph: RawGraph) -> None:
    body = shared_graph.get(f"/users/{ANNA}/mailboxSettings").json()
    documented = {
        "archiveFolder",
        "automaticRepliesSetting",
        "dateFormat",
        "delegateMeetingMessageDeliveryOptions",
        "language",
        "timeFormat",
        "timeZone",
        "userPurpose",
        "workingHours",
    }
    assert set(body) - {"@odata.context"} == documented
    assert body["timeZone"] == "W. Europe Standard Time"
    wh = body["workingHours"]
    assert set(wh) == {"daysOfWeek", "startTime", "endTime", "timeZone"}
    assert wh["daysOfWeek"] == ["monday", "tuesday", "wednesday", "thursday", "friday"]
    assert (wh["startTime"], wh["endTime"]) == ("08:00:00.0000000", "17:00:00.0000000")
    assert wh["timeZone"] == {"name": "W. Europe Standard Time"}
    assert set(body["language"]) == {"locale", "displayName"}
    olivia = shared_graph.get("/users/olivia.hayes@contoso.com/mailboxSettings").json()
    assert olivia["timeZone"] == "America/New_York"  # some tenants answer with IANA names


def test_todo_task(shared_graph: RawGraph) -> None:
    lists = shared_graph.get(f"/users/{ANNA}/todo/lists").json()["value"]
    for lst in lists:
        assert set(lst) - {"@odata.etag"} == {
            "displayName",
            "isOwner",
            "isShared",
            "wellknownListName",
            "id",
        }
    follow = next(lst for lst in lists if lst["displayName"] == "Customer follow-ups")
    task = shared_graph.get(f"/users/{ANNA}/todo/lists/{follow['id']}/tasks").json()["value"][0]
    spec = {
        "body": OBJ,
        "bodyLastModifiedDateTime": "timestamp",
        "categories": LIST,
        "completedDateTime": "dtz",
        "createdDateTime": "timestamp",
        "dueDateTime": "dtz",
        "hasAttachments": BOOL,
        "id": STR,
        "importance": STR,
        "isReminderOn": BOOL,
        "lastModifiedDateTime": "timestamp",
        "recurrence": OBJ,
        "reminderDateTime": "dtz",
        "startDateTime": "dtz",
        "status": STR,
        "title": STR,
        "linkedResources": LIST,
    }
    check(task, spec, "todoTask")
    assert task["status"] in {
        "notStarted",
        "inProgress",
        "completed",
        "waitingOnOthers",
        "deferred",
    }
    assert task["dueDateTime"]["timeZone"] == "UTC"
    assert set(task["body"]) == {"content", "contentType"}
