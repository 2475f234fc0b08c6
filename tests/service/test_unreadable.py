"""Events the adapter could not read are left out, and the scan says so for that seller."""

from __future__ import annotations

import asyncio

from tests.service.conftest import ANNA, ERIK, WEEK, World, at, customer_meeting

from slotguard.domain.model import Weekday


def test_unreadable_event_is_reported_and_the_seller_still_processed(world: World) -> None:
    world.gateway.put_event(ANNA, customer_meeting("m1", at(Weekday.TUESDAY, 8, 30),
                                                   at(Weekday.TUESDAY, 9, 30)))
    world.gateway.unreadable(ANNA, "event AAMk1: end is before start")
    report = asyncio.run(world.scanner().scan(week=WEEK))
    by_upn = {s.upn: s for s in report.sellers}
    assert by_upn[ANNA].status == "ok"
    assert by_upn[ANNA].problems == ["bad_data: event AAMk1: end is before start"]
    assert len(world.gateway.own(ANNA)) == 2  # the readable meeting was still judged
    assert by_upn[ERIK].problems == []
    recorded = world.ledger.seller_problems(seller=ANNA)
    assert [(p.code, p.message) for p in recorded] == [
        ("bad_data", "event AAMk1: end is before start")]


def test_next_scan_reports_only_what_it_met(world: World) -> None:
    world.gateway.unreadable(ANNA, "event AAMk1: end is before start")
    asyncio.run(world.scanner().scan(week=WEEK))
    again = asyncio.run(world.scanner().scan(week=WEEK))
    assert all(s.problems == [] for s in again.sellers)
