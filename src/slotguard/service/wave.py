"""One wave of a scan cycle: lease the wave's sellers, gather their inputs together, then
work on each seller (seller.py), concurrently.

Reads are shared ($batch round trips, one ledger query for the wave's actions), leases are
taken and given back in one transaction each way, and the wave bounds how many calendars
are in memory at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from slotguard.domain.decision import calendar_span, span_weeks
from slotguard.domain.keys import lease_name, span_key
from slotguard.domain.model import ListedSeller
from slotguard.service import report as rpt
from slotguard.service.context import Cycle
from slotguard.service.gather import WaveInputs, gather
from slotguard.service.leases import LeaseKeeper, Pause
from slotguard.service.seller import SellerInputs, run_seller

log = structlog.get_logger("slotguard.scan")


@dataclass(frozen=True)
class Leasing:
    """How a wave holds its sellers against other replicas."""

    replica: str
    lease_seconds: float
    # After a seller is done, keep its lease this long (the daemon: most of an interval) so
    # other replicas leave it for this cycle; 0 gives it back at once (one-shot scans).
    hold_seconds: float
    pause: Pause


async def run_wave(cycle: Cycle, leasing: Leasing,
                   listed: Sequence[ListedSeller]) -> list[rpt.SellerReport]:
    ledger = cycle.ledger
    names = {s.upn: lease_name(s.upn) for s in listed}
    held = ledger.try_leases(names.values(), leasing.replica, leasing.lease_seconds)
    mine = [s for s in listed if names[s.upn] in held]
    reports: dict[str, rpt.SellerReport] = {}
    for s in listed:
        if names[s.upn] not in held:
            reports[s.upn] = rpt.SellerReport(upn=s.upn, team=s.team, status=rpt.LEASED)
            log.info("scan.seller_leased_elsewhere", seller=s.upn)
    if not mine:
        return [reports[s.upn] for s in listed]
    keeper = LeaseKeeper(ledger, leasing.replica, leasing.lease_seconds,
                         [s.upn for s in mine], pause=leasing.pause)
    keeper.start()
    try:
        reports.update(await _work(cycle, mine, keeper))
    finally:
        await keeper.stop()
        leases = sorted(keeper.held)
        if leasing.hold_seconds > 0:
            ledger.try_leases(leases, leasing.replica, leasing.hold_seconds)
        else:
            ledger.release_leases(leases, leasing.replica)
    return [reports[s.upn] for s in listed if s.upn in reports]


async def _work(cycle: Cycle, listed: list[ListedSeller],
                keeper: LeaseKeeper) -> dict[str, rpt.SellerReport]:
    upns = [s.upn for s in listed]
    escalating = cycle.rules.escalation.enabled
    inputs = await gather(cycle.gateway, cycle.ledger, upns,
                          calendar_span(cycle.week, cycle.rules),
                          span_key(cycle.week, span_weeks(cycle.week, cycle.rules)),
                          history_since=cycle.escalation_since() if escalating else None)
    limit = asyncio.Semaphore(max(1, cycle.concurrency))

    async def one(seller: ListedSeller) -> rpt.SellerReport | None:
        async with limit:
            if cycle.stopping:
                return None  # stopping: sellers not yet started wait for next time
            return await run_seller(cycle, _inputs_of(inputs, seller), keeper.still_mine)

    results = await asyncio.gather(*(one(s) for s in listed))
    return {r.upn: r for r in results if r is not None}


def _inputs_of(inputs: WaveInputs, seller: ListedSeller) -> SellerInputs:
    # Popped: a seller's calendar goes as soon as the seller is done, not when the whole
    # wave is.
    upn = seller.upn
    return SellerInputs(seller, inputs.mailboxes[upn], inputs.reads.pop(upn, None),
                        inputs.actions.get(upn.lower(), []),
                        inputs.history.get(upn.lower(), set()))
