"""The manager's notice is in the seller's team's language, with the policy's numbers."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from tests.service.conftest import ANNA, HOURS, WEEK, ZONE, World, at, customer_meeting

from slotguard.domain.model import EscalationRules, Weekday
from slotguard.ports import Mailbox
from slotguard.texts import Texts


def test_a_swedish_teams_manager_reads_swedish(world: World) -> None:
    world.gateway.add_mailbox(Mailbox("maria.lind@contoso.com", ZONE, HOURS))
    world.rules = replace(world.rules, escalation=EscalationRules(violations=2, weeks=3),
                          policy=replace(world.rules.policy, compensation_count=3,
                                         max_compensations_per_week=9))
    world.targets = [replace(t, language="sv") for t in world.targets]
    for event_id, day in (("m1", Weekday.TUESDAY), ("m2", Weekday.THURSDAY)):
        world.gateway.put_event(ANNA, customer_meeting(event_id, at(day, 8, 30),
                                                       at(day, 9, 30)))
    asyncio.run(world.scanner(texts={"sv": Texts("sv")}).scan(week=WEEK))
    (mail,) = world.gateway.sent
    assert mail.subject == f"slotguard: {ANNA} har förlorat 2 prospekteringsblock"
    assert "Teamets gräns: 2 inom 3 veckor." in mail.body
    assert "tas igen med 3 block veckan efter" in mail.body
