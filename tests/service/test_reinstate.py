"""A meeting that leaves its block and comes back: the withdrawn make-up blocks return."""

from __future__ import annotations

import asyncio

from tests.service.conftest import ANNA, WEEK, World, at, customer_meeting

from slotguard.domain.model import Weekday
from slotguard.graph.marker import transaction_id
from slotguard.memory import moved


def _scan(world: World) -> None:
    asyncio.run(world.scanner().scan(week=WEEK))


def test_meeting_moved_out_and_back_in_gets_its_compensations_again(world: World) -> None:
    meeting = customer_meeting("m1", at(Weekday.TUESDAY, 8, 30), at(Weekday.TUESDAY, 9, 30))
    world.gateway.put_event(ANNA, meeting)
    _scan(world)
    first = {e.marker.key for e in world.gateway.own(ANNA) if e.marker}
    assert len(first) == 2

    world.gateway.put_event(ANNA, moved(meeting, at(Weekday.TUESDAY, 13), at(Weekday.TUESDAY, 14)))
    _scan(world)
    assert world.gateway.own(ANNA) == []

    world.gateway.put_event(ANNA, meeting)  # back into the block, before it starts
    _scan(world)
    again = world.gateway.own(ANNA)
    assert {e.marker.key for e in again if e.marker} == first
    records = world.ledger.actions(seller=ANNA, kind="compensation")
    assert {(r.state, (r.payload or {}).get("revision")) for r in records} == {("done", 1)}
    # The second write is a new Graph write: a fresh transactionId, not the deleted one's.
    assert {world.gateway.written(ANNA, e.id).revision for e in again} == {1}

    _scan(world)  # and it stays exactly once
    assert len(world.gateway.own(ANNA)) == 2


def test_revisions_get_their_own_transaction_ids() -> None:
    key = "anna.berg@contoso.com|prospecting|2026-11-24#comp1"
    assert transaction_id(key) == transaction_id(key, 0)
    assert len({transaction_id(key, r) for r in range(3)}) == 3
