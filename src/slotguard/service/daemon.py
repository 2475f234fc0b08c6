"""``slotguard run``: the scan on an interval and the weekly jobs, until SIGTERM/SIGINT.

APScheduler 3.x drives the timing (coalesced, never overlapping). The tick never dies: a
failing scan is logged once when failures start and once when they recover, and the next
interval runs as usual. A stop signal lets the seller in flight finish (the scan checks
the stop event between sellers), then the process exits 0.

After every tick, successful or not, a heartbeat file in STATE_DIR is touched: the
container health check (``slotguard health``) reads its age.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog

from slotguard.service.report import ScanReport

log = structlog.get_logger("slotguard.daemon")

ScanFn = Callable[[asyncio.Event], Awaitable[ScanReport]]
WeeklyFn = Callable[[asyncio.Event], Awaitable[object]]

HEARTBEAT = "heartbeat"
# The weekly job is checked hourly; claim_once(job, ISO week) in the ledger makes it run
# once per week across all replicas, and a replica that was down on Monday still catches up.
WEEKLY_CHECK = timedelta(hours=1)


class _FailureLatch:
    """Logs the first failure of a run of failures and the recovery, not every tick."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.failing_since: datetime | None = None
        self.failures = 0

    def failed(self, error: BaseException) -> None:
        self.failures += 1
        if self.failing_since is None:
            self.failing_since = datetime.now(UTC)
            log.error(f"{self.what}.failing", error=type(error).__name__, detail=str(error)[:300])
        else:
            log.debug(f"{self.what}.still_failing", failures=self.failures)

    def succeeded(self) -> None:
        if self.failing_since is not None:
            log.info(f"{self.what}.recovered", failures=self.failures,
                     since=self.failing_since.isoformat())
        self.failing_since = None
        self.failures = 0


class Daemon:
    def __init__(
        self,
        scan: ScanFn,
        weekly: WeeklyFn,
        *,
        interval_seconds: float,
        state_dir: Path,
        weekly_interval: timedelta = WEEKLY_CHECK,
    ) -> None:
        self._scan = scan
        self._weekly = weekly
        self._interval = interval_seconds
        self._weekly_interval = weekly_interval
        self._heartbeat = state_dir / HEARTBEAT
        self._stop = asyncio.Event()
        self._scan_latch = _FailureLatch("scan")
        self._weekly_latch = _FailureLatch("weekly")
        self._running: set[asyncio.Task[Any]] = set()
        self.ticks = 0

    def stop(self) -> None:
        if not self._stop.is_set():
            log.info("daemon.stopping")
        self._stop.set()

    async def run(self) -> int:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.stop)
        self._heartbeat.parent.mkdir(parents=True, exist_ok=True)
        scheduler = AsyncIOScheduler(event_loop=loop, timezone=UTC)
        now = datetime.now(UTC)
        common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        # The weekly job first, so a fresh deployment has its block series before scanning.
        scheduler.add_job(self._weekly_tick, IntervalTrigger(
            seconds=self._weekly_interval.total_seconds()), id="weekly", next_run_time=now,
            **common)
        scheduler.add_job(self._scan_tick, IntervalTrigger(seconds=self._interval), id="scan",
                          next_run_time=now + timedelta(milliseconds=10), **common)
        scheduler.start()
        log.info("daemon.started", interval_seconds=self._interval)
        try:
            await self._stop.wait()
        finally:
            # No new runs; let a tick in flight finish its current seller (the scan sees the
            # stop event) before shutdown, which would cancel it.
            scheduler.pause()
            if self._running:
                await asyncio.gather(*self._running, return_exceptions=True)
            scheduler.shutdown(wait=False)
            for sig in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(sig)
        log.info("daemon.stopped", ticks=self.ticks)
        return 0

    async def _scan_tick(self) -> None:
        await self._guarded(self._scan, self._scan_latch)
        self.ticks += 1
        self._beat()

    async def _weekly_tick(self) -> None:
        await self._guarded(self._weekly, self._weekly_latch)

    async def _guarded(self, job: Callable[[asyncio.Event], Awaitable[object]],
                       latch: _FailureLatch) -> None:
        if self._stop.is_set():
            return
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await job(self._stop)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the tick never dies: report, then try next interval
            latch.failed(error)
        else:
            latch.succeeded()
        finally:
            if task is not None:
                self._running.discard(task)

    def _beat(self) -> None:
        try:
            self._heartbeat.touch()
        except OSError as error:
            log.warning("daemon.heartbeat_failed", error=str(error))


def heartbeat_age(state_dir: Path, now: datetime | None = None) -> timedelta | None:
    path = state_dir / HEARTBEAT
    if not path.exists():
        return None
    now = now or datetime.now(UTC)
    return now - datetime.fromtimestamp(path.stat().st_mtime, UTC)
