"""One scan cycle over every seller: gather → decide (policy core) → apply (ledger first).

Sellers run concurrently (bounded); one seller's failure — no mailbox, outside the access
policy, data Graph should not have sent, throttling that outlasted the retries — is
recorded and reported, and everyone else is still processed. A database lease per seller
lets several replicas share the work without two of them on one seller at once. A dry run
reads everything, decides everything and writes nothing, to Graph or to the ledger.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import structlog

from slotguard.domain.escalation import escalation_decision
from slotguard.domain.model import IsoWeek, Rules
from slotguard.errors import GraphError, MailboxUnavailable
from slotguard.ports import CalendarGateway, Clock
from slotguard.runtime import return_free_memory
from slotguard.service import compose
from slotguard.service import report as rpt
from slotguard.service.leases import Pause
from slotguard.service.plan import Target
from slotguard.service.wave import Wave
from slotguard.store.ledger import Ledger
from slotguard.texts import DEFAULT_LANGUAGE, Texts

log = structlog.get_logger("slotguard.scan")

Roster = Callable[[], Awaitable[tuple[list[Target], list[str]]]]


@dataclass
class Scanner:
    """Everything one cycle needs; ``bootstrap()`` builds it from settings."""

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
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list, init=False)
    # Per seller: the fingerprint of a cycle whose decision was a no-op, and its report
    # (packed: report.pack).
    settled: dict[str, tuple[bytes, bytes]] = field(default_factory=dict, init=False)
    # Per seller: a hash of the stored snapshot of the last window read and that window's
    # digest, so an unchanged window (the same snapshot bytes) is not digested again.
    window_digests: dict[str, tuple[bytes, bytes]] = field(default_factory=dict, init=False)

    def texts_of(self, language: str) -> Texts:
        """What a team speaking ``language`` reads; the catalog alone for one the rules
        file did not name (a Scanner built without a rules file)."""
        return self.texts.get(language) or Texts(language)

    def week_of_now(self) -> IsoWeek:
        return IsoWeek.of(self.clock.now().date())

    async def scan(self, *, week: IsoWeek | None = None, dry_run: bool = False,
                   stop: asyncio.Event | None = None,
                   list_all: bool = True) -> rpt.ScanReport:
        """One cycle. ``list_all=False`` (the daemon) lists only the sellers that need a
        look and counts the others (``ScanReport.fold``)."""
        now = self.clock.now()
        week = week or IsoWeek.of(now.date())
        target_week = week.shift(self.rules.policy.target_week_offset)
        report = rpt.ScanReport(str(week), str(target_week), dry_run, now)
        run_id = None if dry_run else self.ledger.start_run(self.replica, str(week), dry_run)
        if not dry_run and week == IsoWeek.of(now.date()):
            # Windows of past weeks are never read again: their links and snapshots go.
            self.ledger.prune_delta_links(str(week))
        log.info("scan.started", week=str(week), dry_run=dry_run, replica=self.replica)
        error: str | None = None
        try:
            targets, problems = await self.roster()
            report.problems.extend(problems)
            for problem in problems:
                log.warning("scan.roster_problem", problem=problem)
            sellers = _unique(targets)
            size = max(1, self.wave_size)
            overlap = asyncio.Semaphore(max(1, self.waves_in_flight))

            async def wave(part: list[Target]) -> list[rpt.SellerReport]:
                async with overlap:
                    if stop is not None and stop.is_set():
                        return []  # stopping: sellers not yet started wait for next time
                    done = await Wave(self, week, now, dry_run, run_id, stop).run(part)
                # Folded as each wave ends, so a wave's reports go with the wave.
                return report.fold(done, list_all=list_all)

            # The next wave reads (mostly waiting on Graph) while this one decides and
            # writes (mostly CPU here): two in flight keep both busy.
            for listed in await asyncio.gather(*(wave(sellers[i:i + size])
                                                  for i in range(0, len(sellers), size))):
                report.sellers.extend(listed)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            report.finished_at = self.clock.now()
            if run_id is not None:
                self.ledger.finish_run(run_id, report.totals(), error)
            return_free_memory()
        log.info("scan.finished", week=str(week), dry_run=dry_run, **report.totals(),
                 seconds=round((report.finished_at - now).total_seconds(), 3))
        return report

    def skip(self, seller_report: rpt.SellerReport, error: Exception, run_id: int | None,
             dry_run: bool) -> None:
        code = _problem_code(error)
        seller_report.status = rpt.SKIPPED
        seller_report.problems.append(f"{code}: {error}")
        log.warning("scan.seller_skipped", seller=seller_report.upn, reason=code,
                    error=type(error).__name__)
        if not dry_run:
            self.ledger.record_seller_problem(run_id, seller_report.upn, code, str(error))

    def report_unreadable(self, seller_report: rpt.SellerReport, run_id: int | None,
                          dry_run: bool) -> None:
        """Events Graph sent that could not be read are handled (left out) and reported:
        one of them may be a customer meeting over a block."""
        for line in self.gateway.take_unreadable(seller_report.upn):
            seller_report.problems.append(f"bad_data: {line}")
            log.warning("scan.event_unreadable", seller=seller_report.upn, detail=line)
            if not dry_run:
                self.ledger.record_seller_problem(run_id, seller_report.upn, "bad_data", line)

    def escalation_since(self, now: datetime) -> date:
        """The first day the escalation window counts (whole ISO weeks)."""
        return IsoWeek.of(now.date()).shift(-(self.rules.escalation.weeks - 1)).monday()

    async def escalate(self, manager: str | None, upn: str, now: datetime,
                        seller_report: rpt.SellerReport, *, at_most: int | None = None,
                        language: str = DEFAULT_LANGUAGE) -> None:
        """Mail the manager when the seller reached the threshold. ``at_most``: an upper
        bound on the violations the window can hold (the wave's read of the ledger plus
        this cycle's); below the threshold, the seller's history is not read again."""
        rules = self.rules.escalation
        if not rules.enabled or manager is None or not seller_report.violations:
            return
        if at_most is not None and at_most < rules.violations:
            return
        today = now.date()
        since = self.escalation_since(now)
        decision = escalation_decision(self.ledger.violation_dates(upn, since), today, rules)
        if not decision.escalate:
            return
        period = str(IsoWeek.of(today))
        # Write-ahead like every other write: the mail is intended, sent, then completed, so a
        # failed send is retried next cycle and a sent one is never repeated by a later scan.
        # Unlike events and tasks, a sent mail is not looked up in Graph (that would take
        # read access to the sender's whole mailbox, and Sent Items may be emptied): here
        # the ledger's claim is the guard, and a lost ledger can repeat this period's one
        # mail at most.
        key = f"{upn.lower()}|escalation|{period}"
        if self.ledger.intend(key, upn, "mail", payload={"manager": manager}).state == "done":
            return  # this period's mail already went out
        subject, body = compose.escalation_mail(upn, decision, rules,
                                                self.rules.policy.compensation_count,
                                                self.texts_of(language))
        try:
            await self.gateway.send_mail(rules.sender or manager, [manager], subject,
                                         body)
        except GraphError as error:
            # The seller's own writes are done; a mail that did not go out is retried next
            # cycle and reported now, without marking the seller as skipped.
            self.ledger.fail(key, f"{type(error).__name__}: {error}")
            seller_report.problems.append(f"escalation mail not sent: {_problem_code(error)}")
            log.warning("scan.escalation_failed", seller=upn, error=type(error).__name__)
            return
        self.ledger.complete(key, f"mail:{period}")
        self.ledger.record_escalation(upn, period, decision.count)
        seller_report.escalated = True
        log.info("scan.escalated", seller=upn, manager=manager, count=decision.count)


def _problem_code(error: Exception) -> str:
    if isinstance(error, MailboxUnavailable):
        return error.reason
    if isinstance(error, GraphError):
        name = type(error).__name__
        return name if error.code is None else f"{name}:{error.code}"
    return "bad_data"


def _unique(targets: Sequence[Target]) -> list[Target]:
    """A seller listed twice (in a team and in a group) is scanned once, first listing wins."""
    seen: set[str] = set()
    result = []
    for target in targets:
        if target.upn.lower() not in seen:
            seen.add(target.upn.lower())
            result.append(target)
    return result
