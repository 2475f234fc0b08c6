from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from kiota_abstractions.authentication import AnonymousAuthenticationProvider
from kiota_abstractions.method import Method
from msgraph import GraphServiceClient

from slotguard.domain.model import Purpose, Weekday
from slotguard.errors import BadGraphData
from slotguard.graph import writes
from slotguard.graph.mailbox import decode_mailbox
from slotguard.graph.marker import (
    KEY_PROPERTY_ID,
    PURPOSE_PROPERTY_ID,
    filter_by_key,
    marker_from_properties,
    transaction_id,
)
from slotguard.graph.own import own_prefix_filter
from slotguard.graph.reads import decode_tasks
from slotguard.ports import NewEvent, NewTask, WeeklyRecurrence

DATA = Path(__file__).parent / "data"
WEEKDAYS = frozenset({Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY,
                      Weekday.FRIDAY})


def wire(body: dict) -> dict:  # type: ignore[type-arg]
    """The body as it goes out in a POST built from an SDK request builder."""
    builder = GraphServiceClient(AnonymousAuthenticationProvider()).users.by_user_id(
        "anna.berg@contoso.com").events
    info = writes.post_request(builder, body)
    assert info.http_method is Method.POST
    assert info.headers.get("content-type") == {"application/json"}
    assert info.url_template == builder.url_template
    return json.loads(info.content or b"")  # type: ignore[no-any-return]


def test_windows_zone_and_working_hours() -> None:
    mailbox = decode_mailbox("anna.berg@contoso.com",
                             (DATA / "mailbox_settings.json").read_bytes())
    assert mailbox.zone == "Europe/Berlin"  # CLDR's answer for "W. Europe Standard Time"
    assert mailbox.working_hours.days == WEEKDAYS
    assert (mailbox.working_hours.start, mailbox.working_hours.end) == (time(8), time(17))


def test_custom_working_hours_zone_without_a_mailbox_zone_uses_its_bias() -> None:
    mailbox = decode_mailbox("emma.clark@contoso.com",
                             (DATA / "mailbox_settings_customtz.json").read_bytes())
    assert mailbox.zone == "Etc/GMT+5"  # bias 300 min = UTC-5
    assert mailbox.working_hours.days == WEEKDAYS  # capitalised day names accepted
    assert mailbox.working_hours.start == time(9)


@pytest.mark.parametrize(("bias", "zone"), [(0, "UTC"), (-60, "Etc/GMT-1"), (60, "Etc/GMT+1"),
                                           (330, None), (None, None)])
def test_a_custom_zone_is_read_from_whole_hour_biases_only(bias: int | None,
                                                           zone: str | None) -> None:
    raw = json.loads((DATA / "mailbox_settings_customtz.json").read_text())
    custom = raw["workingHours"]["timeZone"]
    if bias is None:
        del custom["bias"]
    else:
        custom["bias"] = bias
    if zone is not None:
        assert decode_mailbox("e@contoso.com", json.dumps(raw).encode()).zone == zone
        return
    with pytest.raises(BadGraphData, match="name no time zone"):
        decode_mailbox("e@contoso.com", json.dumps(raw).encode())


def test_custom_working_hours_zone_follows_the_mailbox_zone() -> None:
    raw = json.loads((DATA / "mailbox_settings_customtz.json").read_text())
    raw["timeZone"] = "America/New_York"
    mailbox = decode_mailbox("emma.clark@contoso.com", json.dumps(raw).encode())
    assert mailbox.zone == mailbox.working_hours.zone == "America/New_York"


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"timeZone": "Mars Standard Time"}, "mailboxSettings.timeZone"),
        ({"workingHours": {"daysOfWeek": ["funday"], "startTime": "08:00:00",
                           "endTime": "17:00:00"}}, "workingHours.daysOfWeek"),
        ({"workingHours": {"daysOfWeek": ["monday"], "startTime": "18:00:00",
                           "endTime": "17:00:00"}}, "workingHours.endTime"),
    ],
)
def test_bad_mailbox_settings_name_the_field(patch: dict, field: str) -> None:  # type: ignore[type-arg]
    raw = json.loads((DATA / "mailbox_settings.json").read_text()) | patch
    with pytest.raises(BadGraphData) as caught:
        decode_mailbox("x@contoso.com", json.dumps(raw).encode())
    assert caught.value.code == field


def test_compensation_event_body() -> None:
    key = "anna.berg@contoso.com|nordics-tue-thu|2026-11-17#comp1"
    event = NewEvent(
        key=key, purpose=Purpose.COMPENSATION, subject="Prospecting (make-up for Tue 08:00)",
        body="Fabrikam renewal took Tue 08:00-10:00.",
        start=datetime(2026, 11, 24, 13, 0, tzinfo=UTC),
        end=datetime(2026, 11, 24, 15, 0, tzinfo=UTC),
        zone="Europe/Stockholm", categories=("Prospecting",), reminder_minutes=15,
    )
    body = wire(writes.event_body(event))
    # Written in the Windows zone: Graph takes only a short list of IANA names.
    zone = "W. Europe Standard Time"
    assert body["start"] == {"dateTime": "2026-11-24T14:00:00", "timeZone": zone}
    assert body["end"] == {"dateTime": "2026-11-24T16:00:00", "timeZone": zone}
    assert body["showAs"] == "busy" and body["isReminderOn"] is True
    assert body["transactionId"] == transaction_id(key) == transaction_id(key)
    assert body["singleValueExtendedProperties"] == [
        {"id": KEY_PROPERTY_ID, "value": key},
        {"id": PURPOSE_PROPERTY_ID, "value": "compensation"},
    ]
    assert "recurrence" not in body


def test_block_series_body_recurs_weekly() -> None:
    event = NewEvent(
        key="anna.berg@contoso.com|nordics-tue-thu|series", purpose=Purpose.BLOCK,
        subject="Prospecting", body="", start=datetime(2026, 11, 24, 7, tzinfo=UTC),
        end=datetime(2026, 11, 24, 9, tzinfo=UTC), zone="Europe/Stockholm",
        recurrence=WeeklyRecurrence(frozenset({Weekday.THURSDAY, Weekday.TUESDAY}),
                                    start=date(2026, 11, 24)),
    )
    recurrence = wire(writes.event_body(event))["recurrence"]
    assert recurrence["pattern"] == {"daysOfWeek": ["tuesday", "thursday"],
                                     "firstDayOfWeek": "monday", "interval": 1, "type": "weekly"}
    assert recurrence["range"] == {"recurrenceTimeZone": "W. Europe Standard Time",
                                   "startDate": "2026-11-24", "type": "noEnd"}


def test_task_key_is_out_of_the_sellers_sight_and_old_notes_still_count() -> None:
    task = NewTask(key="k|task:m", title="Follow up: Fabrikam renewal (2026-11-24)", body="Call",
                   due=date(2026, 11, 26), zone="Europe/Stockholm",
                   recurrence=WeeklyRecurrence(frozenset({Weekday.THURSDAY}), date(2026, 11, 26)),
                   link_url="https://outlook.office365.com/owa/?itemid=1", link_title="Meeting")
    body = wire(writes.task_body(task))
    due = {"dateTime": "2026-11-26T00:00:00", "timeZone": "W. Europe Standard Time"}
    assert body["dueDateTime"] == due
    assert body["reminderDateTime"] == {"dateTime": "2026-11-26T09:00:00",
                                        "timeZone": "W. Europe Standard Time"}
    assert body["linkedResources"] == [{
        "applicationName": "slotguard", "displayName": "Meeting", "externalId": "k|task:m",
        "webUrl": "https://outlook.office365.com/owa/?itemid=1"}]
    assert body["recurrence"]["range"]["startDate"] == "2026-11-26"
    assert body["recurrence"]["range"]["recurrenceTimeZone"] == "W. Europe Standard Time"
    # The seller reads the note as written for them: no internal key in sight.
    assert body["body"] == {"contentType": "text", "content": "Call"}
    assert "k|task:m" not in json.dumps({k: body[k] for k in ("title", "body")})
    # The linked resource finds the task again, and so does the key line in the note of
    # a task written before the key moved out of it.
    legacy = {"contentType": "text", "content": "Call\n\nslotguard-key: k|task:m"}
    ours = [{"externalId": "k|task:m", "applicationName": "slotguard"}]
    theirs = [{"externalId": "k|task:m", "applicationName": "Outlook"}]
    page = {"value": [
        {"id": "1", "linkedResources": ours},
        {"id": "2", "body": legacy},
        {"id": "3", "linkedResources": theirs},
    ]}
    tasks, _ = decode_tasks(json.dumps(page).encode())
    assert [t.carried_keys() for t in tasks] == [{"k|task:m"}, {"k|task:m"}, set()]


def test_marker_round_trip_and_filter_quoting() -> None:
    assert marker_from_properties({KEY_PROPERTY_ID.upper(): "a|b", PURPOSE_PROPERTY_ID: "block"})
    assert marker_from_properties({"String {other} Name x": "y"}) is None
    quoted = filter_by_key("o'brien@contoso.com|r|2026-11-24")
    assert "eq 'o''brien@contoso.com|r|2026-11-24'" in quoted
    # All of a seller's keys start with the UPN in lower case and "|" (domain/keys.py).
    assert "startswith(ep/value, 'o''brien@contoso.com|'))" in own_prefix_filter(
        "O'Brien@Contoso.com")


def test_bodies_match_what_kiota_writes_for_the_sdk_models() -> None:
    from kiota_serialization_json.json_serialization_writer_factory import (
        JsonSerializationWriterFactory,
    )
    from msgraph.generated.models.recurrence_range import RecurrenceRange
    from msgraph.generated.models.recurrence_range_type import RecurrenceRangeType
    from msgraph.generated.models.todo_task_list import TodoTaskList

    def kiota(model: object) -> dict:  # type: ignore[type-arg]
        writer = JsonSerializationWriterFactory().get_serialization_writer("application/json")
        writer.write_object_value(None, model)  # type: ignore[arg-type]
        out = json.loads(writer.get_serialized_content())
        out.pop("@odata.type", None)  # the SDK's default type tag; Graph infers it
        return out  # type: ignore[no-any-return]

    assert wire(writes.task_list_body("slotguard")) == kiota(TodoTaskList(display_name="slotguard"))
    # sendMail: kiota capitalises this action's parameters ("Message"); Graph documents
    # and the simulator reads them camel-cased.
    assert wire(writes.mail_body(["m@contoso.com"], "s", "b")) == {
        "message": {"subject": "s", "body": {"contentType": "text", "content": "b"},
                    "toRecipients": [{"emailAddress": {"address": "m@contoso.com"}}]},
        "saveToSentItems": True}
    ends = WeeklyRecurrence(frozenset({Weekday.MONDAY}), date(2026, 11, 23), date(2026, 12, 21))
    got = writes._recurrence(ends, "Europe/Stockholm")["range"]
    expected = kiota(RecurrenceRange(type=RecurrenceRangeType.EndDate,
                                     start_date=date(2026, 11, 23), end_date=date(2026, 12, 21),
                                     recurrence_time_zone="Europe/Stockholm"))
    assert got == expected

