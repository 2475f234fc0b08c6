from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from slotguard.entrypoints.daemon import Daemon, heartbeat_age


def test_ticks_until_stopped_then_exits_zero(tmp_path: Path) -> None:
    calls: list[str] = []

    async def main() -> int:
        daemon: Daemon

        async def scan(stop: asyncio.Event) -> None:  # type: ignore[return]
            calls.append("scan")
            if calls.count("scan") == 3:
                daemon.stop()

        async def weekly(stop: asyncio.Event) -> None:
            calls.append("weekly")

        daemon = Daemon(scan, weekly, interval_seconds=0.05, state_dir=tmp_path)  # type: ignore[arg-type]
        return await asyncio.wait_for(daemon.run(), 10)

    assert asyncio.run(main()) == 0
    assert calls.count("scan") == 3 and calls.count("weekly") == 1
    assert calls[0] == "weekly"  # block series before the first scan
    age = heartbeat_age(tmp_path)
    assert age is not None and age.total_seconds() < 10


def test_a_failing_tick_is_logged_once_and_recovery_once(tmp_path: Path) -> None:
    ticks = 0

    async def main() -> None:
        daemon: Daemon

        async def scan(stop: asyncio.Event) -> None:  # type: ignore[return]
            nonlocal ticks
            ticks += 1
            if ticks == 6:
                daemon.stop()
            if ticks <= 3:
                raise RuntimeError("graph down")

        async def weekly(stop: asyncio.Event) -> None:
            return None

        daemon = Daemon(scan, weekly, interval_seconds=0.03, state_dir=tmp_path)  # type: ignore[arg-type]
        await asyncio.wait_for(daemon.run(), 10)

    with capture_logs() as logs:
        asyncio.run(main())
    events = [e["event"] for e in logs]
    assert events.count("scan.failing") == 1
    assert events.count("scan.recovered") == 1
    assert events.index("scan.failing") < events.index("scan.recovered")
    assert ticks == 6


def test_stop_lets_the_tick_in_flight_finish(tmp_path: Path) -> None:
    finished: list[bool] = []

    async def main() -> None:
        daemon: Daemon

        async def scan(stop: asyncio.Event) -> None:  # type: ignore[return]
            daemon.stop()  # a signal arrives mid-scan
            await asyncio.sleep(0.1)  # the seller in flight
            finished.append(stop.is_set())

        async def weekly(stop: asyncio.Event) -> None:
            return None

        daemon = Daemon(scan, weekly, interval_seconds=60, state_dir=tmp_path)  # type: ignore[arg-type]
        await asyncio.wait_for(daemon.run(), 10)

    asyncio.run(main())
    assert finished == [True]


def test_a_cycle_longer_than_the_interval_is_one_line_with_its_duration(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    ticks = 0

    async def main() -> None:
        daemon: Daemon

        async def scan(stop: asyncio.Event) -> None:  # type: ignore[return]
            nonlocal ticks
            ticks += 1
            if ticks == 1:
                await asyncio.sleep(0.4)  # eight intervals
            else:
                daemon.stop()

        async def weekly(stop: asyncio.Event) -> None:
            return None

        daemon = Daemon(scan, weekly, interval_seconds=0.05, state_dir=tmp_path)  # type: ignore[arg-type]
        await asyncio.wait_for(daemon.run(), 10)

    caplog.set_level(logging.WARNING, logger="apscheduler")
    with capture_logs() as logs:
        asyncio.run(main())
    overran = [e for e in logs if e["event"] == "daemon.cycle_overran"]
    assert len(overran) == 1 and overran[0]["seconds"] >= 0.4
    assert overran[0]["runs_skipped"] >= 1
    assert not [r for r in caplog.records if "maximum number of running" in r.getMessage()]


def _run_daemon(tmp_path: Path, scan_outcomes: list[Exception | None],
                weekly_error: Exception | None = None) -> None:
    """Ticks once per outcome (raising the given error, or not), then stops."""

    async def main() -> None:
        daemon: Daemon
        left = list(scan_outcomes)

        async def scan(stop: asyncio.Event) -> None:  # type: ignore[return]
            error = left.pop(0)
            if not left:
                daemon.stop()
            if error is not None:
                raise error

        async def weekly(stop: asyncio.Event) -> None:
            if weekly_error is not None:
                raise weekly_error

        daemon = Daemon(scan, weekly, interval_seconds=0.02, state_dir=tmp_path)  # type: ignore[arg-type]
        await asyncio.wait_for(daemon.run(), 10)

    asyncio.run(main())



def test_the_failure_log_names_the_error_and_the_recovery_counts_the_failed_ticks(
        tmp_path: Path) -> None:
    down = RuntimeError("graph down " + "x" * 400)
    with capture_logs() as logs:
        _run_daemon(tmp_path, [down, down, down, None, RuntimeError("again"), None])
    latch = [e for e in logs if e["event"].startswith("scan.")]
    failing = [e for e in latch if e["event"] == "scan.failing"]
    assert [(e["error"], e["detail"]) for e in failing] == [
        ("RuntimeError", str(down)[:300]),  # cut short: a Graph error body can be long
        ("RuntimeError", "again"),
    ]
    assert [e["failures"] for e in latch if e["event"] == "scan.still_failing"] == [2, 3]
    recovered = [e for e in latch if e["event"] == "scan.recovered"]
    assert [e["failures"] for e in recovered] == [3, 1]  # the count starts again
    assert all(datetime.fromisoformat(e["since"]).utcoffset() == timedelta(0)
               for e in recovered)



def test_a_failing_weekly_job_is_reported_as_the_weekly_job(tmp_path: Path) -> None:
    with capture_logs() as logs:
        _run_daemon(tmp_path, [None, None], weekly_error=RuntimeError("ledger locked"))
    failing = [e for e in logs if e["event"].endswith(".failing")]
    assert [(e["event"], e["detail"]) for e in failing] == [("weekly.failing", "ledger locked")]



def test_a_second_stop_is_not_logged_again(tmp_path: Path) -> None:
    daemon = Daemon(None, None, interval_seconds=1, state_dir=tmp_path)  # type: ignore[arg-type]
    with capture_logs() as logs:
        daemon.stop()
        daemon.stop()
    assert [e["event"] for e in logs] == ["daemon.stopping"]



def test_sigterm_stops_the_daemon_after_the_tick_in_flight(tmp_path: Path) -> None:
    finished: list[bool] = []

    async def main() -> int:
        async def scan(stop: asyncio.Event) -> None:  # type: ignore[return]
            os.kill(os.getpid(), signal.SIGTERM)  # as `docker stop` would
            await asyncio.sleep(0.05)
            finished.append(stop.is_set())

        async def weekly(stop: asyncio.Event) -> None:
            return None

        daemon = Daemon(scan, weekly, interval_seconds=60, state_dir=tmp_path / "a" / "state")  # type: ignore[arg-type]
        return await asyncio.wait_for(daemon.run(), 10)

    assert asyncio.run(main()) == 0
    assert finished == [True]
    assert heartbeat_age(tmp_path / "a" / "state") is not None  # its folders were made



def test_a_scan_longer_than_the_interval_never_runs_twice_at_once(tmp_path: Path) -> None:
    running, most = 0, 0

    async def main() -> Daemon:
        daemon: Daemon

        async def scan(stop: asyncio.Event) -> None:  # type: ignore[return]
            nonlocal running, most
            running += 1
            most = max(most, running)
            await asyncio.sleep(0.15)  # five intervals
            running -= 1
            if daemon.ticks == 2:
                daemon.stop()

        async def weekly(stop: asyncio.Event) -> None:
            return None

        daemon = Daemon(scan, weekly, interval_seconds=0.03, state_dir=tmp_path)  # type: ignore[arg-type]
        await asyncio.wait_for(daemon.run(), 10)
        return daemon

    with capture_logs() as logs:
        daemon = asyncio.run(main())
    assert most == 1
    assert daemon.ticks == 3
    started = next(e for e in logs if e["event"] == "daemon.started")
    stopped = next(e for e in logs if e["event"] == "daemon.stopped")
    assert (started["interval_seconds"], stopped["ticks"]) == (0.03, 3)



def test_a_heartbeat_that_cannot_be_written_is_logged_and_the_daemon_goes_on(
        tmp_path: Path) -> None:
    state = tmp_path / "state"
    with capture_logs() as logs:
        async def main() -> int:
            daemon: Daemon

            async def scan(stop: asyncio.Event) -> None:  # type: ignore[return]
                shutil.rmtree(state, ignore_errors=True)  # the volume went away
                if daemon.ticks == 1:
                    daemon.stop()

            async def weekly(stop: asyncio.Event) -> None:
                return None

            daemon = Daemon(scan, weekly, interval_seconds=0.02, state_dir=state)  # type: ignore[arg-type]
            return await asyncio.wait_for(daemon.run(), 10)

        assert asyncio.run(main()) == 0
    failed = [e for e in logs if e["event"] == "daemon.heartbeat_failed"]
    assert len(failed) == 2 and "No such file" in failed[0]["error"]

