"""A tenant of hundreds of sellers: one row per check with counts, the failing sellers
each named once, every read batched — not hundreds of lines of "ok"."""

from __future__ import annotations

import pytest
from tests.doctor.conftest import Doctor
from tests.faults.harness import rules_text

from slotguard.sim.generate import generate_scenario

SELLERS = 240


@pytest.fixture
def big(doctor: Doctor) -> tuple[Doctor, list[str]]:
    scenario = generate_scenario(SELLERS, seed=3)
    doctor.sim.load_scenario(scenario)
    doctor.sim.clear_requests()
    teams = scenario["meta"]["teams"]
    doctor.rules.write_text(rules_text(teams))
    return doctor, [s for team in teams for s in team["sellers"]]


def test_counts_per_check_and_only_the_failing_sellers_named(
        big: tuple[Doctor, list[str]]) -> None:
    doctor, sellers = big
    gone, denied = sellers[5:7], sellers[100]
    for upn in gone:
        doctor.sim.tenant.remove_mailbox(upn)
    doctor.sim.tenant.set_access_denied(denied)
    outcome = doctor.run()
    assert outcome.code == 1
    lines = outcome.out.splitlines()
    assert len(lines) < 40, outcome.out
    assert f"FAIL    Mailboxes (settings): {SELLERS - 3} of {SELLERS} seller(s) readable" \
        in lines
    for upn in (*gone, denied):
        assert f"                {upn}" in lines  # a line of its own, never cut
    # Sellers' reads went out in $batch round trips, not one request each.
    plain = [r for r in doctor.sim.requests() if r.batch_item is None
             and "/users/" in r.path]
    assert len(plain) < 20, [r.path for r in plain]
