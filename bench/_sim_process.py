"""The simulator in a process of its own, driven over a pipe.

The benchmark measures slotguard's CPU time and memory; a simulator serving from a thread
of the same process would add its TLS, HTTP and JSON work to both. Here it runs in a
spawned child (its own interpreter, its own core when one is free), and the parent asks it
for its request log, its own CPU time, calendar changes and the state of mailboxes.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import date, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from _child import ChildProcess, serve

# Paths that are not Graph requests: sign-in and the simulator's own control routes.
_NOT_GRAPH = ("/oauth2/", "/.well-known/", "/discovery/", "/_sim/")


class SimProcess(ChildProcess):
    """``with SimProcess(scenario_file, latency=0.1) as sim: sim.env() ...``"""

    def __init__(self, scenario_file: Path, *, state_dir: Path, anchor: date,
                 faults: dict[str, Any] | None = None) -> None:
        super().__init__(_serve, (str(scenario_file), str(state_dir), anchor.isoformat(),
                                  faults or {}),
                         name="slotguard-sim", hello="ping", join_timeout=10)

    def __enter__(self) -> SimProcess:
        super().__enter__()
        return self

    # thin wrappers, so callers read as prose
    def env(self) -> dict[str, str]:
        return dict(self.call("env"))

    def clear_log(self) -> None:
        self.call("clear_log")

    def log_summary(self) -> dict[str, Any]:
        return dict(self.call("log_summary"))

    def cpu_seconds(self) -> float:
        return float(self.call("cpu"))

    def add_meetings(self, meetings: list[tuple[str, str, str]]) -> int:
        """(upn, local start ISO, local end ISO) customer meetings, read in the mailbox zone."""
        return int(self.call("add_meetings", meetings))


def summarise(records: list[Any]) -> dict[str, Any]:
    """Requests as Graph and the network see them: ``http`` round trips (a $batch is one),
    ``graph`` operations (every $batch item counts, as it does against Graph's limits)."""
    http = graph = batches = writes = throttled = 0
    kinds: Counter[str] = Counter()
    for r in records:
        if any(part in r.path for part in _NOT_GRAPH):
            continue
        outer_batch = r.batch_item is None and r.path.rstrip("/").endswith("$batch")
        if r.batch_item is None:
            http += 1
        if outer_batch:
            batches += 1
            continue
        graph += 1
        writes += r.method in ("POST", "PATCH", "DELETE")
        throttled += r.status == 429
        kinds[_kind(r.method, r.path)] += 1
    return {"http": http, "graph": graph, "batches": batches, "writes": writes,
            "throttled": throttled, "kinds": dict(kinds.most_common())}


def _kind(method: str, path: str) -> str:
    lowered = path.lower()
    for marker in ("calendarview/delta", "calendarview", "mailboxsettings", "/todo/",
                   "/events", "sendmail", "transitivemembers", "/members"):
        if marker in lowered:
            return f"{method} {marker.strip('/')}"
    return f"{method} other"


def _serve(conn: Connection, scenario_file: str, state_dir: str, anchor: str,
           faults: dict[str, Any]) -> None:
    from slotguard.sim.faults import FaultOptions
    from slotguard.sim.server import SimServer

    sim = SimServer(scenario=Path(scenario_file), faults=FaultOptions.from_dict(faults),
                    state_dir=Path(state_dir), anchor=date.fromisoformat(anchor))
    sim.start()
    from slotguard.entrypoints.runtime import settle_heap

    settle_heap()  # as `slotguard sim` does once the tenant is loaded
    rng = random.Random(0)
    try:
        serve(conn, lambda op, args: _handle(sim, op, args, rng))
    finally:
        sim.stop()


def _handle(sim: Any, op: str, args: tuple[Any, ...], rng: random.Random) -> Any:
    if op == "ping":
        return "pong"
    if op == "env":
        return sim.env()
    if op == "clear_log":
        sim.clear_requests()
        return None
    if op == "log_summary":
        return summarise(sim.requests())
    if op == "cpu":
        return time.process_time()
    if op == "add_meetings":
        for upn, start, end in args[0]:
            sim.tenant.add_event(
                upn, "Customer call", datetime.fromisoformat(start), datetime.fromisoformat(end),
                attendees=[upn, f"buyer{rng.randrange(1000)}@fabrikam.com"], organizer=upn,
            )
        return len(args[0])
    raise ValueError(f"unknown operation {op!r}")

