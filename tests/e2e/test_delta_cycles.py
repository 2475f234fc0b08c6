"""Scan cycles the way the daemon runs them — one long-lived service, cycle after cycle —
through msal + msgraph-sdk against the simulator: calendars read by calendarView delta with
the link in the ledger, unchanged sellers costing at most one request, changes and expired
sync states handled, mailbox settings cached until their refresh."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.e2e.conftest import Live

from slotguard.graph import build_gateway
from slotguard.service.report import ScanReport


class Ticks:
    """An injected monotonic clock for the adapter's caches."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cycles(live: Live, steps: list[Callable[[], Any]], ticks: Ticks | None = None
           ) -> list[tuple[ScanReport, list[Any]]]:
    """Run ``step()`` then a scan, for each step, in one service; each scan's report comes
    with the Graph requests the simulator logged during it (token requests left out)."""
    async def main() -> list[tuple[ScanReport, list[Any]]]:
        gateway = build_gateway(live.settings, monotonic=ticks or Ticks())
        service = live.service(gateway)
        out = []
        try:
            for step in steps:
                step()
                live.sim.clear_requests()
                report = await service.scanner.scan(week=live.week)
                out.append((report, [r for r in live.sim.requests()
                                     if "token" not in r.path and "/oauth2/" not in r.path]))
        finally:
            await service.aclose()
            await gateway.aclose()
        return out

    return asyncio.run(main())


def items(requests: list[Any]) -> list[Any]:
    """Graph operations: batch items and single requests, not the $batch envelopes."""
    return [r for r in requests if not r.path.rstrip("/").endswith("$batch")]


def http(requests: list[Any]) -> list[Any]:
    return [r for r in requests if r.batch_item is None]


def nothing() -> None:
    return None


def outcome(report: ScanReport) -> dict[str, Any]:
    return {s.upn: (s.status, sorted(v.key for v in s.violations),
                    sorted((c.key, c.when) for c in s.compensations),
                    sorted(t.key for t in s.tasks)) for s in report.sellers}


def test_unchanged_calendars_cost_at_most_one_request_per_seller(live: Live) -> None:
    runs = cycles(live, [nothing, nothing, nothing])
    first, _ = runs[0]
    ok = [s for s in first.sellers if s.status == "ok"]
    assert first.totals()["compensations"] > 0
    for _, requests in runs[1:]:
        ops = items(requests)
        # One delta round per seller, in batch items: no writes, no lookups, no To Do.
        assert len(ops) <= len(ok), [(r.method, r.path) for r in ops]
        assert {r.method for r in ops} == {"GET"}
        assert all("calendarView/delta" in r.path for r in ops)
        assert len(http(requests)) <= -(-len(ok) // 20)  # the rounds share $batch envelopes
    last, _ = runs[-1]
    assert all(s.unchanged for s in last.sellers if s.status == "ok")
    assert outcome(last) == outcome(first)  # the first cycle's result stands


def test_a_new_customer_meeting_is_found_by_delta_and_compensated(live: Live) -> None:
    first = cycles(live, [nothing])[0][0]
    seller = next(s for s in first.sellers if s.status == "ok" and not s.violations)
    zone = ZoneInfo(seller.zone)
    blocks = next(t for t in live.rules_file.teams if t.name == seller.team).blocks_for(
        seller.upn)
    rule = blocks[0]
    day = live.week.monday() + timedelta(days=min(rule.days) - 1)
    start = datetime.combine(day, rule.start, zone) + timedelta(minutes=30)

    def add_meeting() -> None:
        live.sim.tenant.add_event(seller.upn, "Adatum kickoff", start, start + timedelta(hours=1),
                                  attendees=["buyer@adatum.com"], organizer=seller.upn)

    (report, requests), = cycles(live, [add_meeting])
    mine = next(s for s in report.sellers if s.upn == seller.upn)
    assert [v.kind for v in mine.violations] == ["customer"]
    assert sorted(c.status for c in mine.compensations) == ["written", "written"]
    assert len(mine.tasks) == 1 and mine.tasks[0].status == "written"
    # Read by delta from the stored link: no full calendarView read for anyone.
    assert not [r for r in items(requests) if r.path.rstrip("/").endswith("calendarView")]


def test_an_expired_sync_state_is_read_in_full_with_the_same_result(live: Live) -> None:
    runs = cycles(live, [nothing, nothing, lambda: live.sim.expire_delta_tokens()])
    before, _ = runs[1]
    after, requests = runs[2]
    views = [r for r in items(requests) if r.path.rstrip("/").endswith("calendarView")]
    ok = [s for s in after.sellers if s.status == "ok"]
    assert len(views) == len(ok)  # every seller read in full once
    assert {u: v[1:] for u, v in outcome(after).items()} == {
        u: v[1:] for u, v in outcome(before).items()}
    assert not [r for r in items(requests) if r.method in {"POST", "PATCH", "DELETE"}]


def test_mailbox_settings_are_read_once_until_their_refresh(live: Live) -> None:
    ticks = Ticks()

    def later() -> None:
        ticks.now += 3601  # past the hour the adapter keeps mailbox settings

    runs = cycles(live, [nothing, nothing, later], ticks)

    def settings_reads(requests: list[Any]) -> int:
        return sum(1 for r in items(requests) if r.path.endswith("mailboxSettings"))

    sellers = len(runs[0][0].sellers)
    assert settings_reads(runs[0][1]) == sellers
    assert settings_reads(runs[1][1]) == 0
    assert settings_reads(runs[2][1]) == sellers
