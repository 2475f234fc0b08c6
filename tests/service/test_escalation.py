"""Escalation to the manager: one mail per seller and week once the threshold is reached,
never repeated by later scans, and retried when sending failed."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace

from tests.service.conftest import ANNA, ERIK, HOURS, WEEK, ZONE, World, at, customer_meeting

from slotguard import exit_codes
from slotguard.domain.model import Weekday
from slotguard.errors import TransientGraphError
from slotguard.memory import InMemoryCalendarGateway
from slotguard.ports import Mailbox


class FlakyMail(InMemoryCalendarGateway):
    """Sending fails the first ``failures`` times, as a throttled sendMail would."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def send_mail(self, sender: str, to: Sequence[str], subject: str, body: str) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise TransientGraphError("throttled", status=429, retry_after=1.0)
        await super().send_mail(sender, to, subject, body)


def _three_violations(world: World) -> None:
    world.gateway.add_mailbox(Mailbox("maria.lind@contoso.com", ZONE, HOURS))
    # One taken block last week, already in the ledger, plus two this week: 3 within 4 weeks.
    last_week = WEEK.shift(-1)
    start = at(Weekday.TUESDAY, 8, week=last_week)
    world.ledger.upsert_violation(f"{ANNA}|prospecting|{last_week.day(Weekday.TUESDAY)}",
                                  ANNA, "Nordics", "prospecting",
                                  last_week.day(Weekday.TUESDAY), start,
                                  at(Weekday.TUESDAY, 10, week=last_week), "customer", [])
    for event_id, day in (("m1", Weekday.TUESDAY), ("m2", Weekday.THURSDAY)):
        world.gateway.put_event(ANNA, customer_meeting(event_id, at(day, 8, 30), at(day, 9, 30)))


def _scan(world: World) -> None:
    asyncio.run(world.scanner().scan(week=WEEK))


def test_threshold_reached_mails_the_manager_once(world: World) -> None:
    _three_violations(world)
    _scan(world)
    _scan(world)
    assert [(m.to, m.subject) for m in world.gateway.sent] == [
        (("maria.lind@contoso.com",), f"slotguard: {ANNA} lost 3 prospecting blocks")
    ]
    assert world.ledger.escalations(seller=ANNA)


def test_history_is_read_per_seller_only_where_the_threshold_is_within_reach(
        world: World) -> None:
    """The wave reads every seller's violation days at once; a seller who cannot reach
    the threshold even with this cycle's violations is not asked about again."""
    _three_violations(world)  # Anna: 1 earlier + 2 now = 3, the threshold
    world.gateway.put_event(ERIK, customer_meeting("e1", at(Weekday.TUESDAY, 8, 30),
                                                   at(Weekday.TUESDAY, 9, 30)))
    asked: list[str] = []
    dates = world.ledger.violation_dates
    world.ledger.violation_dates = lambda seller, since, **kw: (  # type: ignore[method-assign]
        asked.append(seller) or dates(seller, since, **kw))
    _scan(world)
    assert asked == [ANNA]  # Erik: 1 violation, threshold 3
    assert [m.subject for m in world.gateway.sent] == [
        f"slotguard: {ANNA} lost 3 prospecting blocks"]


def test_below_threshold_sends_nothing(world: World) -> None:
    world.gateway.put_event(ANNA, customer_meeting("m1", at(Weekday.TUESDAY, 8, 30),
                                                   at(Weekday.TUESDAY, 9, 30)))
    _scan(world)
    assert world.gateway.sent == []


def test_failed_send_is_retried_by_the_next_scan(world: World) -> None:
    flaky = FlakyMail(failures=1)
    for upn in (ANNA, ERIK, "maria.lind@contoso.com"):
        flaky.add_mailbox(Mailbox(upn, ZONE, HOURS))
    world.gateway = flaky
    _three_violations(world)
    report = asyncio.run(world.scanner().scan(week=WEEK))
    anna = next(s for s in report.sellers if s.upn == ANNA)
    assert flaky.sent == [] and not world.ledger.escalations(seller=ANNA)
    assert anna.problems == ["escalation mail not sent: TransientGraphError"]
    assert report.exit_status() == exit_codes.INCOMPLETE  # a mail not sent is work undone
    assert len(flaky.own(ANNA)) == 4  # the seller's compensations went in regardless
    _scan(world)
    _scan(world)
    assert len(flaky.sent) == 1
    assert world.ledger.escalations(seller=ANNA)


def test_configured_sender_sends_the_notice(world: World) -> None:
    sender = "slotguard@contoso.com"
    world.gateway.add_mailbox(Mailbox(sender, ZONE, HOURS))
    world.rules = replace(world.rules, escalation=replace(world.rules.escalation, sender=sender))
    _three_violations(world)
    _scan(world)
    assert [(m.sender, m.to) for m in world.gateway.sent] == [
        (sender, ("maria.lind@contoso.com",))
    ]
