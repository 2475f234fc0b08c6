"""BatchWriter against the Graph simulator: concurrent sellers' requests share $batch round
trips, each mailbox stays within 4 requests per batch, a throttled item goes again alone
after its Retry-After, and a failed POST item reaches its own caller only."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from tests.graph.conftest import Sleeps
from tests.graph.test_against_simulator import ANNA, compensation, with_gateway

from slotguard.errors import TransientGraphError
from slotguard.graph import writes
from slotguard.graph.gateway import GraphGateway
from slotguard.service.apply import Applier
from slotguard.service.record import Recorder
from slotguard.sim.context import RequestRecord
from slotguard.sim.faults import FaultOptions, FaultRule
from slotguard.sim.server import SimServer
from slotguard.store.ledger import Ledger

T = TypeVar("T")
ERIK = "erik.holm@contoso.com"
EMMA = "emma.clark@contoso.com"
pytestmark = pytest.mark.timeout(120)


def run(sim: SimServer, work: Callable[[GraphGateway], Awaitable[T]],
        sleeps: Sleeps | None = None) -> T:
    # Window 0: the requests made in one turn of the event loop share a batch; no timer.
    return with_gateway(sim, work, sleeps, batch_window=0.0)


def create_all(*keys: tuple[str, str]) -> Callable[[GraphGateway], Awaitable[list[Any]]]:
    """Each (seller, key) created through the scan's apply step, concurrently, as after a
    read that found none of slotguard's events (no first look): the event ids, or errors."""
    async def work(gateway: GraphGateway) -> list[Any]:
        ledger = Ledger.open("sqlite://", migrate=True)

        async def create(upn: str, key: str) -> str | None:
            applier = Applier(gateway, Recorder(ledger, upn), {}, own_ids=frozenset())
            return (await applier.event("compensation", compensation(key)))[1]

        try:
            return list(await asyncio.gather(*(create(upn, key) for upn, key in keys),
                                             return_exceptions=True))
        finally:
            ledger.close()

    return work


def event_posts(sim: SimServer) -> list[RequestRecord]:
    return [r for r in sim.requests() if r.method == "POST" and r.path.endswith("/events")]


def envelopes(sim: SimServer) -> list[RequestRecord]:
    return [r for r in sim.requests() if r.path.endswith("$batch")]


def test_two_sellers_writes_share_one_batch(fresh: SimServer) -> None:
    ids = run(fresh, create_all((ANNA, f"{ANNA}|r|2026-11-24#comp1"),
                                (ERIK, f"{ERIK}|r|2026-11-24#comp1")))
    assert all(isinstance(i, str) for i in ids) and ids[0] != ids[1]
    posts = event_posts(fresh)
    assert len(envelopes(fresh)) == 1
    assert len(posts) == 2 and all(p.batch_item and p.status == 201 for p in posts)
    assert all(p.transaction_id for p in posts)  # idempotent inside the batch too
    assert {p.mailbox for p in posts} == {ANNA, ERIK}


def test_a_lone_request_goes_out_plain(fresh: SimServer) -> None:
    run(fresh, create_all((ANNA, f"{ANNA}|r|2026-11-24#comp1")))
    posts = event_posts(fresh)
    assert not envelopes(fresh) and len(posts) == 1 and posts[0].batch_item is None


def test_no_batch_carries_more_than_four_items_of_one_mailbox(fresh: SimServer) -> None:
    keys = [(upn, f"{upn}|r|2026-11-24#comp{i}") for upn in (ANNA, ERIK, EMMA)
            for i in range(1, 11)]
    ids = run(fresh, create_all(*keys))
    assert all(isinstance(i, str) for i in ids) and len(set(ids)) == 30
    posts = event_posts(fresh)
    assert len(posts) == 30 and all(p.status == 201 for p in posts)  # no 429 met
    per_batch = Counter((p.batch_item.partition("/")[0], p.mailbox)
                        for p in posts if p.batch_item)
    assert per_batch and max(per_batch.values()) <= 4
    assert len(envelopes(fresh)) < 30  # shared round trips, not one per request
    for upn in (ANNA, ERIK, EMMA):
        titles = [e for e in fresh.tenant.events_of(upn) if "make-up" in str(e.get("subject"))]
        assert len(titles) == 10


def test_a_throttled_item_is_sent_again_alone_after_its_retry_after(fresh: SimServer) -> None:
    fresh.set_faults(FaultOptions(rules=(FaultRule(status=429, in_batch=True, times=1,
                                                   mailbox=ERIK, retry_after=1.5),)))
    sleeps = Sleeps()
    ids = run(fresh, create_all((ANNA, f"{ANNA}|r|2026-11-24#comp1"),
                                (ERIK, f"{ERIK}|r|2026-11-24#comp1")), sleeps)
    assert all(isinstance(i, str) for i in ids)
    assert sleeps.calls == [1.5]
    erik = [p for p in event_posts(fresh) if p.mailbox == ERIK]
    assert [(p.status, p.batch_item is None) for p in erik] == [(429, False), (201, True)]
    assert len([p for p in event_posts(fresh) if p.mailbox == ANNA]) == 1
    assert len(envelopes(fresh)) == 1  # the batch itself was not sent again


def test_a_failed_post_item_surfaces_to_its_caller_only(fresh: SimServer) -> None:
    fresh.set_faults(FaultOptions(rules=(FaultRule(status=503, method="POST", in_batch=True,
                                                   times=1, mailbox=ERIK),)))

    async def work(gateway: GraphGateway) -> list[Any]:
        def post(upn: str) -> Awaitable[bytes | None]:
            events = gateway.client.users.by_user_id(upn).events
            body = writes.event_body(compensation(f"{upn}|r|2026-11-24#comp1"))
            return gateway.send(lambda: writes.post_request(events, body),
                                mailbox=upn, idempotent=False)

        return list(await asyncio.gather(post(ANNA), post(ERIK), return_exceptions=True))

    anna, erik = run(fresh, work)
    assert isinstance(anna, bytes)
    assert isinstance(erik, TransientGraphError) and erik.status == 503
    # Not repeated blindly: whoever wrote it looks before writing again.
    assert [p.status for p in event_posts(fresh) if p.mailbox == ERIK] == [503]


def test_a_create_that_met_a_5xx_looks_before_it_writes_again(fresh: SimServer) -> None:
    fresh.set_faults(FaultOptions(rules=(FaultRule(status=503, method="POST", in_batch=True,
                                                   times=1, mailbox=ERIK),)))
    key = f"{ERIK}|r|2026-11-24#comp1"
    anna, erik = run(fresh, create_all((ANNA, f"{ANNA}|r|2026-11-24#comp1"), (ERIK, key)))
    assert isinstance(anna, str) and isinstance(erik, str)
    seen = [(r.method, r.status) for r in fresh.requests()
            if r.mailbox == ERIK and "/events" in r.path]
    assert seen == [("POST", 503), ("GET", 200), ("POST", 201)]
    assert len([e for e in fresh.tenant.events_of(ERIK) if "make-up" in str(e.get("subject"))]) == 1


def test_a_failed_read_item_is_read_again_alone(fresh: SimServer) -> None:
    fresh.set_faults(FaultOptions(rules=(FaultRule(status=503, method="GET", in_batch=True,
                                                   times=1, mailbox=ERIK),)))
    sleeps = Sleeps()

    async def work(gateway: GraphGateway) -> list[Any]:
        return list(await asyncio.gather(gateway.own_events(ANNA, "nothing|here"),
                                         gateway.own_events(ERIK, "nothing|here")))

    assert run(fresh, work, sleeps) == [[], []]
    erik = [r for r in fresh.requests() if r.mailbox == ERIK and r.method == "GET"]
    assert [(r.status, r.batch_item is None) for r in erik] == [(503, False), (200, True)]
    assert len(sleeps.calls) == 1
