"""What a cycle's per-seller work is given: everything fixed for one cycle, so the work on
a seller never calls back into the scanner that started it."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from slotguard.domain.model import IsoWeek, Rules
from slotguard.ports import CalendarGateway, Ledger
from slotguard.service.apply import PLANNED, WRITTEN
from slotguard.service.record import Recorder
from slotguard.service.settled import Settled
from slotguard.texts import Texts


@dataclass(frozen=True)
class Cycle:
    gateway: CalendarGateway
    ledger: Ledger
    rules: Rules
    texts: Mapping[str, Texts]  # each language the teams speak → its texts
    week: IsoWeek  # the judged week
    now: datetime
    settled: Settled
    scan_digest: bytes  # the scan-wide inputs of every decision (settled.rules_digest)
    run_id: int | None = None
    tasks_enabled: bool = True
    personal: bool = False  # LOG_PERSONAL_DATA
    concurrency: int = 8  # sellers worked on at once
    stop: asyncio.Event | None = None

    @property
    def wrote(self) -> str:
        """What a write this cycle makes is called: a dry run's ledger keeps nothing, and
        its adapters only record what would have been written."""
        return PLANNED if self.ledger.dry_run else WRITTEN

    @property
    def stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def texts_of(self, language: str) -> Texts:
        """What a team speaking ``language`` reads; the catalog alone for one the rules
        file did not name (a scanner built without a rules file)."""
        return self.texts.get(language) or Texts(language)

    def escalation_since(self) -> date:
        """The first day the escalation window counts (whole ISO weeks)."""
        return IsoWeek.of(self.now.date()).shift(-(self.rules.escalation.weeks - 1)).monday()

    def recorder(self, upn: str) -> Recorder:
        return Recorder(self.ledger, upn, self.run_id, self.personal)
