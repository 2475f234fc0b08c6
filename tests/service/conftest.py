"""A small tenant in memory: two Stockholm sellers with Tue+Thu 08:00–10:00 blocks, a fixed
clock on Monday morning of 2026-W48, a SQLite ledger in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from slotguard.domain.model import (
    Attendee,
    BlockRule,
    CalendarEvent,
    IsoWeek,
    ListedSeller,
    Organization,
    Rules,
    Weekday,
    WorkingHours,
)
from slotguard.dryrun import dry_run as dry_run_adapters
from slotguard.memory import InMemoryCalendarGateway
from slotguard.ports import Mailbox
from slotguard.service.clock import FixedClock
from slotguard.service.scan import Scanner
from slotguard.store.ledger import Ledger
from slotguard.texts import Texts

ZONE = "Europe/Stockholm"
WEEK = IsoWeek(2026, 48)
ANNA = "anna.berg@contoso.com"
ERIK = "erik.holm@contoso.com"
BLOCK = BlockRule("prospecting", frozenset({Weekday.TUESDAY, Weekday.THURSDAY}),
                  time(8), time(10))
HOURS = WorkingHours(frozenset(Weekday(d) for d in range(1, 6)), time(8), time(17), ZONE)


def at(weekday: Weekday, hour: int, minute: int = 0, week: IsoWeek = WEEK) -> datetime:
    """A Stockholm wall-clock time in ``week`` as UTC."""
    local = datetime.combine(week.day(weekday), time(hour, minute), ZoneInfo(ZONE))
    return local.astimezone(UTC)


def customer_meeting(event_id: str, start: datetime, end: datetime,
                     subject: str = "Fabrikam renewal", **kw: object) -> CalendarEvent:
    return CalendarEvent(id=event_id, start=start, end=end, subject=subject,
                         organizer=ANNA,
                         attendees=(Attendee("buyer@fabrikam.com"), Attendee(ANNA)), **kw)


@dataclass
class World:
    gateway: InMemoryCalendarGateway
    ledger: Ledger
    clock: FixedClock
    rules: Rules
    targets: list[ListedSeller]
    texts: dict[str, Texts] = field(default_factory=dict)  # the rules file's own words

    def scanner(self, *, dry_run: bool = False, **kw: object) -> Scanner:
        """A scanner over the world; ``dry_run``: over the dry run's adapters, as the
        bootstrap wires them."""
        async def roster() -> tuple[list[ListedSeller], list[str]]:
            return list(self.targets), []

        kw.setdefault("texts", self.texts)
        gateway, ledger = (dry_run_adapters(self.gateway, self.ledger) if dry_run
                           else (self.gateway, self.ledger))
        return Scanner(gateway=gateway, ledger=ledger, rules=self.rules,
                       roster=roster, clock=self.clock, replica="test", **kw)  # type: ignore[arg-type]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    gateway = InMemoryCalendarGateway()
    for upn in (ANNA, ERIK):
        gateway.add_mailbox(Mailbox(upn, ZONE, HOURS))
    clock = FixedClock(at(Weekday.MONDAY, 7))
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}", clock.now, migrate=True)
    rules = Rules(Organization(frozenset({"contoso.com"})))
    targets = [ListedSeller(ANNA, "Nordics", (BLOCK,), "maria.lind@contoso.com"),
               ListedSeller(ERIK, "Nordics", (BLOCK,), "maria.lind@contoso.com")]
    yield World(gateway, ledger, clock, rules, targets)
    ledger.close()
