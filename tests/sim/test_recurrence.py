"""Recurring series as calendarView returns them: occurrences keep their local wall-clock
time across DST changes, an exception replaces its occurrence, a cancelled occurrence is
gone, and the series master itself never appears
(learn.microsoft.com/graph/api/user-list-calendarview: "occurrences, exceptions, and single
instances"; learn.microsoft.com/graph/api/resources/event: seriesMasterId, type,
originalStart)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from slotguard.sim import recurrence as rec
from slotguard.sim.model import StoredEvent, new_event_id, occurrence_id, parse_occurrence_id
from slotguard.sim.server import SimServer

from .conftest import RawGraph

ANNA = "anna.berg@contoso.com"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
WEEKLY_TUESDAY = {
    "pattern": {
        "type": "weekly",
        "interval": 1,
        "daysOfWeek": ["tuesday"],
        "firstDayOfWeek": "monday",
    },
    "range": {"type": "noEnd", "startDate": "2026-10-13"},
}


def _view(graph: RawGraph, upn: str, start: str, end: str, zone: str | None = None) -> list[dict]:
    headers = {"Prefer": f'outlook.timezone="{zone}"'} if zone else {}
    r = graph.get(
        f"/users/{upn}/calendarView",
        params={"startDateTime": start, "endDateTime": end, "$top": "100"},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    return list(r.json()["value"])


def test_weekly_series_across_the_october_dst_change_with_an_exception_and_a_cancellation(
    sim: SimServer, graph: RawGraph
) -> None:
    master = sim.tenant.add_event(
        ANNA,
        "Prospecting",
        datetime(2026, 10, 13, 8),
        datetime(2026, 10, 13, 10),
        zone="W. Europe Standard Time",
        recurrence=WEEKLY_TUESDAY,
    )
    moved = occurrence_id(master, date(2026, 10, 20))
    r = graph.patch(
        f"/users/{ANNA}/events/{moved}",
        {
            "subject": "Prospecting (moved)",
            "start": {"dateTime": "2026-10-20T10:00:00", "timeZone": "W. Europe Standard Time"},
            "end": {"dateTime": "2026-10-20T12:00:00", "timeZone": "W. Europe Standard Time"},
        },
    )
    assert r.status_code == 200 and r.json()["type"] == "exception"
    cancelled = occurrence_id(master, date(2026, 10, 27))
    assert graph.delete(f"/users/{ANNA}/events/{cancelled}").status_code == 204

    ours = [
        e
        for e in _view(graph, ANNA, "2026-10-12T00:00:00Z", "2026-11-10T00:00:00Z")
        if e.get("seriesMasterId") == master
    ]
    # Without Prefer the times are UTC: 08:00 CEST = 06:00Z before 25 Oct, 08:00 CET = 07:00Z after.
    assert [(e["start"]["dateTime"], e["start"]["timeZone"], e["type"]) for e in ours] == [
        ("2026-10-13T06:00:00.0000000", "UTC", "occurrence"),
        ("2026-10-20T08:00:00.0000000", "UTC", "exception"),
        ("2026-11-03T07:00:00.0000000", "UTC", "occurrence"),
    ]
    assert ours[1]["subject"] == "Prospecting (moved)" and ours[0]["subject"] == "Prospecting"
    assert ours[1]["originalStart"] == "2026-10-20T06:00:00Z"
    assert all(e["recurrence"] is None for e in ours)
    assert all(e["id"] != master for e in ours)  # no seriesMaster in calendarView
    assert len({e["id"] for e in ours}) == 3

    local = [
        e
        for e in _view(
            graph, ANNA, "2026-10-12T00:00:00Z", "2026-11-10T00:00:00Z", "W. Europe Standard Time"
        )
        if e.get("seriesMasterId") == master
    ]
    assert [e["start"]["dateTime"][11:16] for e in local] == ["08:00", "10:00", "08:00"]

    got = graph.get(f"/users/{ANNA}/events/{master}").json()
    assert got["type"] == "seriesMaster" and got["recurrence"]["pattern"]["daysOfWeek"] == [
        "tuesday"
    ]
    assert graph.get(f"/users/{ANNA}/events/{cancelled}").status_code == 404


def test_eastern_series_across_the_us_dst_change(sim: SimServer, graph: RawGraph) -> None:
    upn = "emma.clark@contoso.com"
    master = sim.tenant.add_event(
        upn,
        "Deal desk",
        datetime(2026, 10, 22, 9),
        datetime(2026, 10, 22, 10),
        zone="Eastern Standard Time",
        recurrence={
            "pattern": {"type": "weekly", "daysOfWeek": ["thursday"]},
            "range": {"type": "numbered", "startDate": "2026-10-22", "numberOfOccurrences": 3},
        },
    )
    ours = [
        e
        for e in _view(graph, upn, "2026-10-19T00:00:00Z", "2026-12-01T00:00:00Z")
        if e.get("seriesMasterId") == master
    ]
    assert [e["start"]["dateTime"] for e in ours] == [
        "2026-10-22T13:00:00.0000000",
        "2026-10-29T13:00:00.0000000",
        "2026-11-05T14:00:00.0000000",
    ]


def test_the_demo_series_has_its_exception_and_cancelled_week(shared_graph: RawGraph) -> None:
    # Nordics weekly pipeline: Mondays 09:00; week +1 moved to 13:00, week +2 cancelled.
    events = [
        e
        for e in _view(
            shared_graph,
            ANNA,
            "2026-11-23T00:00:00+01:00",
            "2026-12-14T00:00:00+01:00",
            "W. Europe Standard Time",
        )
        if e["subject"] == "Nordics weekly pipeline"
    ]
    assert [(e["start"]["dateTime"][:16], e["type"]) for e in events] == [
        ("2026-11-23T09:00", "occurrence"),
        ("2026-11-30T13:00", "exception"),
    ]


def _series(recurrence: dict, start: datetime, end: datetime) -> StoredEvent:
    now = datetime.now(UTC)
    return StoredEvent(
        new_event_id(),
        "uid",
        {},
        start,
        end,
        "Europe/Stockholm",
        "Europe/Stockholm",
        now,
        now,
        "ck",
        recurrence,
    )


def test_range_end_date_is_inclusive_and_intervals_skip_weeks() -> None:
    series = _series(
        {
            "pattern": {"type": "weekly", "interval": 2, "daysOfWeek": ["monday", "friday"]},
            "range": {"type": "endDate", "startDate": "2026-03-02", "endDate": "2026-03-20"},
        },
        datetime(2026, 3, 2, 9, tzinfo=STOCKHOLM),
        datetime(2026, 3, 2, 10, tzinfo=STOCKHOLM),
    )
    days = [
        i.start.date().isoformat()
        for i in rec.expand(
            series, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
        )
    ]
    assert days == ["2026-03-02", "2026-03-06", "2026-03-16", "2026-03-20"]


def test_relative_monthly_and_occurrence_ids_round_trip() -> None:
    series = _series(
        {
            "pattern": {"type": "relativeMonthly", "daysOfWeek": ["thursday"], "index": "last"},
            "range": {"type": "numbered", "startDate": "2026-01-01", "numberOfOccurrences": 3},
        },
        datetime(2026, 1, 29, 15, tzinfo=STOCKHOLM),
        datetime(2026, 1, 29, 16, tzinfo=STOCKHOLM),
    )
    found = rec.expand(series, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC))
    assert [i.start.date().isoformat() for i in found] == ["2026-01-29", "2026-02-26", "2026-03-26"]
    assert parse_occurrence_id(found[1].id) == (series.id, date(2026, 2, 26))


def test_an_occurrence_overlapping_the_window_edge_is_included() -> None:
    series = _series(
        WEEKLY_TUESDAY,
        datetime(2026, 10, 13, 8, tzinfo=STOCKHOLM),
        datetime(2026, 10, 13, 10, tzinfo=STOCKHOLM),
    )
    # Window starts 09:00 local on 20 Oct: the 08:00-10:00 occurrence overlaps it.
    found = rec.expand(
        series, datetime(2026, 10, 20, 7, tzinfo=UTC), datetime(2026, 10, 21, tzinfo=UTC)
    )
    assert len(found) == 1
    # A window ending exactly at an occurrence's start does not include it.
    assert (
        rec.expand(
            series, datetime(2026, 10, 19, tzinfo=UTC), datetime(2026, 10, 20, 6, tzinfo=UTC)
        )
        == []
    )


_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(["daily", "weekly"]),
    interval=st.integers(1, 4),
    days=st.sets(st.sampled_from(_DAYS), min_size=1),
    first_day=st.sampled_from(_DAYS),
    until=st.one_of(st.none(), st.integers(0, 900)),
    start=st.datetimes(datetime(2024, 1, 1), datetime(2026, 12, 31)),
    ahead=st.integers(0, 800),
    span=st.integers(1, 40),
)
def test_a_later_rule_start_keeps_every_occurrence_from_the_window_on(
    kind: str, interval: int, days: set[str], first_day: str, until: int | None,
    start: datetime, ahead: int, span: int,
) -> None:
    """A long-running series is expanded from near the window, not from its first week:
    the occurrences in the window are the same either way."""
    recurrence: dict = {
        "pattern": {"type": kind, "interval": interval, "daysOfWeek": sorted(days),
                    "firstDayOfWeek": first_day},
        "range": {"type": "noEnd", "startDate": start.date().isoformat()},
    }
    if until is not None:
        end_date = (start + timedelta(days=until)).date().isoformat()
        recurrence["range"] = {**recurrence["range"], "type": "endDate", "endDate": end_date}
    lo = start + timedelta(days=ahead, hours=3)
    hi = lo + timedelta(days=span)
    later = rec.closer_start(recurrence, start, lo)
    assert start <= later <= max(start, lo)
    expected = rec._rule(recurrence, start).between(lo, hi, inc=True)
    assert rec._rule(recurrence, later).between(lo, hi, inc=True) == expected


def test_a_numbered_series_keeps_its_start() -> None:
    recurrence = {"pattern": {"type": "daily", "interval": 1},
                  "range": {"type": "numbered", "startDate": "2026-01-01",
                            "numberOfOccurrences": 400}}
    start = datetime(2026, 1, 1, 8)
    assert rec.closer_start(recurrence, start, datetime(2026, 9, 1)) == start
