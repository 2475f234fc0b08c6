from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from slotguard.domain.model import AttendeeType, Purpose, Response, Sensitivity, ShowAs
from slotguard.errors import BadGraphData
from slotguard.graph.decode import (
    decode_event,
    decode_event_page,
    decode_page_links,
    page_links_only,
)
from slotguard.graph.reads import decode_users, group_members
from slotguard.ports import GroupMembers

DATA = Path(__file__).parent / "data"


def page(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_calendar_view_page_becomes_domain_events() -> None:
    result = decode_event_page(page("calendarview_page.json"))
    assert result.next_link is not None and result.next_link.endswith("%24skip=4")
    assert result.skipped == []
    meeting, offsite, own, cancelled = result.events

    assert meeting.start == datetime(2026, 11, 24, 7, 30, tzinfo=UTC)
    assert meeting.end == datetime(2026, 11, 24, 8, 30, tzinfo=UTC)
    assert meeting.response is Response.ACCEPTED
    assert meeting.show_as is ShowAs.BUSY
    assert [(a.address, a.type) for a in meeting.attendees] == [
        ("pat.doe@fabrikam.com", AttendeeType.REQUIRED),
        ("anna.berg@contoso.com", AttendeeType.OPTIONAL),
        ("room4@contoso.com", AttendeeType.RESOURCE),
    ]
    assert meeting.organizer == "pat.doe@fabrikam.com"
    assert meeting.categories == ("Customer",)
    assert meeting.marker is None and not meeting.is_own
    assert meeting.web_link and meeting.web_link.startswith("https://outlook")

    # All-day events keep their own zone whatever Prefer says: Stockholm/Berlin midnight.
    assert offsite.is_all_day
    assert offsite.start == datetime(2026, 11, 25, 23, 0, tzinfo=UTC)
    assert offsite.end == datetime(2026, 11, 26, 23, 0, tzinfo=UTC)
    assert offsite.show_as is ShowAs.OOF and offsite.response is Response.ORGANIZER

    assert own.marker is not None
    assert own.marker.purpose is Purpose.COMPENSATION
    assert own.marker.key == "anna.berg@contoso.com|nordics-tue-thu|2026-11-17#comp1"
    assert own.series_master_id and own.sensitivity is Sensitivity.PRIVATE

    assert cancelled.is_cancelled and cancelled.response is Response.DECLINED
    assert cancelled.show_as is ShowAs.FREE


def test_delta_page_reports_removals_and_the_delta_link() -> None:
    result = decode_event_page(page("delta_page.json"))
    assert [e.id for e in result.events] == ["AAMkADNVxRAAA="]
    assert result.events[0].response is Response.TENTATIVELY_ACCEPTED
    assert result.removed == ["AAMkADNVxSAAA="]
    assert result.delta_link and "$deltatoken=" in result.delta_link
    assert result.next_link is None


def test_malformed_items_are_skipped_with_the_field_named() -> None:
    result = decode_event_page(page("malformed_page.json"))
    assert [e.id for e in result.events] == ["good-1", "good-2"]
    fields = {s.event_id: s.field for s in result.skipped}
    assert fields == {
        "no-start": "start",
        "backwards": "end",
        "mars": "start.timeZone",
        "wrong-type": "start.dateTime",
    }


def test_a_single_bad_event_raises_naming_the_field() -> None:
    raw = b'{"id": "x", "start": {"dateTime": "2026-11-24T10:00:00", "timeZone": "UTC"}}'
    with pytest.raises(BadGraphData) as caught:
        decode_event(raw)
    assert caught.value.code == "end"
    assert "end missing" in str(caught.value)


def test_unknown_enum_values_do_not_break_the_scan() -> None:
    raw = (
        b'{"value": [{"id": "x", "showAs": "somethingNew", "sensitivity": "topSecret",'
        b' "responseStatus": {"response": "maybe"},'
        b' "attendees": [{"type": "virtual", "emailAddress": {"address": "A@B.example"}},'
        b' {"type": "required", "emailAddress": {"name": "no address"}}],'
        b' "start": {"dateTime": "2026-11-24T10:00:00Z"},'
        b' "end": {"dateTime": "2026-11-24T10:30:00.1234567", "timeZone": "Etc/UTC"}}]}'
    )
    (event,) = decode_event_page(raw).events
    assert event.show_as is ShowAs.UNKNOWN
    assert event.sensitivity is Sensitivity.NORMAL
    assert event.response is Response.NONE
    addresses = [(a.address, a.type) for a in event.attendees]
    assert addresses == [("a@b.example", AttendeeType.REQUIRED)]
    assert event.end == datetime(2026, 11, 24, 10, 30, 0, 123456, tzinfo=UTC)


def test_a_page_that_is_not_json_is_bad_graph_data() -> None:
    with pytest.raises(BadGraphData):
        decode_event_page(b"<html>502 Bad Gateway</html>")
    with pytest.raises(BadGraphData):
        decode_event_page(b'{"value": 3}')


def test_a_page_kept_for_its_links_keeps_only_them() -> None:
    link = "https://graph.test/v1.0/users/x/calendarView/delta?$deltatoken=a%2Fb"
    page = (b'{"@odata.context":"c","value":[{"id":"e1","subject":"Customer"}],'
            b'"@odata.deltaLink":"' + link.encode() + b'"}')
    kept = page_links_only(page)
    assert b"Customer" not in kept and len(kept) < len(page)
    assert decode_page_links(kept) == decode_page_links(page) == (None, link)


def test_a_body_that_is_no_page_is_kept_whole_so_reading_it_still_fails() -> None:
    assert page_links_only(b"<html>") == b"<html>"
    with pytest.raises(BadGraphData):
        decode_page_links(b"<html>")


def test_group_members_are_enabled_users_with_a_upn_in_lower_case() -> None:
    raw = (b'{"value": [{"id": "1", "userPrincipalName": "Off@contoso.com",'
           b' "accountEnabled": false}, {"id": "2", "accountEnabled": true},'
           b' {"id": "3", "userPrincipalName": "Lee@Contoso.com"}],'
           b' "@odata.nextLink": "https://graph.microsoft.com/v1.0/next"}')
    users, link = decode_users(raw)
    assert link == "https://graph.microsoft.com/v1.0/next"
    # Disabled and unnamed members are counted, not scanned; an unknown state is scanned.
    assert group_members(users) == GroupMembers(("lee@contoso.com",), disabled=1,
                                                unknown_state=1, unnamed=1)


def test_a_members_page_that_is_not_json_names_what_was_read() -> None:
    with pytest.raises(BadGraphData) as caught:
        decode_users(b"<html>")
    assert caught.value.code == "transitiveMembers"
    assert str(caught.value).startswith("transitiveMembers: unexpected response: ")


def test_a_page_with_a_bad_item_keeps_its_links_and_says_what_was_wrong() -> None:
    raw = json.loads(page("malformed_page.json"))
    raw["@odata.nextLink"] = "https://graph.microsoft.com/v1.0/next"
    raw["@odata.deltaLink"] = "https://graph.microsoft.com/v1.0/delta?$deltatoken=x"
    result = decode_event_page(json.dumps(raw).encode())
    assert (result.next_link, result.delta_link) == (raw["@odata.nextLink"],
                                                     raw["@odata.deltaLink"])
    reasons = {s.event_id: s.reason for s in result.skipped}
    assert reasons["no-start"] == "event no-start: start missing"
    assert reasons["wrong-type"] == "Expected `str | null`, got `int` - at `$.start.dateTime`"
