"""SimServer: the simulator on real HTTPS in a background thread, for tests and the CLI.

    with SimServer(scenario="demo") as sim:
        settings_env = sim.env()       # SLOTGUARD_* pointing at it
        sim.tenant.add_event(...)      # change calendars behind the client's back
        sim.requests()                 # what was asked

uvicorn runs in its own thread with its own event loop, so synchronous tests and clients in
the test's thread (msal over requests, msgraph-sdk over httpx) talk to it over a socket.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import uvicorn

from slotguard.sim.app import build_app
from slotguard.sim.context import RequestLog, RequestRecord, SimContext
from slotguard.sim.delta import DeltaStore
from slotguard.sim.faults import FaultOptions, Faults
from slotguard.sim.quirks import Quirks
from slotguard.sim.scenario import load_scenario
from slotguard.sim.tenant import Tenant
from slotguard.sim.tls import ensure_tls
from slotguard.sim.tokens import TokenIssuer


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _abort_connections(server: uvicorn.Server) -> None:
    server.force_exit = True
    for connection in list(server.server_state.connections):
        transport = getattr(connection, "transport", None)
        if transport is not None:
            transport.abort()


def default_state_dir() -> Path:
    return Path(tempfile.gettempdir()) / f"slotguard-sim-{os.getuid()}"


class SimServer:
    def __init__(
        self,
        scenario: str | Path | dict[str, Any] = "demo",
        faults: FaultOptions | None = None,
        token_lifetime: int = 3600,
        state_dir: Path | None = None,
        port: int = 0,
        anchor: date | None = None,
        host: str = "127.0.0.1",
        quirks: Quirks | None = None,
    ) -> None:
        self._anchor = anchor
        self._host = host
        self._port = port
        self.state_dir = Path(state_dir) if state_dir else default_state_dir()
        self._tls = ensure_tls(self.state_dir)
        self.ctx = SimContext(
            tenant=load_scenario(scenario, anchor),
            tokens=TokenIssuer(token_lifetime),
            faults=Faults(faults),
            delta=DeltaStore(),
            log=RequestLog(),
        )
        if quirks is not None:
            self.ctx.tenant.quirks = quirks
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- lifecycle ---------------------------------------------------------------------
    def start(self) -> SimServer:
        if self._server is not None:
            return self
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit it: without, Nagle + delayed ACK add ~40 ms per response.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self._host, self._port))
        sock.listen(128)
        self._socket = sock
        self._port = sock.getsockname()[1]
        self.ctx.graph_resources.add(self.graph_url)
        config = uvicorn.Config(
            build_app(self.ctx, self.load_scenario),
            ssl_certfile=str(self._tls.cert_file),
            ssl_keyfile=str(self._tls.key_file),
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_keep_alive=30,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=asyncio.run,
            args=(self._serve(server, sock),),
            name=f"slotguard-sim:{self._port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the simulator did not start; see the log above")
            time.sleep(0.005)
        return self

    async def _serve(self, server: uvicorn.Server, sock: socket.socket) -> None:
        self._loop = asyncio.get_running_loop()
        await server.serve(sockets=[sock])

    def stop(self) -> None:
        if self._server is None:
            return
        server = self._server
        server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=0.15)
            if self._thread.is_alive() and self._loop is not None:
                # Clients that keep idle TLS connections open (requests, httpx pools) would
                # hold uvicorn's graceful shutdown for tens of seconds; cut them.
                self._loop.call_soon_threadsafe(_abort_connections, server)
                self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._server = None

    def serve_forever(self) -> None:
        """Block until Ctrl-C or SIGTERM (used by ``slotguard sim``)."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _interrupt)
            signal.signal(signal.SIGINT, _interrupt)
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=0.15)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- where it is ---------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._port

    @property
    def graph_url(self) -> str:
        return f"https://{self._host}:{self._port}"

    @property
    def authority_url(self) -> str:
        return f"https://{self._host}:{self._port}"

    @property
    def ca_file(self) -> Path:
        return self._tls.ca_file

    @property
    def tenant(self) -> Tenant:
        return self.ctx.tenant

    @property
    def tenant_id(self) -> str:
        return self.ctx.tenant.id

    @property
    def client_id(self) -> str:
        return next(iter(self.ctx.tenant.apps.values())).client_id

    @property
    def client_secret(self) -> str:
        return next(iter(self.ctx.tenant.apps.values())).secrets[0]

    def env(self) -> dict[str, str]:
        return {
            "SLOTGUARD_TENANT_ID": self.tenant_id,
            "SLOTGUARD_CLIENT_ID": self.client_id,
            "SLOTGUARD_CLIENT_SECRET": self.client_secret,
            "SLOTGUARD_GRAPH_URL": self.graph_url,
            "SLOTGUARD_AUTHORITY_URL": self.authority_url,
            "SLOTGUARD_CA_BUNDLE": str(self.ca_file),
        }

    # --- control and inspection ---------------------------------------------------------
    def load_scenario(
        self, scenario: str | Path | dict[str, Any], anchor: date | None = None
    ) -> None:
        """Replace the tenant (sync states are dropped too; tokens stay valid). The
        scenario's quirks come with it."""
        self.ctx.tenant = load_scenario(scenario, anchor or self._anchor)
        self.ctx.delta.expire()

    def requests(self) -> list[RequestRecord]:
        return self.ctx.log.all()

    def writes(self) -> list[RequestRecord]:
        """Every request served so far that changed the tenant (see ``is_graph_write``)."""
        return [r for r in self.requests() if r.is_graph_write]

    def clear_requests(self) -> None:
        self.ctx.log.clear()

    def outbox(self) -> list[dict[str, Any]]:
        return self.ctx.tenant.outbox()

    def set_faults(self, faults: FaultOptions) -> None:
        self.ctx.faults.configure(faults)

    def set_quirks(self, quirks: Quirks) -> None:
        """Switch how the tenant behaves where Graph is undocumented (quirks.py)."""
        self.ctx.tenant.quirks = quirks

    def expire_tokens(self) -> None:
        self.ctx.tokens.expire_all()

    def expire_delta_tokens(self, upn: str | None = None) -> int:
        user_id = self.ctx.tenant.user(upn).id if upn else None
        return self.ctx.delta.expire(user_id)
