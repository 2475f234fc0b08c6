"""The benchmark tenant generator is deterministic and produces realistic weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from slotguard.sim.generate import generate_scenario
from slotguard.sim.routes_calendar import instances_in
from slotguard.sim.scenario import ScenarioError, load_scenario, read_scenario


def test_same_seed_same_tenant_other_seed_other_weeks() -> None:
    assert generate_scenario(20, seed=3) == generate_scenario(20, seed=3)
    assert generate_scenario(20, seed=3)["events"] != generate_scenario(20, seed=4)["events"]


def test_generated_sellers_have_realistic_weeks() -> None:
    scenario = generate_scenario(24, seed=1)
    tenant = load_scenario(scenario, anchor=date(2026, 11, 23))
    teams = scenario["meta"]["teams"]
    assert len(teams) == 3 and sum(len(t["sellers"]) for t in teams) == 24
    assert len({t["timeZone"] for t in teams}) == 3
    window = (datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC))
    for team in teams:
        for upn in team["sellers"]:
            user = tenant.user(upn)
            found = instances_in(tenant.mailboxes[user.id], *window)
            assert 30 <= len(found) <= 50, (upn, len(found))
            kinds = {inst.type for _, inst in found}
            assert {"occurrence", "singleInstance", "exception"} <= kinds
            assert any(inst.fields.get("isCancelled") for _, inst in found)
            assert any(
                inst.fields.get("responseStatus", {}).get("response") == "declined"
                for _, inst in found
            )
    members = tenant.transitive_members(teams[0]["groupId"])
    assert [m.upn for m in members] == teams[0]["sellers"]  # type: ignore[union-attr]


def test_generate_is_reachable_as_a_scenario_name() -> None:
    assert len(read_scenario("generate:10:2")["groups"]) == 2
    with pytest.raises(ScenarioError, match="generate:SELLERS"):
        read_scenario("generate:many")
