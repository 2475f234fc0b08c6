"""Who is scanned: a team's Entra group that does not exist is that team's problem, named
by its place in the rules file."""

from __future__ import annotations

import asyncio

from tests.config.test_rules import MINIMAL

from slotguard.config.rules import load_rules_text
from slotguard.memory import InMemoryCalendarGateway
from slotguard.service.sellers import roster_from

RULES = MINIMAL + """
[[teams]]
name = "East"
group_id = "3f2a5c1e-7b8d-4e21-9a0f-5d6c7b8a9e01"
  [[teams.blocks]]
  days = ["wed"]
  start = "08:00"
  end = "10:00"
"""


def test_an_unknown_group_id_is_an_error_of_its_team() -> None:
    roster = roster_from(load_rules_text(RULES), InMemoryCalendarGateway())
    targets, problems = asyncio.run(roster())
    assert [t.upn for t in targets] == ["anna.berg@contoso.com"]
    assert problems == [
        "teams[1].group_id (team East): no group 3f2a5c1e-7b8d-4e21-9a0f-5d6c7b8a9e01 in the "
        "directory (Request_ResourceNotFound); copy the Object ID of the Entra group"]
