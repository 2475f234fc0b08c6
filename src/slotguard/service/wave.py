"""One wave of a scan cycle: lease the wave's sellers, read their mailboxes and calendar
windows together, then decide and apply seller by seller, concurrently.

Reads are shared ($batch round trips, one ledger query for the wave's actions), leases are
taken and given back in one transaction each way, and the wave bounds how many calendars
are in memory at once. A seller whose inputs match a cycle whose decision was a no-op is
not decided again (fingerprint.py): no planning, no lookups, no ledger writes.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

import structlog

from slotguard.domain.model import CalendarEvent, IsoWeek, OwnMarker, Purpose, Seller
from slotguard.errors import AuthError, GraphError
from slotguard.ports import Mailbox
from slotguard.service import report as rpt
from slotguard.service.apply import EXISTING, RECOVERED, REFUSED, WRITTEN
from slotguard.service.calendars import Window, read_mailboxes, read_windows, window_key
from slotguard.service.details import with_details
from slotguard.service.fingerprint import rules_digest, seller_fingerprint, window_digest
from slotguard.service.leases import LeaseKeeper, lease_name
from slotguard.service.outcome import SellerRun
from slotguard.service.plan import Gathered, SellerPlan, Target, decide, window, window_weeks
from slotguard.store.records import ActionRecord

if TYPE_CHECKING:
    from slotguard.service.scan import Scanner

log = structlog.get_logger("slotguard.scan")


class Wave:
    def __init__(self, scanner: Scanner, week: IsoWeek, now: datetime, dry_run: bool,
                 run_id: int | None, stop: asyncio.Event | None) -> None:
        self.scanner, self.week, self.now = scanner, week, now
        self.dry_run, self.run_id, self.stop = dry_run, run_id, stop
        self.span = window(week, scanner.rules)
        self.digest = rules_digest(scanner.rules, scanner.tasks_enabled)
        self.keeper: LeaseKeeper | None = None

    async def run(self, targets: list[Target]) -> list[rpt.SellerReport]:
        s = self.scanner
        names = {t.upn: lease_name(t.upn) for t in targets}
        if self.dry_run:
            held = set(names.values())
        else:
            held = s.ledger.try_leases(names.values(), s.replica, s.lease_seconds)
        mine = [t for t in targets if names[t.upn] in held]
        reports: dict[str, rpt.SellerReport] = {}
        for t in targets:
            if names[t.upn] not in held:
                reports[t.upn] = rpt.SellerReport(upn=t.upn, team=t.team, status=rpt.LEASED)
                log.info("scan.seller_leased_elsewhere", seller=t.upn)
        if not self.dry_run and mine:
            self.keeper = LeaseKeeper(s.ledger, s.replica, s.lease_seconds,
                                      [t.upn for t in mine], pause=s.pause)
            self.keeper.start()
        try:
            if mine:
                reports.update(await self._decide_all(mine))
        finally:
            if self.keeper is not None:
                await self.keeper.stop()
                leases = sorted(self.keeper.held)
                if s.hold_seconds > 0:
                    s.ledger.try_leases(leases, s.replica, s.hold_seconds)
                else:
                    s.ledger.release_leases(leases, s.replica)
        return [reports[t.upn] for t in targets if t.upn in reports]

    async def _decide_all(self, targets: list[Target]) -> dict[str, rpt.SellerReport]:
        s = self.scanner
        upns = [t.upn for t in targets]
        actions: dict[str, list[ActionRecord]] = defaultdict(list)
        for record in s.ledger.actions(sellers=upns):
            actions[record.seller].append(record)
        # Violation days already in the escalation window, for the whole wave at once:
        # with this cycle's own, a bound that spares most sellers the per-seller query.
        history = s.ledger.violation_days(upns, s.escalation_since(self.now)) if (
            s.rules.escalation.enabled and not self.dry_run) else {}
        mailboxes = await read_mailboxes(s.gateway, upns, s.concurrency)
        readable = [u for u in upns if isinstance(mailboxes.get(u), Mailbox)]
        key = window_key(str(self.week), window_weeks(self.week, s.rules))
        windows = await read_windows(s.gateway, s.ledger, readable, *self.span, key, actions,
                                     save=not self.dry_run, limit=s.concurrency)
        limit = asyncio.Semaphore(max(1, s.concurrency))

        async def one(target: Target) -> rpt.SellerReport | None:
            async with limit:
                if self.stop is not None and self.stop.is_set():
                    return None  # stopping: sellers not yet started wait for next time
                # Popped: a seller's calendar goes as soon as the seller is done, not
                # when the whole wave is.
                return await self._seller(target, mailboxes[target.upn],
                                          windows.pop(target.upn, None),
                                          actions.get(target.upn.lower(), []),
                                          history.get(target.upn.lower(), set()))

        results = await asyncio.gather(*(one(t) for t in targets))
        return {r.upn: r for r in results if r is not None}

    async def _seller(self, target: Target, mailbox: Mailbox | Exception,
                      read: Window | Exception | None,
                      known: list[ActionRecord], history: set[date],
                      ) -> rpt.SellerReport:
        s, upn = self.scanner, target.upn
        seller_report = rpt.SellerReport(upn=upn, team=target.team)
        try:
            if isinstance(mailbox, Exception):
                raise mailbox
            if read is None or isinstance(read, Exception):
                raise read or GraphError(f"calendar of {upn} was not read")
            s.report_unreadable(seller_report, self.run_id, self.dry_run)
            # Only a seller remembered as settled is compared (none in a first cycle). The
            # digest stands for the events: an unchanged window's are never decoded.
            settled = None if self.dry_run else s.settled.get(upn.lower())
            if settled is not None and not seller_report.problems and settled[0] == (
                    self._fingerprint(target, mailbox, (), known,
                                      self._window_digest(upn, read))):
                log.debug("scan.seller_unchanged", seller=upn)
                return replace(rpt.unpack(settled[1]), unchanged=True)
            if not self.dry_run:
                s.settled.pop(upn.lower(), None)
            if self.keeper is not None and not self.keeper.still_mine(upn):
                return rpt.SellerReport(upn=upn, team=target.team, status=rpt.LEASE_LOST)
            seller = Seller(upn=upn, team=target.team, zone=mailbox.zone,
                            working_hours=mailbox.working_hours, blocks=target.blocks,
                            manager=target.manager, language=target.language)
            gathered = Gathered(seller, mailbox, read.events, self.span)
            plan = decide(gathered, self.week, s.rules, self.now, known)
            if (detailed := await with_details(
                    s.gateway, upn, plan, known, read.events)) is not None:
                # The same decision, with what the writes show of the meetings.
                gathered = Gathered(seller, mailbox, detailed, self.span)
                plan = decide(gathered, self.week, s.rules, self.now, known)
            applied = await SellerRun(s, seller_report, self.dry_run, self.run_id).apply(
                plan, {r.key: r for r in known}, read.own_ids)
            if not self.dry_run:
                days = history | {v.occurrence.day for v in plan.violations}
                await s.escalate(plan.seller.manager, upn, self.now, seller_report,
                                 at_most=len(days), language=plan.seller.language)
            if not self.dry_run:
                self._settle(target, mailbox, read, plan, seller_report,
                             list(applied.values()))
        except AuthError:
            raise  # no token means no seller can be read: the whole scan fails
        except (GraphError, ValueError) as error:
            if not self.dry_run:
                s.settled.pop(upn.lower(), None)
            s.skip(seller_report, error, self.run_id, self.dry_run)
        return seller_report

    def _fingerprint(self, target: Target, mailbox: Mailbox, events: Iterable[CalendarEvent],
                     actions: Iterable[ActionRecord], digest: bytes | None = None,
                     ) -> bytes | None:
        return seller_fingerprint(
            scan_digest=self.digest, target=target, mailbox=mailbox,
            window_digest=digest if digest is not None else window_digest(events),
            week=self.week, today=self.now.date(), actions=actions)

    def _window_digest(self, upn: str, read: Window) -> bytes:
        """The window's digest, reused while its stored snapshot stays the same bytes (an
        unchanged delta round): most sellers of a steady cycle."""
        cache = self.scanner.window_digests
        remembered = cache.get(upn.lower())
        # The snapshot's own hash is kept, not the snapshot (~15 KB a seller).
        seen = None if read.snapshot is None else hashlib.blake2b(
            read.snapshot, digest_size=16).digest()
        if seen is not None and remembered is not None and remembered[0] == seen:
            return remembered[1]
        digest = window_digest(read.events)
        if seen is not None:
            cache[upn.lower()] = (seen, digest)
        return digest

    def _settle(self, target: Target, mailbox: Mailbox, read: Window,
                plan: SellerPlan, report: rpt.SellerReport, known: list[ActionRecord]) -> None:
        """Remember the seller as settled when the inputs the next cycle will see — the
        calendar with this cycle's writes, the ledger after them — decide to a no-op. The
        decision is made here, on exactly those inputs; the next cycle only compares."""
        if report.status != rpt.OK or report.problems:
            return
        wrote = bool(plan.withdrawals) or any(
            line.status not in {EXISTING, REFUSED}
            for line in (*report.compensations, *report.tasks))
        events = read.events
        after_events = list(events) if not wrote else _calendar_after(events, plan, report)
        # The apply step kept the actions current as it wrote them; an escalation's mail
        # is recorded outside it, so then the ledger is read again.
        after = known if not report.escalated else self.scanner.ledger.actions(
            seller=target.upn)
        # Unchanged by this cycle, the window is the one read: its digest is kept by the
        # snapshot it came from, for the next cycle's comparison.
        fingerprint = self._fingerprint(
            target, mailbox, after_events, after,
            self._window_digest(target.upn, read) if not wrote else None)
        if fingerprint is None:
            return
        again = decide(Gathered(plan.seller, mailbox, tuple(after_events), self.span),
                       self.week, self.scanner.rules, self.now, after)
        done = {r.key for r in after if r.state in {"done", "withdrawn"}}
        tasks_done = not self.scanner.tasks_enabled or all(t.key in done for t in again.tasks)
        if again.placements or again.withdrawals or again.shortfalls or not tasks_done:
            return
        self.scanner.settled[target.upn.lower()] = (fingerprint, rpt.pack(_as_settled(report)))


def _calendar_after(events: Sequence[CalendarEvent], plan: SellerPlan,
                    report: rpt.SellerReport) -> list[CalendarEvent]:
    """The window as Graph will show it after this cycle: withdrawn compensations gone,
    written ones in place (by id, marker and time, which is all the digest looks at)."""
    gone = {line.graph_id for line in report.withdrawals if line.status == WRITTEN}
    out = [e for e in events if e.id not in gone]
    ids = {e.id for e in out}
    placed = {p.key: p for p in plan.placements}
    for line in report.compensations:
        p = placed.get(line.key)
        if p is None or not line.graph_id or line.graph_id in ids:
            continue
        if line.status in {WRITTEN, RECOVERED}:
            out.append(CalendarEvent(id=line.graph_id, start=p.start, end=p.end,
                                     marker=OwnMarker(Purpose.COMPENSATION, line.key)))
    return out


def _as_settled(report: rpt.SellerReport) -> rpt.SellerReport:
    """The report a later, skipped cycle shows: everything in place, nothing new done."""
    def existing(lines: list[rpt.ActionLine]) -> list[rpt.ActionLine]:
        return [replace(line, status=EXISTING) if line.status in {WRITTEN, RECOVERED}
                else line for line in lines]

    return replace(report, compensations=existing(report.compensations),
                   tasks=existing(report.tasks), withdrawals=[], escalated=False)
