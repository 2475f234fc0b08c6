"""/users/{id}/events and calendarView behaviour slotguard relies on: finding its own events by
a single-value extended property, reading the property back with $expand, paging, $select,
time-zone preference, recurring series creation, updates and deletes
(learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-get,
learn.microsoft.com/graph/api/user-list-calendarview, learn.microsoft.com/graph/paging)."""

from __future__ import annotations

from typing import Any

from slotguard.sim.server import SimServer

from .conftest import RawGraph

ERIK = "erik.holm@contoso.com"
PROP = "String {4c7a5f0e-9b1d-4e2a-8f3c-1a2b3c4d5e6f} Name slotguard.key"
WE = "W. Europe Standard Time"
WEEK2 = {"startDateTime": "2026-11-30T00:00:00+01:00", "endDateTime": "2026-12-07T00:00:00+01:00"}


def block(key: str, day: str, **extra: Any) -> dict[str, Any]:
    return {
        "subject": "Prospecting",
        "showAs": "busy",
        "categories": ["Prospecting"],
        "start": {"dateTime": f"{day}T13:00:00", "timeZone": WE},
        "end": {"dateTime": f"{day}T15:00:00", "timeZone": WE},
        "singleValueExtendedProperties": [{"id": PROP, "value": key}],
        **extra,
    }


def test_find_own_events_by_extended_property_and_expand_it(graph: RawGraph) -> None:
    created = graph.post(
        f"/users/{ERIK}/events", block("compensation:erik|r1|2026-11-24#comp1", "2026-12-01")
    )
    assert created.status_code == 201
    assert "singleValueExtendedProperties" not in created.json()
    graph.post(
        f"/users/{ERIK}/calendar/events",
        block("compensation:erik|r1|2026-11-24#comp2", "2026-12-02"),
    )
    flt = (
        f"singleValueExtendedProperties/Any(ep: ep/id eq '{PROP}' and "
        f"ep/value eq 'compensation:erik|r1|2026-11-24#comp1')"
    )
    found = graph.get(f"/users/{ERIK}/events", params={"$filter": flt}).json()["value"]
    assert [e["id"] for e in found] == [created.json()["id"]]
    prefix = (
        f"singleValueExtendedProperties/Any(ep: ep/id eq '{PROP}' and "
        f"startswith(ep/value, 'compensation:erik|r1|2026-11-24'))"
    )
    assert len(graph.get(f"/users/{ERIK}/events", params={"$filter": prefix}).json()["value"]) == 2
    # The Name part of the id is case-sensitive.
    wrong = flt.replace("slotguard.key", "SLOTGUARD.KEY")
    assert graph.get(f"/users/{ERIK}/events", params={"$filter": wrong}).json()["value"] == []
    expand = f"singleValueExtendedProperties($filter=id eq '{PROP}')"
    got = graph.get(
        f"/users/{ERIK}/events/{created.json()['id']}", params={"$expand": expand}
    ).json()
    assert got["singleValueExtendedProperties"] == [
        {"id": PROP, "value": "compensation:erik|r1|2026-11-24#comp1"}
    ]
    view = graph.get(
        f"/users/{ERIK}/calendarView",
        params={**WEEK2, "$top": "100", "$expand": expand, "$select": "subject,start,end"},
    ).json()["value"]
    mine = [e for e in view if e.get("singleValueExtendedProperties")]
    assert len(mine) == 2
    assert set(mine[0]) == {
        "@odata.etag",
        "id",
        "subject",
        "start",
        "end",
        "singleValueExtendedProperties",
    }


def test_paging_honours_top_and_maxpagesize(graph: RawGraph) -> None:
    everything = graph.get(f"/users/{ERIK}/calendarView", params={**WEEK2, "$top": "1000"}).json()
    assert "@odata.nextLink" not in everything
    total = len(everything["value"])
    assert total > 3
    seen: list[str] = []
    page = graph.get(
        f"/users/{ERIK}/calendarView", params=WEEK2, headers={"Prefer": "odata.maxpagesize=3"}
    )
    assert "odata.maxpagesize=3" in page.headers["Preference-Applied"]
    body = page.json()
    while True:
        assert len(body["value"]) <= 3
        seen += [e["id"] for e in body["value"]]
        if "@odata.nextLink" not in body:
            break
        body = graph.get(body["@odata.nextLink"], headers={"Prefer": "odata.maxpagesize=3"}).json()
    assert seen == [e["id"] for e in everything["value"]]
    default = graph.get(
        f"/users/{ERIK}/calendarView",
        params={"startDateTime": "2026-10-01T00:00:00Z", "endDateTime": "2027-01-01T00:00:00Z"},
    )
    assert len(default.json()["value"]) == 10 and "@odata.nextLink" in default.json()


def test_prefer_outlook_timezone_converts_times_but_not_all_day_events(graph: RawGraph) -> None:
    r = graph.get(
        f"/users/{ERIK}/calendarView",
        params={**WEEK2, "$top": "100"},
        headers={"Prefer": 'outlook.timezone="Eastern Standard Time"'},
    )
    assert r.headers["Preference-Applied"] == 'outlook.timezone="Eastern Standard Time"'
    events = r.json()["value"]
    timed = next(e for e in events if e["subject"] == "Territory planning")
    assert timed["start"] == {
        "dateTime": "2026-11-30T04:00:00.0000000",
        "timeZone": "Eastern Standard Time",
    }
    vacation = next(e for e in events if e["isAllDay"])
    assert vacation["start"] == {"dateTime": "2026-12-02T00:00:00.0000000", "timeZone": WE}


def test_recurring_series_created_over_graph_shows_in_calendar_view(graph: RawGraph) -> None:
    body = block(
        "block:erik|r1|series",
        "2026-11-24",
        recurrence={
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday", "thursday"]},
            "range": {"type": "noEnd", "startDate": "2026-11-24"},
        },
    )
    body["start"]["dateTime"], body["end"]["dateTime"] = (
        "2026-11-24T08:00:00",
        "2026-11-24T10:00:00",
    )
    master = graph.post(f"/users/{ERIK}/events", body).json()
    assert master["type"] == "seriesMaster"
    assert master["recurrence"]["range"]["recurrenceTimeZone"] == WE
    view = graph.get(
        f"/users/{ERIK}/calendarView",
        params={**WEEK2, "$top": "100"},
        headers={"Prefer": f'outlook.timezone="{WE}"'},
    ).json()["value"]
    ours = [e for e in view if e.get("seriesMasterId") == master["id"]]
    assert [(e["start"]["dateTime"][:16], e["type"]) for e in ours] == [
        ("2026-12-01T08:00", "occurrence"),
        ("2026-12-03T08:00", "occurrence"),
    ]
    flt = (f"singleValueExtendedProperties/Any(ep: ep/id eq '{PROP}' and "
           "ep/value eq 'block:erik|r1|series')")
    assert [
        e["id"] for e in graph.get(f"/users/{ERIK}/events", params={"$filter": flt}).json()["value"]
    ] == [master["id"]]
    bad = graph.post(
        f"/users/{ERIK}/events", {**body, "recurrence": {"pattern": {"type": "weekly"}}}
    )
    assert bad.status_code == 400 and "daysOfWeek" in bad.json()["error"]["message"]


def test_patch_delete_and_transaction_id_rules(sim: SimServer, graph: RawGraph) -> None:
    tx = "0e9d3c2b-1a2b-5c3d-8e4f-5a6b7c8d9e0f"
    first = graph.post(f"/users/{ERIK}/events", block("k", "2026-12-04", transactionId=tx)).json()
    assert first["transactionId"] == tx
    patched = graph.patch(
        f"/users/{ERIK}/events/{first['id']}",
        {"subject": "Prospecting (moved)", "categories": ["Prospecting", "Moved"]},
    )
    assert patched.status_code == 200 and patched.json()["subject"] == "Prospecting (moved)"
    assert patched.json()["changeKey"] != first["changeKey"]
    assert (
        graph.patch(f"/users/{ERIK}/events/{first['id']}", {"transactionId": "other"}).status_code
        == 400
    )
    assert graph.patch(f"/users/{ERIK}/events/{first['id']}", {"bogus": 1}).status_code == 400
    replay = graph.post(f"/users/{ERIK}/events", block("k", "2026-12-04", transactionId=tx))
    assert replay.status_code == 201 and replay.json()["id"] == first["id"]
    assert graph.delete(f"/users/{ERIK}/events/{first['id']}").status_code == 204
    assert graph.get(f"/users/{ERIK}/events/{first['id']}").status_code == 404
    # Once the event is gone its transactionId no longer blocks a new create.
    again = graph.post(f"/users/{ERIK}/events", block("k", "2026-12-04", transactionId=tx)).json()
    assert again["id"] != first["id"]
    assert graph.post(f"/users/{ERIK}/events", {"subject": "no times"}).status_code == 400
    late = block("k", "2026-12-04")
    late["end"]["dateTime"] = "2026-12-04T12:00:00"
    assert graph.post(f"/users/{ERIK}/events", late).json()["error"]["code"] == (
        "ErrorCalendarEndDateIsEarlierThanStartDate"
    )
    assert (
        graph.post(
            f"/users/{ERIK}/events",
            {
                **block("k", "2026-12-04"),
                "start": {"dateTime": "2026-12-04T13:00:00", "timeZone": "Mars/Olympus"},
            },
        ).status_code
        == 400
    )


def test_tenant_helpers_change_calendars_behind_the_clients_back(
    sim: SimServer, graph: RawGraph
) -> None:
    from datetime import datetime

    event_id = sim.tenant.add_event(
        ERIK,
        "Customer call",
        datetime(2026, 12, 1, 8, 30),
        datetime(2026, 12, 1, 9, 30),
        attendees=["x@fabrikam.com"],
    )
    got = graph.get(
        f"/users/{ERIK}/events/{event_id}", headers={"Prefer": f'outlook.timezone="{WE}"'}
    ).json()
    assert got["start"]["dateTime"] == "2026-12-01T08:30:00.0000000"
    assert got["attendees"][0]["emailAddress"]["address"] == "x@fabrikam.com"
    sim.tenant.move_event(ERIK, event_id, datetime(2026, 12, 1, 15), datetime(2026, 12, 1, 16))
    sim.tenant.cancel_event(ERIK, event_id)
    got = graph.get(
        f"/users/{ERIK}/events/{event_id}", headers={"Prefer": f'outlook.timezone="{WE}"'}
    ).json()
    assert got["start"]["dateTime"] == "2026-12-01T15:00:00.0000000" and got["isCancelled"] is True
    sim.tenant.delete_event(ERIK, event_id)
    assert graph.get(f"/users/{ERIK}/events/{event_id}").status_code == 404
