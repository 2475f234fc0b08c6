"""Sellers in the zones whose CLDR name Graph refuses — India, E. Europe, Argentina, Nepal,
the Mexico zones — and one whose mailbox reports an IANA name, through settings, msal,
msgraph-sdk, the Graph adapter, the ledger and the scan against the strict simulator, in a
week that ends with a daylight-saving change (E. Europe Standard Time, Moldova, moves to
summer time on Sunday 28 March 2027): each seller gets both compensations and the
follow-up task the week after, and the block series, at the agreed local wall-clock time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tests.e2e.conftest import scan_week, use_simulator
from tzlocal.windows_tz import win_tz

from slotguard.config.rules import load_rules
from slotguard.config.settings import load_settings
from slotguard.domain.model import IsoWeek, Purpose
from slotguard.entrypoints.bootstrap import Service, bootstrap
from slotguard.service.clock import FixedClock
from slotguard.service.report import ScanReport
from slotguard.sim.scenario import SLOTGUARD_ROLES

WEEK = IsoWeek(2027, 12)  # Mon 22 – Sun 28 March 2027
NEXT = WEEK.shift(1)
# seller -> (what mailboxSettings reports, the Windows name slotguard must write)
SELLERS = {
    "india@contoso.com": ("India Standard Time", "India Standard Time"),
    "moldova@contoso.com": ("E. Europe Standard Time", "E. Europe Standard Time"),
    "argentina@contoso.com": ("Argentina Standard Time", "Argentina Standard Time"),
    "nepal@contoso.com": ("Nepal Standard Time", "Nepal Standard Time"),
    "cdmx@contoso.com": ("Central Standard Time (Mexico)", "Central Standard Time (Mexico)"),
    "mazatlan@contoso.com": ("Mountain Standard Time (Mexico)",
                             "Mountain Standard Time (Mexico)"),
    "tijuana@contoso.com": ("Pacific Standard Time (Mexico)", "Pacific Standard Time (Mexico)"),
    "cancun@contoso.com": ("Eastern Standard Time (Mexico)", "Eastern Standard Time (Mexico)"),
    # A tenant that reports IANA names: the Windows equivalent is written.
    "baires@contoso.com": ("America/Argentina/Buenos_Aires", "Argentina Standard Time"),
}
RULES = """
[organization]
internal_domains = ["contoso.com"]

[[teams]]
name = "World"
manager = "maria.lind@contoso.com"
sellers = [{sellers}]

  [[teams.blocks]]
  days = ["tue", "thu"]
  start = "08:00"
  end = "10:00"

[escalation]
enabled = false
"""


def scenario() -> dict[str, Any]:
    hours = {"daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
             "startTime": "08:00", "endTime": "17:00"}
    users = [{"upn": "maria.lind@contoso.com", "timeZone": "W. Europe Standard Time",
              "workingHours": hours}]
    users += [{"upn": upn, "timeZone": reported, "workingHours": hours,
               "manager": "maria.lind@contoso.com"}
              for upn, (reported, _) in SELLERS.items()]
    # Each seller's customer meeting takes Tuesday's block (local time).
    events = [{"mailbox": upn, "week": 0, "day": "tue", "start": "08:30", "end": "09:30",
               "subject": "Fabrikam renewal", "organizer": upn,
               "attendees": ["buyer@fabrikam.com"]} for upn in SELLERS]
    return {"tenant": {"id": "7d3f1a62-2c4b-4c8e-9a55-1f0e2d3c4b5a", "domain": "contoso.com"},
            "apps": [{"clientId": "5b8e9c21-6d4f-4a3b-8e7d-2c1b0a9f8e7d",
                      "secrets": ["sim-secret"], "roles": list(SLOTGUARD_ROLES)}],
            "users": users, "events": events}


@dataclass
class World:
    sim: Any
    service: Any
    clock: FixedClock


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    from slotguard.sim.server import SimServer

    rules = tmp_path / "slotguard.toml"
    rules.write_text(RULES.format(sellers=", ".join(f'"{u}"' for u in SELLERS)))
    with SimServer(scenario=scenario(), anchor=WEEK.monday(), state_dir=tmp_path / "sim") as sim:
        use_simulator(sim, tmp_path, monkeypatch)
        clock = FixedClock(datetime.combine(WEEK.monday(), time(0), UTC))

        def service() -> Service:
            return bootstrap(load_settings(), load_rules(rules), clock=clock)

        yield World(sim, service, clock)


def run(world: World) -> ScanReport:
    return scan_week(world.service, WEEK)


def stored(world: World, upn: str) -> list[Any]:
    """The simulator's own record of the seller's events: as slotguard wrote them."""
    tenant = world.sim.tenant
    return list(tenant.mailboxes[tenant.user(upn).id].events.values())


def test_the_daylight_saving_change_is_in_the_week() -> None:
    moldova = ZoneInfo(win_tz["E. Europe Standard Time"])
    tuesday = datetime.combine(WEEK.monday() + timedelta(days=1), time(8), moldova)
    monday = datetime.combine(NEXT.monday(), time(8), moldova)
    assert (tuesday.utcoffset(), monday.utcoffset()) == (timedelta(hours=2), timedelta(hours=3))


def test_every_seller_gets_both_compensations_and_the_task_at_local_time(
        world: World) -> None:
    report = run(world)
    assert report.exit_status() == 0, [(s.upn, s.problems) for s in report.sellers]
    by_upn = {s.upn: s for s in report.sellers}
    for upn, (_, windows) in SELLERS.items():
        seller = by_upn[upn]
        local = ZoneInfo(win_tz[windows])
        assert [v.kind for v in seller.violations] == ["customer"], upn
        assert [c.status for c in seller.compensations] == ["written", "written"], upn
        assert [t.status for t in seller.tasks] == ["written"], upn
        events = stored(world, upn)
        comps = [e for e in events if "#comp" in str(e.transaction_id or "")
                 or any("#comp" in v for v in e.extended.values())]
        assert len(comps) == 2, upn
        for comp in comps:
            # Written in the mailbox's Windows zone, at the block's own local time, on a
            # working day of the week after the change.
            assert comp.start_zone == comp.end_zone == windows, upn
            start, end = comp.start.astimezone(local), comp.end.astimezone(local)
            assert NEXT.monday() <= start.date() <= NEXT.monday() + timedelta(days=4), upn
            assert (start.time(), end.time()) == (time(8), time(10)), (upn, start, end)
        series = [e for e in events if e.recurrence is not None]
        assert len(series) == 1 and series[0].start_zone == windows, upn
        assert series[0].recurrence["range"]["recurrenceTimeZone"] == windows
        (task,) = [t for t in world.sim.tenant.tasks_of(upn)
                   if str(t["title"]).startswith("Follow up:")]
        due = datetime.fromisoformat(task["dueDateTime"]["dateTime"][:19]).replace(tzinfo=UTC)
        remind = datetime.fromisoformat(task["reminderDateTime"]["dateTime"][:19]).replace(
            tzinfo=UTC)
        # Tuesday's meeting, two working days: due on Thursday, reminded at 09:00 there.
        assert due.astimezone(local).replace(tzinfo=None) == datetime(2027, 3, 25), upn
        assert remind.astimezone(local).replace(tzinfo=None) == datetime(2027, 3, 25, 9), upn
        assert task["recurrence"]["range"]["recurrenceTimeZone"] == windows, upn


def test_the_block_series_keeps_its_local_time_across_the_change(world: World) -> None:
    run(world)

    async def blocks(upn: str) -> list[Any]:
        service = world.service()
        try:
            start = datetime.combine(WEEK.monday(), time(0), UTC)
            events = await service.gateway.events(upn, start, start + timedelta(days=14))
            return [e for e in events if e.marker and e.marker.purpose is Purpose.BLOCK]
        finally:
            await service.aclose()

    for upn, (_, windows) in SELLERS.items():
        local = ZoneInfo(win_tz[windows])
        occurrences = asyncio.run(blocks(upn))
        days = sorted(o.start.astimezone(local).date() for o in occurrences)
        assert days == [date(2027, 3, 23), date(2027, 3, 25), date(2027, 3, 30),
                        date(2027, 4, 1)], upn
        assert {o.start.astimezone(local).time() for o in occurrences} == {time(8)}, upn
        assert {o.end.astimezone(local).time() for o in occurrences} == {time(10)}, upn
