"""The unmodified msal ConfidentialClientApplication and msgraph-sdk GraphServiceClient,
configured only from SimServer.env(), work against the simulator over HTTPS."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import (
    CalendarViewRequestBuilder,
)

from slotguard.sim.faults import FaultOptions, FaultRule
from slotguard.sim.server import SimServer

from .clients import graph_client, graph_scope, msal_app

ANNA = "anna.berg@contoso.com"


def test_msal_gets_a_token_from_the_simulator(sim: SimServer) -> None:
    app = msal_app(sim.env())
    result = app.acquire_token_for_client(scopes=graph_scope(sim.env()))
    assert result.get("token_type") == "Bearer", result
    assert result["expires_in"] > 0
    again = app.acquire_token_for_client(scopes=graph_scope(sim.env()))
    assert again["access_token"] == result["access_token"]  # msal's cache, no second POST
    posts = [r for r in sim.requests() if r.path.endswith("/oauth2/v2.0/token")]
    assert len(posts) == 1 and posts[0].status == 200


def test_msal_sees_entra_errors_for_a_wrong_secret_and_unknown_client(sim: SimServer) -> None:
    wrong = msal_app({**sim.env(), "SLOTGUARD_CLIENT_SECRET": "nope"})
    result = wrong.acquire_token_for_client(scopes=graph_scope(sim.env()))
    assert result["error"] == "invalid_client" and 7000215 in result["error_codes"]
    unknown = msal_app({**sim.env(), "SLOTGUARD_CLIENT_ID": str(uuid.uuid4())})
    result = unknown.acquire_token_for_client(scopes=graph_scope(sim.env()))
    assert result["error"] == "unauthorized_client" and 700016 in result["error_codes"]
    assert result["correlation_id"] and result["trace_id"] and result["timestamp"]


def _week(sim: SimServer) -> tuple[str, str]:
    return "2026-11-23T00:00:00+01:00", "2026-11-30T00:00:00+01:00"


def test_graph_sdk_reads_a_week_mailbox_settings_and_todo_lists(sim: SimServer) -> None:
    async def main() -> tuple[Any, Any, Any]:
        client = graph_client(sim.env())
        start, end = _week(sim)
        qp = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
            start_date_time=start, end_date_time=end, top=100
        )
        cfg = RequestConfiguration(query_parameters=qp)
        cfg.headers.add("Prefer", 'outlook.timezone="W. Europe Standard Time"')
        page = await client.users.by_user_id(ANNA).calendar_view.get(request_configuration=cfg)
        settings = await client.users.by_user_id(ANNA).mailbox_settings.get()
        lists = await client.users.by_user_id(ANNA).todo.lists.get()
        return page, settings, lists

    page, settings, lists = asyncio.run(main())
    subjects = {e.subject: e for e in page.value}
    assert {"Fabrikam renewal", "Northwind discovery call", "Nordics weekly pipeline"} <= set(
        subjects
    )
    renewal = subjects["Fabrikam renewal"]
    assert renewal.start.date_time == "2026-11-24T08:30:00.0000000"
    assert renewal.start.time_zone == "W. Europe Standard Time"
    assert renewal.attendees[0].email_address.address == "lars.nilsson@fabrikam.com"
    assert subjects["Nordics weekly pipeline"].series_master_id
    assert settings.time_zone == "W. Europe Standard Time"
    assert settings.working_hours.start_time.hour == 8
    assert {lst.display_name for lst in lists.value} >= {"Tasks", "Customer follow-ups"}
    paths = [r.path for r in sim.requests() if r.mailbox == ANNA]
    assert any(p.startswith("/v1.0//users/") for p in paths)  # kiota's doubled slash was served


def test_a_repeated_create_with_the_same_transaction_id_makes_one_event(sim: SimServer) -> None:
    from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
    from msgraph.generated.models.event import Event
    from msgraph.generated.models.single_value_legacy_extended_property import (
        SingleValueLegacyExtendedProperty,
    )

    prop_id = "String {4c7a5f0e-9b1d-4e2a-8f3c-1a2b3c4d5e6f} Name slotguard.key"

    def event() -> Event:
        return Event(
            subject="Prospecting (compensation)",
            start=DateTimeTimeZone(
                date_time="2026-12-01T13:00:00", time_zone="W. Europe Standard Time"
            ),
            end=DateTimeTimeZone(
                date_time="2026-12-01T15:00:00", time_zone="W. Europe Standard Time"
            ),
            transaction_id="6f1c2d3e-4b5a-5c6d-8e7f-9a0b1c2d3e4f",
            single_value_extended_properties=[
                SingleValueLegacyExtendedProperty(
                    id=prop_id, value="compensation:anna|r1|2026-11-24#comp1"
                )
            ],
        )

    async def main() -> tuple[Any, Any]:
        client = graph_client(sim.env())
        first = await client.users.by_user_id(ANNA).events.post(event())
        second = await client.users.by_user_id(ANNA).events.post(event())
        return first, second

    before = len(sim.tenant.events_of(ANNA))
    first, second = asyncio.run(main())
    assert first.id == second.id
    assert len(sim.tenant.events_of(ANNA)) == before + 1
    assert first.single_value_extended_properties is None  # not echoed on create
    stored = next(e for e in sim.tenant.events_of(ANNA) if e["id"] == first.id)
    assert stored["singleValueExtendedProperties"] == [
        {"id": prop_id, "value": "compensation:anna|r1|2026-11-24#comp1"}
    ]
    posts = [r for r in sim.requests() if r.method == "POST" and r.path.endswith("/events")]
    assert [r.transaction_id for r in posts] == ["6f1c2d3e-4b5a-5c6d-8e7f-9a0b1c2d3e4f"] * 2


def test_a_batch_with_one_throttled_item(sim: SimServer) -> None:
    sim.set_faults(
        FaultOptions(
            rules=(
                FaultRule(
                    status=429, mailbox="erik.holm@contoso.com", in_batch=True, retry_after=7
                ),
            )
        )
    )
    start, end = _week(sim)
    window = f"startDateTime={start.replace('+', '%2B')}&endDateTime={end.replace('+', '%2B')}"
    view = f"calendarView?{window}"
    batch = {
        "requests": [
            {"id": "1", "method": "GET", "url": f"/users/{ANNA}/{view}"},
            {"id": "2", "method": "GET", "url": f"/users/erik.holm@contoso.com/{view}"},
            {"id": "3", "method": "GET", "url": "/users/sara.nyberg@contoso.com/mailboxSettings"},
        ]
    }

    async def main() -> dict[str, Any]:
        from kiota_abstractions.method import Method
        from kiota_abstractions.request_information import RequestInformation
        from msgraph.generated.models.o_data_errors.o_data_error import ODataError

        client = graph_client(sim.env())
        info = RequestInformation(Method.POST, "{+baseurl}/$batch")
        info.path_parameters = {"baseurl": client.request_adapter.base_url.rstrip("/")}
        info.set_stream_content(json.dumps(batch).encode(), "application/json")
        info.headers.try_add("Content-Type", "application/json")
        raw = await client.request_adapter.send_primitive_async(info, "bytes", {"XXX": ODataError})
        return dict(json.loads(raw))

    result = asyncio.run(main())
    by_id = {r["id"]: r for r in result["responses"]}
    assert by_id["1"]["status"] == 200 and by_id["1"]["body"]["value"]
    assert by_id["2"]["status"] == 429 and by_id["2"]["headers"]["Retry-After"] == "7"
    assert by_id["2"]["body"]["error"]["code"] == "TooManyRequests"
    assert (
        by_id["3"]["status"] == 200 and by_id["3"]["body"]["timeZone"] == "W. Europe Standard Time"
    )
