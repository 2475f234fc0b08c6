from __future__ import annotations

import asyncio
import logging
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
