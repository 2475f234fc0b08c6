"""One scan cycle in a process of its own that can kill itself with SIGKILL at a chosen
point, for the crash tests: ``python -m tests.faults.kill_scan``.

SGTEST_KILL picks the point: ``write_before:k`` (the k-th Graph write is about to be
sent: the ledger has its intent, Graph has nothing), ``write_after:k`` (Graph answered
the k-th write, the ledger has not heard of it yet), ``ledger:k`` (the k-th ledger write
step has just committed). Without it the scan runs to the end and, with SGTEST_COUNTS,
writes how many of each it saw, so a test can choose points that exist. SIGKILL: no
finally blocks, no atexit, no flushing — as when the kernel's OOM killer or a node loss
ends the process.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import signal
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any

from tests.faults.harness import no_sleep, settings_from

from slotguard.config.rules import load_rules
from slotguard.domain.model import IsoWeek
from slotguard.entrypoints.bootstrap import bootstrap
from slotguard.graph.client import build_gateway
from slotguard.graph.gateway import GraphGateway
from slotguard.graph.pipeline import Pipeline
from slotguard.service.clock import FixedClock
from slotguard.store.ledger import Ledger

# The many-row forms too: a seller's records go through them. (A single-row form that
# delegates to its many-row twin counts twice, at the same moment.)
LEDGER_STEPS = ("intend", "intend_many", "complete", "complete_many", "fail", "mark_withdrawn",
                "upsert_violation", "upsert_violations", "set_violation_state",
                "set_violation_states", "record_shortfall", "clear_shortfalls",
                "save_delta_link", "save_delta_links")
WRITES = {"POST", "PATCH", "DELETE"}

kind, _, at = (os.environ.get("SGTEST_KILL") or "none:0").partition(":")
kill_at = int(at)
counts = {"write": 0, "ledger": 0}


def _die(point: str, n: int) -> None:
    if kind == point and n == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)


def _is_write(request: Any) -> bool:
    method = getattr(request.http_method, "value", str(request.http_method)).upper()
    return method in WRITES and not str(request.url_template or "").endswith("$batch")


_send = Pipeline.send
_gateway_send = GraphGateway.send
# Inside GraphGateway.send: the write is counted there, whether it then goes out alone or
# as a $batch item, and not again by the pipeline.
_counted = contextvars.ContextVar("counted", default=False)


async def _around_write(request: Any, call: Any) -> bytes | None:
    write = not _counted.get() and _is_write(request)
    if write:
        counts["write"] += 1
        n = counts["write"]
        _die("write_before", n)
    token = _counted.set(True)
    try:
        result = await call()
    finally:
        _counted.reset(token)
    if write:
        _die("write_after", n)
    return result


async def send(self: Pipeline, build: Any, **kwargs: Any) -> bytes | None:
    return await _around_write(build(), lambda: _send(self, build, **kwargs))


async def gateway_send(self: GraphGateway, build: Any, **kwargs: Any) -> bytes | None:
    return await _around_write(build(), lambda: _gateway_send(self, build, **kwargs))


def _step(method: Any) -> Any:
    @wraps(method)
    def step(self: Ledger, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        counts["ledger"] += 1
        _die("ledger", counts["ledger"])
        return result

    return step


def install() -> None:
    """Count (and die at) writes and ledger steps from now on in this process."""
    Pipeline.send = send  # type: ignore[method-assign]
    GraphGateway.send = gateway_send  # type: ignore[method-assign]
    for name in LEDGER_STEPS:
        setattr(Ledger, name, _step(getattr(Ledger, name)))


def main() -> None:
    install()
    env = dict(os.environ)
    clock = FixedClock(datetime.fromisoformat(env["SGTEST_CLOCK"]))

    async def scan() -> dict[str, int]:
        settings = settings_from(env)
        gateway = build_gateway(settings, sleep=no_sleep)
        service = bootstrap(settings, load_rules(Path(env["SLOTGUARD_RULES_FILE"])),
                            gateway=gateway, clock=clock)
        try:
            report = await service.scanner.scan(week=IsoWeek.parse(env["SGTEST_WEEK"]))
        finally:
            await service.aclose()
            await gateway.aclose()
        return report.totals()

    totals = asyncio.run(scan())
    if env.get("SGTEST_COUNTS"):
        Path(env["SGTEST_COUNTS"]).write_text(json.dumps({**counts, "totals": totals}))


if __name__ == "__main__":
    main()
