"""``slotguard run``: the scan on an interval and the weekly jobs, until SIGTERM/SIGINT.

APScheduler 3.x drives the timing (coalesced, never overlapping). The tick never dies: a
failing scan is logged once when failures start and once when they recover, and the next
interval runs as usual. A stop signal lets the seller in flight finish (the scan checks
the stop event between sellers), then the process exits 0.

After every tick, successful or not, a heartbeat file in STATE_DIR is touched: the
container health check (``slotguard health``) reads its age.

SIGHUP re-reads the settings and the rules (``reload``); a file that does not validate
keeps the running rules and is one error line. A cycle longer than the interval is one
warning line with its duration; APScheduler's own "maximum number of running instances"
warning at every interval it skipped meanwhile is left out. Before every tick the
daemon asks whether its ledger is still usable (``check``: the SQLite file deleted or
replaced under it): if not, it logs why and stops with exit code 1, so the service
manager restarts it on a ledger it can keep, instead of writing on into a deleted file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog

from slotguard import exit_codes
from slotguard.service.report import ScanReport

log = structlog.get_logger("slotguard.daemon")

ScanFn = Callable[[asyncio.Event], Awaitable[ScanReport]]
WeeklyFn = Callable[[asyncio.Event], Awaitable[object]]
Check = Callable[[], str | None]  # why the daemon cannot go on, or None

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


class _SkippedRuns(logging.Filter):
    """Drops APScheduler's warning for a run it skipped because the last one still runs
    (it would repeat every interval of a long cycle) and counts them instead."""

    def __init__(self) -> None:
        super().__init__()
        self.skipped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if "maximum number of running instances" in str(record.msg):
            self.skipped += 1
            return False
        return True


class Daemon:
    def __init__(
        self,
        scan: ScanFn,
        weekly: WeeklyFn,
        *,
        interval_seconds: float,
        state_dir: Path,
        weekly_interval: timedelta = WEEKLY_CHECK,
        reload: Callable[[], object] | None = None,
        check: Check | None = None,
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
        self._reload = reload
        self._check = check
        self._skipped = _SkippedRuns()
        self.exit_code = exit_codes.OK
        self.ticks = 0

    def stop(self) -> None:
        if not self._stop.is_set():
            log.info("daemon.stopping")
        self._stop.set()

    async def run(self) -> int:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        loop = asyncio.get_running_loop()
        handlers: dict[int, Callable[[], object]] = {signal.SIGTERM: self.stop,
                                                     signal.SIGINT: self.stop}
        if self._reload is not None and hasattr(signal, "SIGHUP"):
            handlers[signal.SIGHUP] = self._reload
        for sig, handler in handlers.items():
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, handler)
        apscheduler_log = logging.getLogger("apscheduler.scheduler")
        apscheduler_log.addFilter(self._skipped)
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
            for sig in handlers:
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(sig)
            apscheduler_log.removeFilter(self._skipped)
        log.info("daemon.stopped", ticks=self.ticks)
        return self.exit_code

    async def _scan_tick(self) -> None:
        began = time.monotonic()
        skipped = self._skipped.skipped
        await self._guarded(self._scan, self._scan_latch)
        self.ticks += 1
        self._beat()
        took = time.monotonic() - began
        if took > self._interval:
            log.warning("daemon.cycle_overran", seconds=round(took, 1),
                        interval_seconds=self._interval,
                        runs_skipped=self._skipped.skipped - skipped)

    async def _weekly_tick(self) -> None:
        await self._guarded(self._weekly, self._weekly_latch)

    async def _guarded(self, job: Callable[[asyncio.Event], Awaitable[object]],
                       latch: _FailureLatch) -> None:
        if self._stop.is_set():
            return
        problem = self._check() if self._check is not None else None
        if problem is not None:
            log.error("daemon.ledger_unusable", problem=problem,
                      fix="restart slotguard (a service manager does) to open the ledger anew")
            self.exit_code = exit_codes.FAILED
            self.stop()
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
