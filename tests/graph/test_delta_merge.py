"""calendarView delta against the simulator: what a round adds, removes and looks up."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from tests.graph.test_against_simulator import ANNA, compensation, this_week, with_gateway

from slotguard.domain.model import OwnMarker, Purpose
from slotguard.errors import MailboxUnavailable
from slotguard.graph.delta import WindowSync
from slotguard.graph.gateway import GraphGateway
from slotguard.ports import WindowRequest
from slotguard.sim.server import SimServer

pytestmark = pytest.mark.timeout(120)


def _own_lookups(sim: SimServer, event_id: str) -> int:
    return len([r for r in sim.requests() if r.method == "GET" and r.path.endswith(event_id)])


def test_a_round_drops_deleted_and_moved_away_events_and_keeps_the_window(
        fresh: SimServer) -> None:
    window = this_week()
    at = window[0] + timedelta(days=2, hours=9)

    async def work(gateway: GraphGateway) -> Any:
        sync = WindowSync(gateway)
        doomed = fresh.tenant.add_event(ANNA, "Fabrikam call", at, at + timedelta(hours=1),
                                        attendees=["buyer@fabrikam.com"])
        leaving = fresh.tenant.add_event(ANNA, "Adatum call", at, at + timedelta(hours=1),
                                         attendees=["cfo@adatum.com"])
        edge = fresh.tenant.add_event(ANNA, "Litware call", at, at + timedelta(hours=1),
                                      attendees=["lee@litware.example"])
        first = await sync.sync(ANNA, *window, None, None)
        fresh.tenant.delete_event(ANNA, doomed)
        later = window[1] + timedelta(days=14)
        fresh.tenant.move_event(ANNA, leaving, later, later + timedelta(hours=1), "UTC")
        # Ends exactly where the window starts: touching is not inside.
        fresh.tenant.move_event(ANNA, edge, window[0] - timedelta(hours=1), window[0], "UTC")
        after = await sync.sync(ANNA, *window, first.snapshot, first.delta_link)
        return first, after, doomed, leaving, edge

    first, after, doomed, leaving, edge = with_gateway(fresh, work)
    assert {doomed, leaving, edge} <= {e.id for e in first.events}
    assert not after.full_read
    assert not {doomed, leaving, edge} & {e.id for e in after.events}
    assert {e.id for e in after.events} == {e.id for e in first.events} - {doomed, leaving, edge}


def test_a_customer_meeting_costs_no_marker_lookup_and_a_known_one_neither(
        fresh: SimServer) -> None:
    window = this_week()
    at = window[0] + timedelta(days=2, hours=12)
    key = f"{ANNA}|r|d#comp1"

    async def work(gateway: GraphGateway) -> Any:
        sync = WindowSync(gateway)
        first = (await sync.sync_many([WindowRequest(ANNA, *window)]))[ANNA]
        meeting = fresh.tenant.add_event(ANNA, "Demo", at, at + timedelta(hours=1),
                                         attendees=["lee@litware.example"], organizer=ANNA)
        own = replace(compensation(key), start=at + timedelta(hours=2),
                      end=at + timedelta(hours=3))
        own_id = await gateway.create_event(ANNA, own)
        fresh.clear_requests()
        known = {own_id: OwnMarker(Purpose.COMPENSATION, key)}
        request = WindowRequest(ANNA, *window, first.snapshot, first.delta_link, known)
        after = (await sync.sync_many([request]))[ANNA]
        return meeting, own_id, after

    meeting, own_id, after = with_gateway(fresh, work)
    by_id = {e.id: e for e in after.events}  # type: ignore[union-attr]
    assert by_id[own_id].marker == OwnMarker(Purpose.COMPENSATION, key)
    assert by_id[meeting].marker is None
    assert _own_lookups(fresh, own_id) == 0 and _own_lookups(fresh, meeting) == 0


def test_delta_requests_ask_for_utc_and_large_pages(fresh: SimServer) -> None:
    window = this_week()

    async def work(gateway: GraphGateway) -> Any:
        sync = WindowSync(gateway)
        first = await sync.sync(ANNA, *window, None, None)
        return await sync.sync(ANNA, *window, first.snapshot, first.delta_link)

    with_gateway(fresh, work)
    prefers = {r.prefer for r in fresh.requests() if "delta" in r.path.lower()}
    assert prefers == {'outlook.timezone="UTC", odata.maxpagesize=1000, IdType="ImmutableId"'}


def test_a_snapshot_without_a_link_is_read_in_full(fresh: SimServer) -> None:
    window = this_week()

    async def work(gateway: GraphGateway) -> Any:
        sync = WindowSync(gateway)
        first = await sync.sync(ANNA, *window, None, None)
        return first, await sync.sync(ANNA, *window, first.snapshot, None)

    first, again = with_gateway(fresh, work)
    assert again.full_read and [e.id for e in again.events] == [e.id for e in first.events]


def test_a_mailbox_gone_between_rounds_is_reported_as_unavailable(fresh: SimServer) -> None:
    window = this_week()

    async def work(gateway: GraphGateway) -> Any:
        sync = WindowSync(gateway)
        first = await sync.sync(ANNA, *window, None, None)
        fresh.tenant.remove_mailbox(ANNA)
        return await sync.sync(ANNA, *window, first.snapshot, first.delta_link)

    with pytest.raises(MailboxUnavailable):
        with_gateway(fresh, work)


def test_an_unchanged_round_hands_back_what_was_stored_for_every_seller(
        fresh: SimServer) -> None:
    window = this_week()
    erik = "erik.holm@contoso.com"

    async def work(gateway: GraphGateway) -> Any:
        sync = WindowSync(gateway)
        first = await sync.sync_many([WindowRequest(ANNA, *window), WindowRequest(erik, *window)])
        again = await sync.sync_many([
            WindowRequest(u, *window, first[u].snapshot, first[u].delta_link)  # type: ignore[union-attr]
            for u in (ANNA, erik)])
        return first, again

    first, again = with_gateway(fresh, work)
    for upn in (ANNA, erik):
        before, after = first[upn], again[upn]
        assert before.full_read and before.changed  # type: ignore[union-attr]
        assert not after.full_read and not after.changed  # type: ignore[union-attr]
        assert after.snapshot == before.snapshot  # type: ignore[union-attr]
        assert after.delta_link  # type: ignore[union-attr]
        assert [e.id for e in after.events] == [e.id for e in before.events]  # type: ignore[union-attr]
