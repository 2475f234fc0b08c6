"""Who is a seller when the app may read less of the directory: through msal + msgraph-sdk
against the simulator, whose tokens carry the app's roles and whose directory answers
accordingly. A disabled member is left out; a member whose state or name Graph does not
give is never dropped or kept silently."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.graph.test_against_simulator import with_gateway

from slotguard.config.rules import load_rules
from slotguard.domain.model import ListedSeller
from slotguard.graph import reads
from slotguard.graph.gateway import GraphGateway
from slotguard.ports import GroupMembers
from slotguard.service.sellers import roster_from
from slotguard.sim.scenario import SLOTGUARD_ROLES
from slotguard.sim.server import SimServer

EAST_COAST = {f"{n}@contoso.com" for n in ("emma.clark", "liam.turner", "olivia.hayes",
                                            "noah.price")}
NORDICS = {f"{n}@contoso.com" for n in ("anna.berg", "erik.holm", "sara.nyberg", "johan.ek")}


def grant(sim: SimServer, *roles: str) -> None:
    next(iter(sim.tenant.apps.values())).roles = roles


def roster(sim: SimServer) -> tuple[list[ListedSeller], list[str]]:
    rules_file = load_rules(None, example_fallback=True)

    async def work(gateway: GraphGateway) -> Any:
        return await roster_from(rules_file, gateway)()

    return with_gateway(sim, work)  # type: ignore[no-any-return]


def test_with_user_read_all_disabled_members_are_left_out(fresh: SimServer) -> None:
    fresh.tenant.user("liam.turner@contoso.com").account_enabled = False
    targets, problems = roster(fresh)
    assert {t.upn for t in targets} == NORDICS | EAST_COAST - {"liam.turner@contoso.com"}
    assert problems == []


def test_with_the_basic_profile_only_members_are_kept_and_the_gap_reported(
        fresh: SimServer) -> None:
    grant(fresh, *(set(SLOTGUARD_ROLES) - {"User.Read.All"}), "User.ReadBasic.All")
    fresh.tenant.user("liam.turner@contoso.com").account_enabled = False
    targets, problems = roster(fresh)
    # Graph does not say who is disabled: everyone in the group is scanned, and said so.
    assert {t.upn for t in targets} == NORDICS | EAST_COAST
    assert len(problems) == 1 and "4 member(s) of unknown account state" in problems[0]
    assert "User.Read.All" in problems[0]


def test_without_a_user_permission_members_cannot_be_named_and_are_reported(
        fresh: SimServer) -> None:
    grant(fresh, *(set(SLOTGUARD_ROLES) - {"User.Read.All"}))
    targets, problems = roster(fresh)
    assert {t.upn for t in targets} == NORDICS  # the listed sellers are still scanned
    assert len(problems) == 1 and "4 member(s) came without a user principal name" in \
        problems[0]


def test_without_the_group_permission_the_team_is_a_problem_not_a_failed_scan(
        fresh: SimServer) -> None:
    grant(fresh, *(set(SLOTGUARD_ROLES) - {"GroupMember.Read.All"}))
    targets, problems = roster(fresh)
    assert {t.upn for t in targets} == NORDICS
    assert len(problems) == 1 and "Authorization_RequestDenied" in problems[0]
    assert "GroupMember.Read.All" in problems[0]


@pytest.mark.parametrize("user", [
    {"id": "1", "userPrincipalName": "A@contoso.com", "accountEnabled": None},
    {"id": "1", "userPrincipalName": "A@contoso.com"},
], ids=["null", "absent"])
def test_an_account_state_graph_leaves_out_reads_as_unknown(user: dict[str, Any]) -> None:
    """Graph does not document how a property outside the granted profile is left out:
    null and absent mean the same here."""
    users, _ = reads.decode_users(json.dumps({"value": [user]}).encode())
    assert reads.group_members(users) == GroupMembers(("a@contoso.com",), unknown_state=1)
