"""Throttling and unavailability: 10% of Graph answers are 429 with Retry-After and 5% are
503, at random (seeded), over a 200-seller scan. The outcome must equal the fault-free
run: the same violations, compensations (same times), tasks and ledger states, nothing
twice. The retry waits are injected, so Retry-After is honoured in order, not in time."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.faults.harness import (
    Tenant,
    assert_exactly_once,
    assert_no_duplicates,
    outcome,
    scan_once,
)

from slotguard.sim.faults import FaultOptions
from slotguard.sim.server import SimServer

SELLERS = 200


@pytest.mark.slow
def test_random_429_and_503_give_the_fault_free_outcome(tmp_path: Path) -> None:
    tenant = Tenant.generate(SELLERS, seed=5, folder=tmp_path / "tenant")
    with SimServer(scenario=tenant.scenario, anchor=datetime.now(UTC).date(),
                   state_dir=tmp_path / "sim") as sim:
        clean_db = f"sqlite:///{tmp_path / 'clean.db'}"
        clean = scan_once(tenant, tenant.env(sim, clean_db))
        assert clean.totals()["skipped"] == 0
        expected = outcome(sim.tenant, clean_db, tenant.sellers)
        assert expected.violations and expected.compensations
        assert_exactly_once(expected)

        sim.load_scenario(tenant.scenario)  # the same calendars again, nothing written
        sim.clear_requests()
        sim.set_faults(FaultOptions(seed=3, throttle_rate=0.10, unavailable_rate=0.05,
                                    retry_after=2.0))
        faulty_db = f"sqlite:///{tmp_path / 'faulty.db'}"
        # 15% per attempt: ten attempts leave a request failing all of them at ~6e-9.
        report = scan_once(tenant, tenant.env(sim, faulty_db,
                                              SLOTGUARD_RETRY_MAX_ATTEMPTS="10"))
        statuses = [r.status for r in sim.requests()]
        assert statuses.count(429) > 0.05 * len(statuses), "the faults were not injected"
        assert statuses.count(503) > 0.02 * len(statuses)

        # Every throttled or failed request is retried (a POST after looking it up first),
        # so one scan under faults reaches the fault-free outcome, nothing twice.
        got = outcome(sim.tenant, faulty_db, tenant.sellers)
        assert_no_duplicates(got)
        assert_exactly_once(got)
        skipped = [(s.upn, s.problems) for s in report.sellers if s.status == "skipped"]
        assert skipped == []
        assert got.comparable() == expected.comparable()
        assert report.totals() == clean.totals()
