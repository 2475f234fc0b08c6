from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from tests.graph.conftest import odata_error

from slotguard.errors import AuthError, MailboxUnavailable, SyncStateExpired, TransientGraphError
from slotguard.graph.pipeline import RetryPolicy, utc_param

WEEK = (datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC))
EMPTY = {"value": []}


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def scripted(*responses: httpx.Response):  # type: ignore[no-untyped-def]
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler, seen


def test_429_waits_exactly_the_fractional_retry_after(make_gateway, sleeps) -> None:  # type: ignore[no-untyped-def]
    handler, seen = scripted(
        odata_error(429, "ApplicationThrottled", **{"Retry-After": "2.128"}),
        httpx.Response(200, json=EMPTY),
    )
    gateway = make_gateway(handler)
    assert run(gateway.events("anna@contoso.com", *WEEK)) == []
    assert sleeps.calls == [2.128]
    assert len(seen) == 2
    # The SDK's own retry handler is off: the second try is ours, not "Retry-Attempt".
    assert "retry-attempt" not in seen[1].headers


def test_retry_after_beyond_the_cap_gives_up_at_once(make_gateway, sleeps) -> None:  # type: ignore[no-untyped-def]
    handler, seen = scripted(odata_error(429, "TooManyRequests", **{"Retry-After": "300"}))
    gateway = make_gateway(handler, policy=RetryPolicy(max_attempts=5, max_wait=30))
    with pytest.raises(TransientGraphError) as caught:
        run(gateway.events("anna@contoso.com", *WEEK))
    assert caught.value.retry_after == 300.0 and caught.value.status == 429
    assert sleeps.calls == [] and len(seen) == 1


def test_503_backs_off_within_the_cap_then_fails(make_gateway, sleeps) -> None:  # type: ignore[no-untyped-def]
    handler, seen = scripted(odata_error(503, "serviceNotAvailable"))
    gateway = make_gateway(handler, policy=RetryPolicy(max_attempts=4, max_wait=1.5))
    with pytest.raises(TransientGraphError):
        run(gateway.events("anna@contoso.com", *WEEK))
    assert len(seen) == 4 and len(sleeps.calls) == 3
    assert all(0 < s <= 1.5 for s in sleeps.calls)


def test_a_refused_token_is_dropped_and_the_request_signed_again(make_gateway) -> None:  # type: ignore[no-untyped-def]
    handler, seen = scripted(
        odata_error(401, "InvalidAuthenticationToken", "Lifetime validation failed"),
        httpx.Response(200, json=EMPTY),
    )
    gateway = make_gateway(handler)
    run(gateway.events("anna@contoso.com", *WEEK))
    assert [r.headers["authorization"] for r in seen] == ["Bearer T1", "Bearer T2"]
    assert gateway.tokens.invalidated == ["T1"]


def test_a_second_401_is_an_auth_error(make_gateway) -> None:  # type: ignore[no-untyped-def]
    handler, seen = scripted(odata_error(401, "InvalidAuthenticationToken"))
    with pytest.raises(AuthError) as caught:
        run(make_gateway(handler).events("anna@contoso.com", *WEEK))
    assert caught.value.status == 401 and len(seen) == 2


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (odata_error(404, "MailboxNotEnabledForRESTAPI", "The mailbox is inactive"), "missing"),
        (odata_error(404, "ErrorInvalidUser", "The requested user is invalid."), "not_found"),
        (odata_error(404, "ResourceNotFound", "Resource could not be discovered."), "not_found"),
        (odata_error(403, "ErrorAccessDenied", "Access to OData is disabled."), "access_denied"),
        # The same code for a call the token's roles do not cover.
        (odata_error(403, "ErrorAccessDenied",
                     "Access is denied. Check credentials and try again."), "not_permitted"),
    ],
)
def test_unusable_mailboxes(make_gateway, response, reason) -> None:  # type: ignore[no-untyped-def]
    handler, _ = scripted(response)
    with pytest.raises(MailboxUnavailable) as caught:
        run(make_gateway(handler).mailbox("gone@contoso.com"))
    assert caught.value.reason == reason
    assert "gone@contoso.com" in str(caught.value)


def test_expired_delta_state(make_gateway) -> None:  # type: ignore[no-untyped-def]
    handler, _ = scripted(odata_error(410, "SyncStateNotFound"))
    with pytest.raises(SyncStateExpired):
        run(make_gateway(handler).events("anna@contoso.com", *WEEK))


def test_never_more_than_four_requests_in_flight_per_mailbox(make_gateway) -> None:  # type: ignore[no-untyped-def]
    in_flight = {"now": 0, "max": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        in_flight["now"] += 1
        in_flight["max"] = max(in_flight["max"], in_flight["now"])
        await asyncio.sleep(0.005)
        in_flight["now"] -= 1
        return httpx.Response(200, json=EMPTY)

    gateway = make_gateway(handler, mailbox_concurrency=4)

    async def many() -> None:
        await asyncio.gather(*(gateway.events("anna@contoso.com", *WEEK) for _ in range(12)))

    run(many())
    assert in_flight["max"] == 4


def test_non_idempotent_posts_are_not_blindly_retried_after_a_503(make_gateway, sleeps) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if request.method == "POST":
            return odata_error(503, "serviceNotAvailable")
        return httpx.Response(200, json=EMPTY)

    gateway = make_gateway(handler, policy=RetryPolicy(max_attempts=2, max_wait=1))
    with pytest.raises(TransientGraphError):
        run(gateway.send_mail("maria.lind@contoso.com", ["x@contoso.com"], "s", "b"))
    assert calls == ["POST"]


def test_a_mailbox_slot_bounds_its_requests_and_is_gone_when_idle(make_gateway) -> None:  # type: ignore[no-untyped-def]
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        who = request.url.path.split("/")[3]
        in_flight[who] = in_flight.get(who, 0) + 1
        peak[who] = max(peak.get(who, 0), in_flight[who])
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        in_flight[who] -= 1
        return httpx.Response(200, json=EMPTY)

    gateway = make_gateway(handler)

    async def main() -> None:
        await asyncio.gather(*(gateway.events("anna@contoso.com", *WEEK) for _ in range(12)),
                             gateway.events("bo@contoso.com", *WEEK))
        assert gateway.pipeline._mailboxes == {}

    run(main())
    assert 1 <= peak["anna@contoso.com"] <= 4 and peak["bo@contoso.com"] == 1


def test_backoff_doubles_from_half_a_second_with_up_to_a_quarter_more() -> None:
    policy = RetryPolicy(max_attempts=6, max_wait=3.0)
    for attempt, base in ((1, 0.5), (2, 1.0), (3, 2.0)):
        waits = [policy.wait_before_retry(attempt, None) for _ in range(200)]
        assert all(w is not None and base <= w <= base * 1.25 for w in waits), (attempt, waits)
        assert max(w for w in waits if w is not None) > base * 1.1  # spread, not fixed
    assert policy.wait_before_retry(4, None) == 3.0  # 4 s capped at max_wait
    assert policy.wait_before_retry(6, None) is None  # the last attempt was made


def test_a_retry_after_at_the_cap_is_still_waited_for() -> None:
    policy = RetryPolicy(max_attempts=4, max_wait=30.0)
    assert policy.wait_before_retry(1, 30.0) == 30.0
    assert policy.wait_before_retry(1, 30.5) is None


def test_query_instants_are_utc_whatever_the_machines_zone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        moment = datetime(2026, 11, 23, 9, 30, tzinfo=ZoneInfo("Europe/Stockholm"))
        assert utc_param(moment) == "2026-11-23T08:30:00Z"
    finally:
        monkeypatch.undo()
        time.tzset()
    with pytest.raises(ValueError) as naive:
        utc_param(datetime(2026, 11, 23, 9, 30))
    assert str(naive.value) == "calendar window bounds must be timezone-aware"


def test_a_create_that_met_a_503_is_not_posted_again_blindly_and_is_found_next_time(
        make_gateway, sleeps) -> None:  # type: ignore[no-untyped-def]
    # A POST that met a 5xx may have landed: the adapter makes one attempt and says so;
    # the apply step (service/apply.py) looks before it writes again.
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if request.method == "POST":  # it landed, but the answer says otherwise
            return odata_error(503, "serviceNotAvailable", **{"Retry-After": "1.5"})
        landed = [{"id": "list-1", "displayName": "Follow"}] if "POST" in calls else []
        return httpx.Response(200, json={"value": landed})

    gateway = make_gateway(handler, policy=RetryPolicy(max_attempts=3, max_wait=5))
    with pytest.raises(TransientGraphError):
        run(gateway.ensure_task_list("anna@contoso.com", "Follow"))
    assert calls == ["GET", "POST"] and sleeps.calls == []
    assert run(gateway.ensure_task_list("anna@contoso.com", "Follow")) == "list-1"
    assert calls == ["GET", "POST", "GET"]
