"""The ledger deleted between runs — by an admin tidying up, a container without its
volume, a new state directory: the next scan and weekly job find everything slotguard wrote
in Graph (event markers, task keys) and send Graph no write at all, under throttling too.
Afterwards the new ledger knows what the old one knew, exactly once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from tests.faults.harness import (
    Tenant,
    assert_exactly_once,
    no_sleep,
    outcome,
    scan_once,
    settings_from,
)

from slotguard.config.rules import load_rules
from slotguard.entrypoints.bootstrap import bootstrap
from slotguard.graph.client import build_gateway
from slotguard.service.weekly import WeeklyResult, run_weekly
from slotguard.sim.faults import FaultOptions
from slotguard.sim.server import SimServer


def weekly_once(tenant: Tenant, env: dict[str, str]) -> WeeklyResult:
    async def main() -> WeeklyResult:
        settings = settings_from(env)
        gateway = build_gateway(settings, sleep=no_sleep)
        service = bootstrap(settings, load_rules(tenant.rules_file), gateway=gateway,
                            clock=tenant.clock)
        try:
            return await run_weekly(service.scanner, week=tenant.week)
        finally:
            await service.aclose()
            await gateway.aclose()

    return asyncio.run(main())


@pytest.mark.slow
@pytest.mark.parametrize("faults", [None, FaultOptions(seed=5, throttle_rate=0.15,
                                                       unavailable_rate=0.05,
                                                       retry_after=0.01)])
def test_ledger_deleted_between_runs_then_no_new_graph_writes(
        small_tenant: Tenant, small_sim: SimServer, tmp_path: Path,
        faults: FaultOptions | None) -> None:
    path = tmp_path / "state" / "ledger.db"
    path.parent.mkdir(parents=True)
    env = small_tenant.env(small_sim, f"sqlite:///{path}")
    assert weekly_once(small_tenant, env).series_created > 0
    assert scan_once(small_tenant, env).totals()["compensations"] > 0
    before = outcome(small_sim.tenant, f"sqlite:///{path}", small_tenant.sellers)
    assert_exactly_once(before)
    writes = len(small_sim.writes())

    for file in path.parent.glob(f"{path.name}*"):
        file.unlink()
    if faults is not None:
        # Throttled runs may give up on a seller (retries exhausted): those are finished by
        # the quiet runs after — and nothing is written by either.
        small_sim.set_faults(faults)
        scan_once(small_tenant, env)
        weekly_once(small_tenant, env)
        small_sim.set_faults(FaultOptions(retry_after=0.01))
    report = scan_once(small_tenant, env)
    weekly = weekly_once(small_tenant, env)

    assert [(r.method, r.path) for r in small_sim.writes()[writes:]] == []
    assert report.totals()["skipped"] == 0
    assert weekly.series_created == 0 and weekly.habits_created == 0 and weekly.problems == 0
    after = outcome(small_sim.tenant, f"sqlite:///{path}", small_tenant.sellers)
    assert_exactly_once(after)
    assert after.event_keys == before.event_keys and after.task_keys == before.task_keys
    assert after.violations == before.violations
