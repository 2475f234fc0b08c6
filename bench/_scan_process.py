"""slotguard's scan in a process of its own, cycle after cycle, the way the daemon runs it.

One ``Service`` (gateway with its caches, ledger, scanner) lives for the whole benchmark on
one event loop, so a steady-state cycle sees what a long-running daemon would see. Per
cycle the child reports wall time, CPU time (``time.process_time``: every thread of this
process, msal's worker threads included, and nothing of the simulator's) and peak RSS
(Linux VmHWM, reset before each cycle through /proc/self/clear_refs). Start-up reports its
own VmHWM, taken before the first reset. (``ru_maxrss`` is no use here: a spawned child
inherits the parent's peak through fork and exec.)
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from _child import ChildProcess, serve


class ScanProcess(ChildProcess):
    def __init__(self, env: dict[str, str], rules_file: Path, week: str, clock: datetime,
                 profile_dir: Path | None = None) -> None:
        super().__init__(_serve, (env, str(rules_file), week, clock.isoformat(),
                                  str(profile_dir) if profile_dir else ""),
                         name="slotguard-scan", hello="ready", join_timeout=30)

    def __enter__(self) -> ScanProcess:
        super().__enter__()
        self.startup = self.greeting
        return self

    def cycle(self, label: str) -> dict[str, Any]:
        return dict(self.call("cycle", label))


def rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS since the last reset) in MB, from /proc/self/status."""
    now = peak = 0.0
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    return now, peak


def reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # 5: reset the peak RSS (VmHWM) to the current RSS
        return True
    except OSError:
        return False


def _serve(conn: Connection, env: dict[str, str], rules_file: str, week: str, clock: str,
           profile_dir: str) -> None:
    os.environ.update(env)
    started = time.perf_counter()
    from slotguard.config.rules import load_rules
    from slotguard.config.settings import load_settings
    from slotguard.domain.model import IsoWeek
    from slotguard.entrypoints.bootstrap import bootstrap
    from slotguard.logging import configure_logging
    from slotguard.service.clock import FixedClock

    settings = load_settings()
    # The daemon's own logging (level from SLOTGUARD_LOG_LEVEL), into a file: its cost is
    # part of a cycle, a terminal's is not.
    log_file = open(os.environ.get("SLOTGUARD_BENCH_LOG_FILE", os.devnull), "a")  # noqa: SIM115
    configure_logging(settings, stream=log_file)
    rules = load_rules(Path(rules_file))
    service = bootstrap(settings, rules, clock=FixedClock(datetime.fromisoformat(clock)))
    if os.environ.get("SLOTGUARD_BENCH_SELLERS_IN_FLIGHT"):
        service.scanner.concurrency = int(os.environ["SLOTGUARD_BENCH_SELLERS_IN_FLIGHT"])
    if os.environ.get("SLOTGUARD_BENCH_WAVE_SIZE"):
        service.scanner.wave_size = int(os.environ["SLOTGUARD_BENCH_WAVE_SIZE"])
    if os.environ.get("SLOTGUARD_BENCH_WAVES_IN_FLIGHT"):
        service.scanner.waves_in_flight = int(os.environ["SLOTGUARD_BENCH_WAVES_IN_FLIGHT"])
    judged = IsoWeek.parse(week)
    from slotguard.entrypoints.runtime import settle_heap

    settle_heap()  # as `slotguard run` does once start-up is done
    loop = asyncio.new_event_loop()
    rss_now, rss_peak = rss_mb()
    startup = {"seconds": round(time.perf_counter() - started, 3),
               "rss_mb": round(rss_now, 1), "rss_peak_mb": round(rss_peak, 1),
               "concurrency": settings.concurrency,
               "mailbox_concurrency": settings.mailbox_concurrency,
               "sellers_in_flight": service.scanner.concurrency,
               "wave_size": service.scanner.wave_size,
               "waves_in_flight": service.scanner.waves_in_flight}

    def handle(op: str, args: tuple[Any, ...]) -> Any:
        if op == "ready":
            return startup
        if op == "cycle":
            return _cycle(loop, service, judged, args[0], profile_dir)
        raise ValueError(f"unknown operation {op!r}")

    try:
        serve(conn, handle)
    finally:
        loop.run_until_complete(service.aclose())
        loop.close()


def _cycle(loop: asyncio.AbstractEventLoop, service: Any, week: Any, label: str,
           profile_dir: str) -> dict[str, Any]:
    from slotguard.entrypoints.runtime import return_free_memory

    profiler = None
    if profile_dir:
        try:
            from pyinstrument import Profiler
        except ImportError:
            profile_dir = ""
        else:
            profiler = Profiler(interval=0.001, async_mode="enabled")
            profiler.start()
    peak_reset = reset_peak_rss()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    report = loop.run_until_complete(service.scanner.scan(week=week, list_all=False))
    return_free_memory()  # as `slotguard run` does after every cycle
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    now, peak = rss_mb()
    if profiler is not None:
        profiler.stop()
        Path(profile_dir).mkdir(parents=True, exist_ok=True)
        (Path(profile_dir) / f"{label}.txt").write_text(
            profiler.output_text(unicode=False, color=False, show_all=False))
    # As the daemon runs it: sellers that need no look are counted, not listed.
    statuses = Counter(s.status for s in report.sellers)
    statuses["ok"] += report.folded.get("sellers", 0) - report.unchanged
    statuses["unchanged"] = report.unchanged
    problems = Counter(p.partition(":")[0] for s in report.sellers for p in s.problems)
    return {
        "wall": wall, "cpu": cpu,
        # Without the reset (an old kernel) VmHWM is the process's peak so far.
        "rss_peak_mb": peak, "rss_peak_since": "cycle" if peak_reset else "process",
        "rss_mb": now, "totals": report.totals(), "statuses": dict(statuses),
        "problems": dict(problems.most_common(5)),
    }
