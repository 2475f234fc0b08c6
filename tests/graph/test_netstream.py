"""The pool's idle-connection check: a connection the server closed, or sent anything
on while idle, must read as readable (httpcore then drops it instead of reusing it)."""

from __future__ import annotations

import socket

import httpcore
import httpx
import pytest

from slotguard.graph import netstream
from slotguard.graph.client import http_client


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


def test_proxies_from_the_environment_stay_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    client = httpx.AsyncClient()
    assert netstream.install(client) == 2  # the direct transport and the proxy's
    assert netstream.install(client) == 0  # and never wrapped twice
    proxied = [m for m in client._mounts.values() if m is not None]  # type: ignore[attr-defined]
    assert all(isinstance(m._pool, httpcore.AsyncHTTPProxy) for m in proxied)
