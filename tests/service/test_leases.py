"""Seller leases while a scan is slow, and what a lost lease does to the report."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from pathlib import Path

from tests.service.conftest import ANNA, ERIK, WEEK, World, at, customer_meeting

from slotguard import exit_codes
from slotguard.domain.model import CalendarEvent, Weekday
from slotguard.memory import InMemoryCalendarGateway
from slotguard.store.ledger import Ledger


class SlowCalendars(InMemoryCalendarGateway):
    """Graph with latency: every calendar read takes ``delay`` seconds, and ``during``
    runs while the read of a seller's calendar is in flight."""

    def __init__(self, delay: float, during: dict[str, object] | None = None) -> None:
        super().__init__()
        self.delay = delay
        self.during = during or {}

    async def events(self, upn: str, start: datetime, end: datetime) -> list[CalendarEvent]:
        action = self.during.get(upn)
        if callable(action):
            action()
        await asyncio.sleep(self.delay)
        return await super().events(upn, start, end)


def _moved_over(world: World, gateway: InMemoryCalendarGateway) -> None:
    for upn in (ANNA, ERIK):
        gateway.add_mailbox(world.gateway._box(upn).mailbox)
        gateway.put_event(upn, customer_meeting(f"m-{upn}", at(Weekday.TUESDAY, 8, 30),
                                                at(Weekday.TUESDAY, 9, 30)))


def test_a_scan_slower_than_the_lease_keeps_its_sellers(world: World, tmp_path: Path) -> None:
    """The reads alone outlast the lease (wall-clock time, as the ledger judges expiry):
    the heartbeat keeps both sellers, and both are compensated."""
    started, origin = time.monotonic(), world.clock.now()

    def now() -> datetime:
        return origin + timedelta(seconds=time.monotonic() - started)

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'slow.db'}", now, migrate=True)
    gateway = SlowCalendars(delay=0.3)
    _moved_over(world, gateway)
    world.gateway, world.ledger = gateway, ledger
    scanner = world.scanner(lease_seconds=0.4, concurrency=1)
    scanner.clock = type("Wall", (), {"now": staticmethod(now)})()
    report = asyncio.run(scanner.scan(week=WEEK))
    ledger.close()
    assert report.totals()["lease_lost"] == 0 and report.totals()["leased"] == 0
    assert [s.status for s in report.sellers] == ["ok", "ok"]
    assert len(gateway.own(ANNA)) == 2 and len(gateway.own(ERIK)) == 2
    assert report.exit_status() == exit_codes.OK


def test_a_lease_taken_over_mid_scan_is_counted_and_the_cycle_incomplete(world: World) -> None:
    def take_over() -> None:  # another replica, after ours lapsed
        world.ledger.release_lease(f"seller:{ANNA}", "test")
        assert world.ledger.try_lease(f"seller:{ANNA}", "replica-2", 60)

    gateway = SlowCalendars(delay=0, during={ANNA: take_over})
    _moved_over(world, gateway)
    world.gateway = gateway
    never = asyncio.Event()

    async def no_heartbeat(_seconds: float) -> None:
        await never.wait()

    # A lease this short is renewed before every seller's writes.
    scanner = world.scanner(lease_seconds=1e-6, pause=no_heartbeat)
    report = asyncio.run(scanner.scan(week=WEEK))
    status = {s.upn: s.status for s in report.sellers}
    assert status == {ANNA: "lease_lost", ERIK: "ok"}
    assert gateway.own(ANNA) == [] and len(gateway.own(ERIK)) == 2
    assert report.totals()["lease_lost"] == 1
    assert report.exit_status() == exit_codes.INCOMPLETE
    assert any("lost their lease" in line for line in report.status_lines())


def test_every_seller_leased_elsewhere_says_so_and_exits_nothing_done(world: World) -> None:
    for upn in (ANNA, ERIK):
        assert world.ledger.try_lease(f"seller:{upn}", "replica-2", 60)
    report = asyncio.run(world.scanner().scan(week=WEEK))
    assert report.exit_status() == exit_codes.NOTHING_DONE
    assert report.status_lines()[0].startswith("nothing done: all 2 of 2 sellers are held by "
                                               "another slotguard process")
