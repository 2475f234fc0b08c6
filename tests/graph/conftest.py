"""Fixtures for the Graph adapter's unit tests: the real SDK request adapter and
middleware over an httpx transport that answers with recorded Graph payloads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from msgraph import GraphRequestAdapter, GraphServiceClient

from slotguard.graph.client import http_client
from slotguard.graph.gateway import GraphGateway
from slotguard.graph.pipeline import Pipeline, RetryPolicy
from slotguard.sim.faults import FaultOptions
from slotguard.sim.server import SimServer

GRAPH = "https://graph.test/v1.0"


class CountingTokens(AccessTokenProvider):
    """Hands out T1, T2, ... and a new one only after ``invalidate``."""

    def __init__(self) -> None:
        self.issued = 1
        self.invalidated: list[str | None] = []

    async def get_authorization_token(self, uri: str, ctx: dict[str, Any] | None = None) -> str:
        return f"T{self.issued}"

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return AllowedHostsValidator(["graph.test"])

    def invalidate(self, rejected_token: str | None) -> None:
        self.invalidated.append(rejected_token)
        self.issued += 1


class Sleeps:
    """An injected sleep that records instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


Handler = Callable[[httpx.Request], Any]


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_gateway(sleeps: Sleeps) -> Callable[..., GraphGateway]:
    def build(handler: Handler, *, policy: RetryPolicy | None = None,
              concurrency: int = 32, mailbox_concurrency: int = 4) -> GraphGateway:
        client = http_client(ca_bundle=None, timeout=5, connections=concurrency,
                             transport=httpx.MockTransport(handler))
        tokens = CountingTokens()
        adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(tokens), client=client)
        adapter.base_url = GRAPH
        pipeline = Pipeline(adapter, tokens, policy or RetryPolicy(max_attempts=4, max_wait=10),
                            concurrency=concurrency, mailbox_concurrency=mailbox_concurrency,
                            sleep=sleeps)
        gateway = GraphGateway(GraphServiceClient(request_adapter=adapter), pipeline,
                               close=client.aclose)
        gateway.tokens = tokens  # type: ignore[attr-defined]
        return gateway

    return build


def odata_error(status: int, code: str, message: str = "x", **headers: str) -> httpx.Response:
    body = {"error": {"code": code, "message": message,
                      "innerError": {"request-id": "r", "date": "2026-11-24T00:00:00"}}}
    return httpx.Response(status, json=body, headers=headers)


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    """One simulator per test module, with the demo tenant."""
    with SimServer(scenario="demo") as server:
        yield server


@pytest.fixture
def fresh(sim: SimServer) -> SimServer:
    """The module's simulator reset to the demo tenant, no faults, an empty request log."""
    sim.load_scenario("demo")
    sim.set_faults(FaultOptions())
    sim.clear_requests()
    return sim
