"""The pool's idle-connection check: a connection the server closed, or sent anything
on while idle, must read as readable (httpcore then drops it instead of reusing it)."""

from __future__ import annotations

import asyncio
import gc
import socket
import ssl
import weakref

import httpcore
import httpx
import pytest

from slotguard.graph import netstream
from slotguard.graph.client import http_client
from slotguard.sim.server import SimServer


def test_an_open_quiet_socket_is_not_readable() -> None:
    a, b = socket.socketpair()
    with a, b:
        assert netstream.readable(a) is False


def test_a_socket_the_peer_closed_or_wrote_to_is_readable() -> None:
    a, b = socket.socketpair()
    with a:
        b.sendall(b"x")
        assert netstream.readable(a) is True
        a.recv(1)
        b.close()
        assert netstream.readable(a) is True


def test_a_missing_or_closed_socket_counts_as_readable() -> None:
    assert netstream.readable(None) is True
    a, b = socket.socketpair()
    b.close()
    a.close()
    assert netstream.readable(a) is True


def test_the_graph_client_pool_uses_the_backend() -> None:
    client = http_client(ca_bundle=None, timeout=5, connections=4)
    inner = client._transport.transport  # type: ignore[attr-defined]  # under the SDK's middleware
    assert isinstance(inner._pool._network_backend, netstream.Backend)
    assert type(inner._pool) is netstream.Pool


def test_many_requests_share_a_small_pool(sim: SimServer) -> None:
    """More requests than connections, at once, twice over: every one answered, the pool
    never above its size, and the second round on the connections of the first."""
    async def run() -> tuple[list[int], int, int]:
        client = httpx.AsyncClient(verify=ssl.create_default_context(cafile=str(sim.ca_file)),
                                   limits=httpx.Limits(max_connections=4))
        assert netstream.install(client) == 1
        pool = client._transport._pool  # type: ignore[attr-defined]
        url = f"{sim.authority_url}/{sim.tenant_id}/v2.0/.well-known/openid-configuration"
        async with client:
            first = await asyncio.gather(*(client.get(url) for _ in range(40)))
            opened = {id(c) for c in pool.connections}
            second = await asyncio.gather(*(client.get(url) for _ in range(40)))
            reused = len(opened & {id(c) for c in pool.connections})
            return [r.status_code for r in first + second], len(opened), reused

    statuses, opened, reused = asyncio.run(run())
    assert statuses == [200] * 80
    assert 1 <= opened <= 4 and reused == opened


def test_proxies_from_the_environment_stay_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    client = httpx.AsyncClient()
    assert netstream.install(client) == 2  # the direct transport and the proxy's
    assert netstream.install(client) == 0  # and never wrapped twice
    proxied = [m for m in client._mounts.values() if m is not None]  # type: ignore[attr-defined]
    assert all(isinstance(m._pool, httpcore.AsyncHTTPProxy) for m in proxied)


def test_a_read_response_is_freed_without_the_cyclic_collector(sim: SimServer) -> None:
    """httpx ties each response and its stream in a cycle; the Graph client's hook cuts it
    once the body is read, so the body goes with its last user, not at the next
    collection (which the tuned thresholds make rare)."""
    url = f"{sim.authority_url}/{sim.tenant_id}/v2.0/.well-known/openid-configuration"

    async def last_reference(client: httpx.AsyncClient) -> weakref.ref[httpx.Response]:
        async with client:
            response = await client.get(url)
            assert response.status_code == 200 and response.json()
            return weakref.ref(response)

    def freed(client: httpx.AsyncClient) -> bool:
        gc.collect()
        gc.disable()
        try:
            return asyncio.run(last_reference(client))() is None
        finally:
            gc.enable()

    verify = ssl.create_default_context(cafile=str(sim.ca_file))
    assert freed(http_client(ca_bundle=sim.ca_file, timeout=5, connections=2))
    # httpx alone keeps it until a collection: what the hook is for.
    assert not freed(httpx.AsyncClient(verify=verify))
