"""The baseline: what a simple script does — one seller after another, calendarView of the
same window through msgraph-sdk's request builders and its Event models (paging with
``odata_next_link``), nothing cached, nothing batched, nothing concurrent.

Only the reads are counted: this script would still have to decide and write, so the
baseline is a lower bound of a naive cycle and the ratio an underestimate. It runs in its
own spawned process (the SDK's model imports and parse cost are its own, not slotguard's).
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import time
from datetime import datetime
from typing import Any


def run_baseline(env: dict[str, str], upns: list[str], start: datetime,
                 end: datetime) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    with ctx.Pool(1) as pool:
        return dict(pool.apply(_main, (env, upns, start.isoformat(), end.isoformat())))


def _main(env: dict[str, str], upns: list[str], start: str, end: str) -> dict[str, Any]:
    os.environ.update(env)
    return asyncio.run(_read_all(upns, start, end))


async def _read_all(upns: list[str], start: str, end: str) -> dict[str, Any]:
    import httpx
    from kiota_abstractions.authentication import BaseBearerTokenAuthenticationProvider
    from kiota_abstractions.base_request_configuration import RequestConfiguration
    from msgraph import GraphRequestAdapter, GraphServiceClient
    from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import (
        CalendarViewRequestBuilder,
    )
    from msgraph_core import GraphClientFactory

    from slotguard.config.settings import load_settings
    from slotguard.graph.auth import MsalTokenProvider
    from slotguard.graph.client import auth_config

    settings = load_settings()
    # The SDK's default middleware chain, as GraphServiceClient(credentials=...) builds it.
    http = GraphClientFactory.create_with_default_middleware(
        client=httpx.AsyncClient(verify=str(settings.ca_bundle), timeout=60))
    adapter = GraphRequestAdapter(
        BaseBearerTokenAuthenticationProvider(MsalTokenProvider(auth_config(settings))),
        client=http)
    adapter.base_url = settings.graph_base_url.rstrip("/")
    client = GraphServiceClient(request_adapter=adapter)
    params = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
        start_date_time=start, end_date_time=end)
    config: RequestConfiguration[Any] = RequestConfiguration(query_parameters=params, options=[])
    config.headers.add("Prefer", 'outlook.timezone="UTC"')

    # Sign-in and the SDK's first model parse (~1,200 imports) are paid once per run, not
    # per seller: time them apart, so the per-seller figure extrapolates honestly.
    warm0 = time.perf_counter()
    await client.users.by_user_id(upns[0]).calendar_view.get(request_configuration=config)
    warmup = time.perf_counter() - warm0
    events = requests = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for upn in upns:
        view = client.users.by_user_id(upn).calendar_view
        page = await view.get(request_configuration=config)
        requests += 1
        while page is not None:
            events += len(page.value or [])
            if not page.odata_next_link:
                break
            page = await view.with_url(page.odata_next_link).get()
            requests += 1
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    await http.aclose()
    return {"sellers": len(upns), "wall": wall, "cpu": cpu, "requests": requests,
            "events": events, "warmup": warmup}
