"""httpcore's connection pool without its per-request overheads.

Before each request and after each response httpcore 1.0's pool walks its connections:

* it asks every idle one whether the server closed it (``get_extra_info("is_readable")``),
  and the anyio stream answers by rebuilding anyio's typed-attribute map each time (a
  ``getpeername`` system call and a dozen closures): 8% of a first cycle's CPU with 32
  pooled connections. ``Backend`` looks the raw socket up once per connection and polls it.
* for every idle connection it counts all connections with a list of ``is_idle()`` calls,
  and for every queued request it filters all connections again: quadratic, another 10%
  (encode/httpcore#1035, open). ``Pool`` does the same pass linearly, with the same
  outcome, including the count that #1035 calls a bug (all connections, not only idle
  ones, against ``max_keepalive_connections``), which ours never exceed anyway.

And httpx keeps every response in a reference cycle with its stream (the client's
``BoundAsyncStream`` holds the response, to stamp ``elapsed`` when closed), so a body is
freed only when the cyclic collector runs, not when its last user lets go. $batch answers
are several hundred KB each; at 1,000 sellers some 30 MB of them sat waiting for the
collector at a first cycle's peak. ``unbind`` breaks the cycle once the body is read.

Everything else is httpcore's and anyio's own.
"""

from __future__ import annotations

import select
import socket
import ssl
import sys
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

SocketOption = Any  # httpcore's (level, option, value) tuples


class _Stream(httpcore.AsyncNetworkStream):
    __slots__ = ("_inner", "_socket")

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return readable(self._socket)
        return self._inner.get_extra_info(info)


def readable(sock: socket.socket | None) -> bool:
    """Whether a read would return at once (data, or b"" for a closed connection); a
    socket that is gone counts as readable, as httpcore counts it."""
    fd = -1 if sock is None else sock.fileno()
    if fd < 0:
        return True
    if sys.platform == "win32":  # pragma: no cover
        return bool(select.select([fd], [], [], 0)[0])
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class Backend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[SocketOption] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_tcp(host, port, timeout, local_address,
                                                     socket_options))

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[SocketOption] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class Pool(httpcore.AsyncConnectionPool):
    def _assign_requests_to_connections(self) -> list[Any]:
        # httpcore 1.0.9's method, each connection and request visited once.
        closing: list[Any] = []
        for connection in list(self._connections):
            if connection.is_closed():
                self._connections.remove(connection)
            elif connection.has_expired() or (
                    connection.is_idle()
                    and len(self._connections) > self._max_keepalive_connections):
                self._connections.remove(connection)
                closing.append(connection)
        queued = [request for request in self._requests if request.is_queued()]
        if not queued:
            return closing
        # What httpcore recomputes per request and gets the same answer: a connection
        # assigned in this pass stays available until its request starts, and a new one
        # is not available before it connects.
        available: dict[Any, list[Any]] = {}
        idle = [connection for connection in self._connections if connection.is_idle()]
        for pool_request in queued:
            origin = pool_request.request.url.origin
            key = (origin.scheme, origin.host, origin.port)  # (Origin has no hash)
            if key not in available:
                available[key] = [c for c in self._connections
                                  if c.can_handle_request(origin) and c.is_available()]
            if available[key]:
                pool_request.assign_to_connection(available[key][0])
            elif len(self._connections) < self._max_connections:
                connection = self.create_connection(origin)
                self._connections.append(connection)
                pool_request.assign_to_connection(connection)
            elif idle:
                connection = idle.pop(0)
                self._connections.remove(connection)
                closing.append(connection)
                for other in available.values():  # (another origin's, then)
                    if connection in other:
                        other.remove(connection)
                connection = self.create_connection(origin)
                self._connections.append(connection)
                pool_request.assign_to_connection(connection)
        return closing


class _Unbound(httpx.AsyncByteStream):
    """A response's stream that lets go of httpx's bound stream (and through it the
    response) once closed: httpx closes it as soon as the body is read."""

    __slots__ = ("_inner",)

    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self._inner: httpx.AsyncByteStream | None = inner

    async def __aiter__(self) -> Any:
        if self._inner is None:
            raise httpx.StreamClosed()
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        inner, self._inner = self._inner, None
        if inner is not None:
            await inner.aclose()


async def unbind(response: httpx.Response) -> None:
    """A response hook (``event_hooks["response"]``): runs before the body is read."""
    if isinstance(response.stream, httpx.AsyncByteStream):
        response.stream = _Unbound(response.stream)


def install(client: httpx.AsyncClient) -> int:
    """Put the pools of the transports httpx made for ``client`` (the direct one and any
    for proxies from the environment) on ``Backend``, and the direct one's on ``Pool``;
    returns how many pools were changed. The pools are attributes httpx does not publish:
    where they are missing, or not of the class expected, httpx's own stay."""
    transports = [getattr(client, "_transport", None),
                  *getattr(client, "_mounts", {}).values()]
    done = 0
    for made in transports:
        pool = getattr(made, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.AsyncNetworkBackend) and not isinstance(backend, Backend):
            pool._network_backend = Backend(backend)  # type: ignore[union-attr]
            done += 1
        if type(pool) is httpcore.AsyncConnectionPool and callable(
                getattr(pool, "_assign_requests_to_connections", None)):
            pool.__class__ = Pool
    return done
