"""Compensations the ledger lost track of: withdrawn, recorded or completed, not doubled."""

from __future__ import annotations

import asyncio
from pathlib import Path

from structlog.testing import capture_logs
from tests.service.conftest import ANNA, WEEK, World, at, customer_meeting

from slotguard.domain.model import CalendarEvent, OwnMarker, Purpose, Weekday
from slotguard.errors import TransientGraphError
from slotguard.memory.calendar import moved
from slotguard.service.apply import EXISTING, WRITTEN, Applier
from slotguard.service.record import Recorder
from slotguard.store.ledger import Ledger

VIOLATION = f"{ANNA}|prospecting|{WEEK.day(Weekday.TUESDAY)}"
KEY = f"{VIOLATION}#comp1"


def _compensation_in_calendar(world: World) -> CalendarEvent:
    event = CalendarEvent("comp-1", at(Weekday.MONDAY, 8, week=WEEK.shift(1)),
                          at(Weekday.MONDAY, 10, week=WEEK.shift(1)), "Prospecting",
                          marker=OwnMarker(Purpose.COMPENSATION, KEY))
    world.gateway.put_event(ANNA, event)
    return event


def test_a_compensation_the_ledger_never_heard_of_is_deleted_and_recorded(world: World) -> None:
    event = _compensation_in_calendar(world)
    applier = Applier(world.gateway, Recorder(world.ledger, ANNA), {})
    assert asyncio.run(applier.withdraw(KEY, event.id, True)) == WRITTEN
    assert world.gateway.own(ANNA) == []
    (record,) = world.ledger.actions(seller=ANNA)
    assert (record.key, record.kind, record.violation_key, record.state, record.graph_id) == (
        KEY, "compensation", VIOLATION, "withdrawn", event.id)
    assert (applier.known[KEY].state, applier.known[KEY].graph_id) == ("withdrawn", event.id)


def test_a_withdrawn_compensation_is_not_deleted_twice(world: World) -> None:
    event = _compensation_in_calendar(world)
    applier = Applier(world.gateway, Recorder(world.ledger, ANNA), {})
    asyncio.run(applier.withdraw(KEY, event.id, True))
    writes = world.gateway.writes
    assert asyncio.run(applier.withdraw(KEY, event.id, True)) == EXISTING
    later = Applier(world.gateway, Recorder(world.ledger, ANNA),
                    {r.key: r for r in world.ledger.actions(seller=ANNA)})
    assert asyncio.run(later.withdraw(KEY, event.id, True)) == EXISTING
    assert world.gateway.writes == writes


def test_one_already_gone_from_the_calendar_is_only_recorded(world: World) -> None:
    applier = Applier(world.gateway, Recorder(world.ledger, ANNA), {})
    assert asyncio.run(applier.withdraw(KEY, "comp-1", False)) == WRITTEN
    assert world.gateway.writes == 0
    assert world.ledger.action(KEY).state == "withdrawn"  # type: ignore[union-attr]


def test_with_the_ledger_lost_a_moved_meeting_still_withdraws_what_graph_holds(
        world: World, tmp_path: Path) -> None:
    meeting = customer_meeting("m1", at(Weekday.TUESDAY, 8, 30), at(Weekday.TUESDAY, 9, 30))
    world.gateway.put_event(ANNA, meeting)
    asyncio.run(world.scanner().scan(week=WEEK))
    written = {e.marker.key: e.id for e in world.gateway.own(ANNA)}  # type: ignore[union-attr]
    assert len(written) == 2
    world.ledger.close()
    world.ledger = Ledger.open(f"sqlite:///{tmp_path / 'new.db'}", world.clock.now, migrate=True)

    world.gateway.put_event(ANNA, moved(meeting, at(Weekday.TUESDAY, 13), at(Weekday.TUESDAY, 14)))
    report = asyncio.run(world.scanner().scan(week=WEEK))
    anna = next(s for s in report.sellers if s.upn == ANNA)
    assert sorted(w.key for w in anna.withdrawals) == sorted(written)
    assert world.gateway.own(ANNA) == []
    records = world.ledger.actions(seller=ANNA, kind="compensation")
    assert {(r.key, r.state, r.graph_id) for r in records} == {
        (key, "withdrawn", event_id) for key, event_id in written.items()}


def test_with_the_ledger_lost_compensations_graph_holds_are_recorded_not_written_again(
        world: World, tmp_path: Path) -> None:
    world.gateway.put_event(ANNA, customer_meeting("m1", at(Weekday.TUESDAY, 8, 30),
                                                   at(Weekday.TUESDAY, 9, 30)))
    asyncio.run(world.scanner().scan(week=WEEK))
    written = {e.marker.key: e for e in world.gateway.own(ANNA)}  # type: ignore[union-attr]
    world.ledger.close()
    world.ledger = Ledger.open(f"sqlite:///{tmp_path / 'new.db'}", world.clock.now, migrate=True)
    with capture_logs() as logs:
        asyncio.run(world.scanner().scan(week=WEEK))
    assert {e.marker.key: e for e in world.gateway.own(ANNA)} == written  # type: ignore[union-attr]
    records = {r.key: r for r in world.ledger.actions(seller=ANNA, kind="compensation")}
    assert set(records) == set(written)
    for key, event in written.items():
        record = records[key]
        assert (record.state, record.graph_id, record.violation_key) == (
            "done", event.id, VIOLATION)
        assert record.payload == {"start": event.start.isoformat(),
                                  "end": event.end.isoformat()}
    recovered = sorted(e["key"] for e in logs if e["event"] == "scan.write_recovered"
                       and "#comp" in e["key"])
    assert recovered == sorted(written)
    assert all(e["seller"] == ANNA for e in logs if e["event"] == "scan.write_recovered")


def test_a_write_that_failed_after_landing_is_completed_by_the_next_scan(world: World) -> None:
    world.gateway.put_event(ANNA, customer_meeting("m1", at(Weekday.TUESDAY, 8, 30),
                                                   at(Weekday.TUESDAY, 9, 30)))

    def timeout_after_write(upn: str, key: str) -> None:
        if "#comp" in key:
            raise TransientGraphError("the answer was lost", status=504)

    world.gateway.after_write(timeout_after_write)
    asyncio.run(world.scanner().scan(week=WEEK))
    world.gateway.after_write(None)
    assert {r.state for r in world.ledger.actions(seller=ANNA, kind="compensation")} == {
        "failed"}
    writes = world.gateway.writes
    asyncio.run(world.scanner().scan(week=WEEK))
    assert world.gateway.writes == writes  # found in the calendar, not written again
    assert len(world.gateway.own(ANNA)) == 2
    assert {(r.state, bool(r.graph_id))
            for r in world.ledger.actions(seller=ANNA, kind="compensation")} == {("done", True)}


def test_with_the_ledger_lost_the_follow_up_task_is_not_written_twice(
        world: World, tmp_path: Path) -> None:
    world.gateway.put_event(ANNA, customer_meeting("m1", at(Weekday.TUESDAY, 8, 30),
                                                   at(Weekday.TUESDAY, 9, 30)))
    asyncio.run(world.scanner().scan(week=WEEK))
    world.ledger.close()
    world.ledger = Ledger.open(f"sqlite:///{tmp_path / 'new.db'}", world.clock.now, migrate=True)
    asyncio.run(world.scanner().scan(week=WEEK))
    assert len(world.gateway.tasks(ANNA)) == 1
