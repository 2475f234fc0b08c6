"""Graph's error answers and the configured faults: 401 for missing/expired/forged tokens,
404/403 for missing or out-of-policy mailboxes, 400 for bad query parameters, 429 with
Retry-After, 503/504, the per-mailbox request budget and the 4-request concurrency limit
(learn.microsoft.com/graph/errors, learn.microsoft.com/graph/throttling-limits)."""

from __future__ import annotations

import asyncio
import ssl

import httpx

from slotguard.sim.faults import FaultOptions, FaultRule
from slotguard.sim.server import SimServer

from .conftest import RawGraph

ANNA = "anna.berg@contoso.com"
WEEK = {"startDateTime": "2026-11-23T00:00:00Z", "endDateTime": "2026-11-30T00:00:00Z"}


def _error(r: httpx.Response) -> dict:
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "innerError"}
    assert set(body["error"]["innerError"]) == {"date", "request-id", "client-request-id"}
    return dict(body["error"])


def test_missing_forged_and_expired_tokens_get_401(sim: SimServer, graph: RawGraph) -> None:
    missing = graph.http.get(f"{sim.graph_url}/v1.0/users/{ANNA}/mailboxSettings")
    assert missing.status_code == 401 and _error(missing)["code"] == "InvalidAuthenticationToken"
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    head, body, sig = graph.token.split(".")
    forged = graph.get(f"/users/{ANNA}/mailboxSettings", token=f"{head}.{body}.{sig[::-1]}")
    assert forged.status_code == 401
    assert graph.get(f"/users/{ANNA}/mailboxSettings").status_code == 200
    sim.expire_tokens()
    expired = graph.get(f"/users/{ANNA}/mailboxSettings")
    assert expired.status_code == 401 and "expired" in _error(expired)["message"]
    assert graph.get(f"/users/{ANNA}/mailboxSettings", token=graph.fetch_token()).status_code == 200


def test_mailbox_and_item_errors(sim: SimServer, graph: RawGraph) -> None:
    r = graph.get("/users/kim.ward@contoso.com/calendarView", params=WEEK)
    assert (r.status_code, _error(r)["code"]) == (404, "MailboxNotEnabledForRESTAPI")
    r = graph.get("/users/pat.lee@contoso.com/calendarView", params=WEEK)
    assert (r.status_code, _error(r)["code"], _error(r)["message"]) == (
        403,
        "ErrorAccessDenied",
        "Access to OData is disabled.",
    )
    # Application access policies do not cover To Do.
    assert graph.get("/users/pat.lee@contoso.com/todo/lists").status_code == 200
    r = graph.get("/users/nobody@contoso.com/calendarView", params=WEEK)
    assert (r.status_code, _error(r)["code"]) == (404, "ErrorInvalidUser")
    r = graph.get(f"/users/{ANNA}/events/AAMkADdoesnotexist")
    assert (r.status_code, _error(r)["code"]) == (404, "ErrorItemNotFound")
    sim.tenant.set_access_denied(ANNA)
    assert graph.get(f"/users/{ANNA}/mailboxSettings").status_code == 403
    sim.tenant.set_access_denied(ANNA, False)
    sim.tenant.remove_mailbox(ANNA)
    assert _error(graph.get(f"/users/{ANNA}/events"))["code"] == "MailboxNotEnabledForRESTAPI"


def test_bad_query_parameters_get_400(graph: RawGraph) -> None:
    r = graph.get(f"/users/{ANNA}/calendarView")
    assert (r.status_code, _error(r)["code"]) == (400, "ErrorInvalidParameter")
    assert "StartDateTime and EndDateTime" in _error(r)["message"]
    assert (
        graph.get(f"/users/{ANNA}/calendarView", params={**WEEK, "$top": "1001"}).status_code == 400
    )
    assert (
        graph.get(f"/users/{ANNA}/calendarView", params={**WEEK, "$select": "nonsense"}).status_code
        == 400
    )
    assert graph.get(f"/users/{ANNA}/events", params={"$filter": "subject eq"}).status_code == 400
    assert (
        graph.get(
            f"/users/{ANNA}/calendarView/delta", params={**WEEK, "$select": "subject"}
        ).status_code
        == 400
    )
    assert graph.get("/me/events").status_code == 400


def test_429_with_retry_after_and_503_as_configured(sim: SimServer, graph: RawGraph) -> None:
    sim.set_faults(
        FaultOptions(
            rules=(
                FaultRule(status=429, path_contains="/calendarView", retry_after=2.5),
                FaultRule(status=503, path_contains="/mailboxSettings", skip=1, times=2),
                FaultRule(status=504, path_contains="/todo/lists"),
            )
        )
    )
    r = graph.get(f"/users/{ANNA}/calendarView", params=WEEK)
    assert r.status_code == 429 and r.headers["Retry-After"] == "2.5"
    assert _error(r)["code"] == "TooManyRequests"
    assert graph.get(f"/users/{ANNA}/calendarView", params=WEEK).status_code == 200  # times=1
    statuses = [graph.get(f"/users/{ANNA}/mailboxSettings").status_code for _ in range(4)]
    assert statuses == [200, 503, 503, 200]
    assert graph.get(f"/users/{ANNA}/todo/lists").status_code == 504
    logged = [
        (r.status, r.error_code) for r in sim.requests() if r.path.endswith("/mailboxSettings")
    ]
    assert logged[1] == (503, "serviceNotAvailable")


def test_random_faults_are_reproducible_from_the_seed(sim: SimServer, graph: RawGraph) -> None:
    def run() -> list[int]:
        sim.set_faults(
            FaultOptions(seed=42, throttle_rate=0.2, unavailable_rate=0.2, gateway_timeout_rate=0.1)
        )
        return [graph.get(f"/users/{ANNA}/mailboxSettings").status_code for _ in range(30)]

    first, second = run(), run()
    assert first == second
    assert {429, 503, 504, 200} <= set(first)


def test_request_budget_per_mailbox(sim: SimServer, graph: RawGraph) -> None:
    sim.set_faults(FaultOptions(mailbox_budget=3, budget_window=600))
    statuses = [graph.get(f"/users/{ANNA}/mailboxSettings").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    over = graph.get(f"/users/{ANNA}/events")
    assert float(over.headers["Retry-After"]) > 500
    # Other mailboxes have their own budget; the UPN and the id count as one mailbox.
    assert graph.get("/users/erik.holm@contoso.com/mailboxSettings").status_code == 200
    anna_id = sim.tenant.user(ANNA).id
    assert graph.get(f"/users/{anna_id}/mailboxSettings").status_code == 429


def test_the_fifth_concurrent_request_to_a_mailbox_is_throttled(
    sim: SimServer, graph: RawGraph
) -> None:
    sim.set_faults(FaultOptions(latency=0.4, retry_after=1))

    async def main() -> tuple[list[httpx.Response], httpx.Response]:
        tls = ssl.create_default_context(cafile=str(sim.ca_file))
        headers = {"Authorization": f"Bearer {graph.token}"}
        async with httpx.AsyncClient(verify=tls, headers=headers, timeout=10) as client:
            url = f"{sim.graph_url}/v1.0/users/{ANNA}/mailboxSettings"
            other = f"{sim.graph_url}/v1.0/users/erik.holm@contoso.com/mailboxSettings"
            *same, elsewhere = await asyncio.gather(
                *(client.get(url) for _ in range(6)), client.get(other)
            )
            return list(same), elsewhere

    same, elsewhere = asyncio.run(main())
    statuses = sorted(r.status_code for r in same)
    assert statuses == [200, 200, 200, 200, 429, 429]
    throttled = next(r for r in same if r.status_code == 429)
    assert throttled.headers["Retry-After"] == "1"
    assert _error(throttled) == {
        **_error(throttled),
        "code": "ApplicationThrottled",
        "message": "Application is over its MailboxConcurrency limit.",
    }
    assert elsewhere.status_code == 200
    # Once those finished the slots are free again.
    sim.set_faults(FaultOptions())
    assert graph.get(f"/users/{ANNA}/mailboxSettings").status_code == 200
