"""Keeping a wave's seller leases while its work is in flight.

A wave takes its sellers' leases, then reads, decides and writes; against a slow Graph
that can take longer than the lease. A heartbeat renews every lease the wave still holds
at a third of the lease, in one transaction, so no lease lapses while its seller is being
worked on; before a seller's writes the keeper renews once more if half a lease went by
without a beat (a busy event loop delays the heartbeat). A lease another replica took over
meanwhile is lost: that seller's work is left to the new holder and counted as lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable

import structlog

from slotguard.domain.keys import lease_name, leased_seller
from slotguard.ports import Ledger

log = structlog.get_logger("slotguard.scan")

Pause = Callable[[float], Awaitable[None]]


class LeaseKeeper:
    def __init__(self, ledger: Ledger, owner: str, ttl_seconds: float, upns: Iterable[str],
                 *, pause: Pause = asyncio.sleep) -> None:
        self.ledger, self.owner, self.ttl = ledger, owner, ttl_seconds
        self.held = {lease_name(u) for u in upns}
        self.lost: set[str] = set()
        self._pause = pause
        self._beat_at = time.monotonic()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.held and self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while self.held:
            await self._pause(self.ttl / 3)
            self.beat()

    def beat(self) -> None:
        still = self.ledger.renew_leases(self.held, self.owner, self.ttl)
        self._beat_at = time.monotonic()
        for name in sorted(self.held - still):
            log.warning("scan.lease_lost", seller=leased_seller(name))
        self.lost |= self.held - still
        self.held = still

    def still_mine(self, upn: str) -> bool:
        """Whether the seller's lease is still held, renewed first when the heartbeat is
        late. Ask right before writing for the seller."""
        if lease_name(upn) in self.held and time.monotonic() - self._beat_at >= self.ttl / 2:
            self.beat()
        return lease_name(upn) in self.held
