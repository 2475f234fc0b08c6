"""One scan cycle over every seller: the roster → per wave: gather → decide (domain) →
apply → record (wave.py, seller.py) → the cycle's report.

Sellers run concurrently (bounded) in waves; one seller's failure is recorded and
reported, and everyone else is still processed. A database lease per seller lets several
replicas share the work without two of them on one seller at once. A dry run is the same
cycle over adapters that record instead of writing (``slotguard.dryrun``, chosen by the
bootstrap): it reads everything, decides everything and writes nothing, to Graph or to
the ledger.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

import structlog

from slotguard.domain.model import IsoWeek, ListedSeller, Rules
from slotguard.ports import CalendarGateway, Clock, Ledger
from slotguard.service import record
from slotguard.service import report as rpt
from slotguard.service.context import Cycle
from slotguard.service.leases import Pause
from slotguard.service.settled import Settled, rules_digest
from slotguard.service.wave import Leasing, run_wave
from slotguard.texts import Texts

log = structlog.get_logger("slotguard.scan")

Roster = Callable[[], Awaitable[tuple[list[ListedSeller], list[str]]]]


@dataclass
class Scanner:
    """Everything a cycle needs; the bootstrap builds it from settings."""

    gateway: CalendarGateway
    ledger: Ledger
    rules: Rules
    roster: Roster  # sellers from the rules file and Entra groups, plus problems found
    clock: Clock
    replica: str = "local"
    concurrency: int = 8
    lease_seconds: float = 120.0
    personal_data: bool = False
    tasks_enabled: bool = True  # follow-up and habit tasks (off where To Do is unavailable)
    # After a seller is done, keep its lease this long (the daemon: most of an interval) so
    # other replicas leave it for this cycle; 0 releases it at once (one-shot scans).
    hold_seconds: float = 0.0
    # How the lease heartbeat waits between renewals (tests step it instead of sleeping).
    pause: Pause = asyncio.sleep
    # Sellers read, leased and decided together: a wave's reads share $batch round trips,
    # its leases one transaction each way. Two waves in flight let one wave's reads (mostly
    # waiting on Graph) overlap the other's decisions and writes (mostly CPU here); the
    # waves in flight bound the events held in memory.
    wave_size: int = 250
    waves_in_flight: int = 2
    # Each language the teams speak → its texts, with the admin's own words (rules file).
    texts: Mapping[str, Texts] = field(default_factory=dict)
    settled: Settled = field(default_factory=Settled)

    def __post_init__(self) -> None:
        if self.ledger.dry_run:
            self.settled = Settled(enabled=False)  # a dry run decides everyone every time

    def texts_of(self, language: str) -> Texts:
        return self.texts.get(language) or Texts(language)

    def week_of_now(self) -> IsoWeek:
        return IsoWeek.of(self.clock.now().date())

    async def scan(self, *, week: IsoWeek | None = None, stop: asyncio.Event | None = None,
                   list_all: bool = True) -> rpt.ScanReport:
        """One cycle. ``list_all=False`` (the daemon) lists only the sellers that need a
        look and counts the others (``ScanReport.fold``)."""
        now = self.clock.now()
        week = week or IsoWeek.of(now.date())
        dry_run = self.ledger.dry_run
        report = rpt.ScanReport(str(week), str(week.shift(self.rules.policy.target_week_offset)),
                                dry_run, now)
        run_id = record.run_started(self.ledger, self.replica, str(week),
                                    prune=week == IsoWeek.of(now.date()))
        log.info("scan.started", week=str(week), dry_run=dry_run, replica=self.replica)
        cycle = Cycle(self.gateway, self.ledger, self.rules, self.texts, week, now,
                      self.settled, rules_digest(self.rules, self.tasks_enabled), run_id,
                      self.tasks_enabled, self.personal_data, self.concurrency, stop)
        error: str | None = None
        try:
            await self._sellers(cycle, report, list_all)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            report.finished_at = self.clock.now()
            record.run_finished(self.ledger, run_id, report.totals(), error)
        log.info("scan.finished", week=str(week), dry_run=dry_run, **report.totals(),
                 seconds=round((report.finished_at - now).total_seconds(), 3))
        return report

    async def _sellers(self, cycle: Cycle, report: rpt.ScanReport, list_all: bool) -> None:
        listed, problems = await self.roster()
        report.problems.extend(problems)
        for problem in problems:
            log.warning("scan.roster_problem", problem=problem)
        sellers = _unique(listed)
        size = max(1, self.wave_size)
        overlap = asyncio.Semaphore(max(1, self.waves_in_flight))
        leasing = Leasing(self.replica, self.lease_seconds, self.hold_seconds, self.pause)

        async def wave(part: list[ListedSeller]) -> list[rpt.SellerReport]:
            async with overlap:
                if cycle.stopping:
                    return []  # stopping: sellers not yet started wait for next time
                done = await run_wave(cycle, leasing, part)
            # Folded as each wave ends, so a wave's reports go with the wave.
            return report.fold(done, list_all=list_all)

        # The next wave reads (mostly waiting on Graph) while this one decides and writes
        # (mostly CPU here): two in flight keep both busy.
        for listed_part in await asyncio.gather(*(wave(sellers[i:i + size])
                                                   for i in range(0, len(sellers), size))):
            report.sellers.extend(listed_part)


def _unique(listed: Sequence[ListedSeller]) -> list[ListedSeller]:
    """A seller listed twice (in a team and in a group) is scanned once, first listing wins."""
    seen: set[str] = set()
    result = []
    for seller in listed:
        if seller.upn.lower() not in seen:
            seen.add(seller.upn.lower())
            result.append(seller)
    return result
