"""Simulator fixtures: one local CA per test session (created once, reused by every server),
a fresh demo tenant per test, anchored on a fixed week so expectations are stable."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from slotguard.sim.server import SimServer

# A Monday in winter time; the Nordics week starts 2026-11-23 in Europe/Stockholm.
ANCHOR = date(2026, 11, 23)


@pytest.fixture(scope="session")
def sim_state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sim-state")


@pytest.fixture
def sim(sim_state_dir: Path) -> Iterator[SimServer]:
    with SimServer(scenario="demo", anchor=ANCHOR, state_dir=sim_state_dir) as server:
        yield server


@pytest.fixture(scope="module")
def shared_sim(sim_state_dir: Path) -> Iterator[SimServer]:
    """For tests that only read the demo tenant."""
    with SimServer(scenario="demo", anchor=ANCHOR, state_dir=sim_state_dir) as server:
        yield server


class RawGraph:
    """Plain HTTPS calls with a token from the simulator's token endpoint, for tests that
    look at the wire (status codes, headers, exact JSON) rather than SDK objects."""

    def __init__(self, sim: SimServer) -> None:
        self.sim = sim
        tls = ssl.create_default_context(cafile=str(sim.ca_file))
        self.http = httpx.Client(verify=tls, timeout=10)
        self.token = self.fetch_token()

    def fetch_token(self) -> str:
        response = self.http.post(
            f"{self.sim.authority_url}/{self.sim.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.sim.client_id,
                "client_secret": self.sim.client_secret,
                "scope": "https://graph.microsoft.com/.default",
            },
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        token: str | None = None,
        **kw: Any,
    ) -> httpx.Response:
        url = path if path.startswith("https://") else f"{self.sim.graph_url}/v1.0{path}"
        auth = {"Authorization": f"Bearer {token if token is not None else self.token}"}
        return self.http.request(method, url, headers={**auth, **(headers or {})}, **kw)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any, **kw: Any) -> httpx.Response:
        return self.request("POST", path, json=body, **kw)

    def patch(self, path: str, body: Any, **kw: Any) -> httpx.Response:
        return self.request("PATCH", path, json=body, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("DELETE", path, **kw)


@pytest.fixture
def graph(sim: SimServer) -> Iterator[RawGraph]:
    client = RawGraph(sim)
    yield client
    client.http.close()


@pytest.fixture(scope="module")
def shared_graph(shared_sim: SimServer) -> Iterator[RawGraph]:
    client = RawGraph(shared_sim)
    yield client
    client.http.close()
