"""Carrying out one seller's plan: ledger records, Graph writes, the report lines and one log
event per decision (``scan.violation_found``, ``scan.compensation_placed``, ...).

Order matters for exactly-once: violations are recorded before anything is written for
them, each write goes through ``Applier`` (intent → write → complete), and writes a crash
left unrecorded are reconciled from the calendar's markers first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import structlog

from slotguard.domain.model import Violation, ViolationKind
from slotguard.errors import AuthError, GraphError, MailboxUnavailable
from slotguard.service import compose
from slotguard.service import report as rpt
from slotguard.service.apply import EXISTING, REFUSED, Applier, Write
from slotguard.service.plan import SellerPlan
from slotguard.store.records import ActionRecord

if TYPE_CHECKING:
    from slotguard.service.scan import Scanner

log = structlog.get_logger("slotguard.scan")


class SellerRun:
    def __init__(self, scanner: Scanner, report: rpt.SellerReport, dry_run: bool,
                 run_id: int | None = None) -> None:
        self.scanner = scanner
        self.report = report
        self.dry_run = dry_run
        self.run_id = run_id
        self.personal = scanner.personal_data

    async def apply(self, plan: SellerPlan, known: dict[str, ActionRecord],
                    own_ids: frozenset[str] | None = None) -> dict[str, ActionRecord]:
        """Carry the plan out; returns the seller's ledger actions as they are after it.
        ``own_ids``: the ids of the seller's own events, if the read looked them up."""
        seller, zone, report = plan.seller, plan.seller.zone, self.report
        ledger = self.scanner.ledger
        report.zone, report.blocks = zone, len(plan.occurrences)
        applier = Applier(self.scanner.gateway, ledger, seller.upn, known, own_ids=own_ids)
        policy, texts = self.scanner.rules.policy, self.scanner.texts_of(seller.language)

        # Every compensation and task of the seller as one group of writes.
        comps = []
        for placement in plan.placements:
            violation = plan.violation(placement.violation_key)
            assert violation is not None  # the planner only places for given violations
            request = compose.compensation_event(violation, placement, policy, zone, texts)
            comps.append((placement, violation, request,
                          applier.event_write("compensation", request, violation.key)))
        tasks = []
        for task in plan.tasks if self.scanner.tasks_enabled else ():
            task_request = compose.task_request(task, policy, texts)
            tasks.append((task, task_request, applier.task_write(
                task, task_request, compose.task_list(texts))))
        writes = [w for *_, w in comps] + [w for *_, w in tasks]
        # Without withdrawals to go first, the writes' intents share the violations'
        # transaction (one commit less per seller); a withdrawal's record must precede
        # them, as a withdrawn key may be written again.
        intend_early = not self.dry_run and bool(writes) and not plan.withdrawals

        for violation in plan.violations:
            report.violations.append(self._violation_line(violation, zone))
            self._log_violation(violation)
        if not self.dry_run:
            # Violations are on record before anything is written for them.
            with ledger.batch():
                self._reconcile(plan, known)
                ledger.upsert_violations([
                    (v.key, seller.upn, seller.team, v.occurrence.rule.id, v.occurrence.day,
                     v.occurrence.start, v.occurrence.end, v.kind.value,
                     [self._meeting_record(m) for m in v.meetings])
                    for v in plan.violations])
                if intend_early:
                    applier.prepare(writes)

        for withdrawal in plan.withdrawals:
            event = plan.existing.get(withdrawal.key)
            when = compose.span_label(event.start, event.end, zone) if event else withdrawal.key
            status = "planned"
            if not self.dry_run:
                status = await applier.withdraw(withdrawal.key, withdrawal.event_id,
                                                withdrawal.event_id in plan.calendar_ids)
                if ledger.violation(withdrawal.violation_key) is not None:
                    ledger.set_violation_state(withdrawal.violation_key, "withdrawn")
            report.withdrawals.append(rpt.ActionLine(
                withdrawal.key, "withdrawal", when, status, withdrawal.violation_key,
                graph_id=withdrawal.event_id, start=event.start if event else None,
                end=event.end if event else None))
            log.info("scan.compensation_withdrawn", seller=seller.upn, key=withdrawal.key)

        withdrawn = {w.key for w in plan.withdrawals}
        for key, event in sorted(plan.existing.items()):
            violation_key = key.rpartition("#comp")[0]
            if plan.violation(violation_key) is not None and key not in withdrawn:
                report.compensations.append(rpt.ActionLine(
                    key, "compensation", compose.span_label(event.start, event.end, zone),
                    EXISTING, violation_key, graph_id=event.id, start=event.start,
                    end=event.end))

        if not self.dry_run and writes:
            if not intend_early:
                applier.prepare(writes)
            await applier.send(writes)

        short = {s.violation_key: s.missing for s in plan.shortfalls}
        comps_failed = any(w.error is not None for *_, w in comps)
        if not self.dry_run:
            with ledger.batch():
                applier.finish(writes)
                # A violation's state says where its compensations stand: only once they
                # are all in place (a failed one is retried by the next scan first).
                states: dict[str, str] = {}
                cleared: list[str] = []
                for violation in plan.violations if not comps_failed else ():
                    missing = short.get(violation.key, 0)
                    states[violation.key] = "reported"
                    if violation.compensate:
                        states[violation.key] = "shortfall" if missing else "compensated"
                        if missing:
                            ledger.record_shortfall(violation.key, seller.upn, missing,
                                                    str(plan.target_week))
                        else:
                            cleared.append(violation.key)
                ledger.clear_shortfalls(cleared, str(plan.target_week))
                ledger.set_violation_states(states)

        for placement, violation, request, write in comps:
            status, graph_id = ("planned", None) if self.dry_run else (write.status,
                                                                       write.graph_id)
            when = compose.span_label(placement.start, placement.end, zone)
            if write.error is not None:
                if _per_write(write.error):
                    report.compensations.append(self._failed(
                        write, when, request.subject, start=placement.start,
                        end=placement.end))
                continue
            report.compensations.append(rpt.ActionLine(
                placement.key, "compensation", when,
                status, violation.key, request.subject, graph_id,
                start=placement.start, end=placement.end))
            log.info("scan.compensation_placed", seller=seller.upn, key=placement.key,
                     start=placement.start.isoformat(), end=placement.end.isoformat(),
                     status=status, event_id=graph_id)
        for shortfall in plan.shortfalls:
            report.shortfalls.append(f"{shortfall.violation_key}: {shortfall.missing} missing")
            log.warning("scan.shortfall", seller=seller.upn, key=shortfall.violation_key,
                        missing=shortfall.missing)
        for task, task_request, write in tasks:
            status, graph_id = ("planned", None) if self.dry_run else (write.status,
                                                                       write.graph_id)
            if write.error is not None:
                if _per_write(write.error):
                    report.tasks.append(self._failed(write, f"{task.due:%a %d %b}",
                                                     task_request.title, due=task.due))
                continue
            report.tasks.append(rpt.ActionLine(
                task.key, "task", f"{task.due:%a %d %b}", status, task.violation_key,
                task_request.title, graph_id, due=task.due))
            if status not in {EXISTING, REFUSED}:
                log.info("scan.task_created", seller=seller.upn, key=task.key,
                         due=task.due.isoformat(), status=status, task_id=graph_id)
        for write in writes:
            if write.error is not None and not _per_write(write.error):
                raise write.error  # the seller is reported as skipped; retried next scan
        return applier.known

    def _failed(self, write: Write, when: str, title: str, **times: Any) -> rpt.ActionLine:
        """A write Graph refused, or that failed after its retries, is never silent: its
        line and a problem carry Graph's code, one warning says so, the ledger holds the
        action as failed with the error (retried next scan) and the run's seller problem."""
        error = write.error
        assert error is not None
        code = graph_code(error)
        detail = f"{write.kind} {write.key} not written: {error}"
        self.report.problems.append(f"{code}: {detail}")
        log.warning("scan.write_failed", seller=self.report.upn, key=write.key,
                    kind=write.kind, code=code, status=getattr(error, "status", None))
        if not self.dry_run:
            self.scanner.ledger.record_seller_problem(self.run_id, self.report.upn, code, detail)
        return rpt.ActionLine(write.key, write.kind, when, rpt.FAILED, write.violation_key,
                              title, error=code, **times)

    def _reconcile(self, plan: SellerPlan, known: dict[str, ActionRecord]) -> None:
        """A compensation Graph has (its marker is in the calendar) while the ledger still
        says intended/failed — the crash came between the write and the ledger: complete it."""
        ledger = self.scanner.ledger
        for key, event in plan.existing.items():
            if event.id not in plan.calendar_ids:
                continue
            record = known.get(key)
            if record is None or record.state in {"intended", "failed"}:
                if record is None:
                    ledger.intend(key, plan.seller.upn, "compensation",
                                  key.rpartition("#comp")[0],
                                  {"start": event.start.isoformat(),
                                   "end": event.end.isoformat()})
                ledger.complete(key, event.id)
                known[key] = ledger.action(key)  # type: ignore[assignment]
                log.info("scan.write_recovered", seller=plan.seller.upn, key=key)

    def _violation_line(self, violation: Violation, zone: str) -> rpt.ViolationLine:
        return rpt.ViolationLine(
            key=violation.key,
            block=compose.block_label(violation.occurrence, zone),
            kind=violation.kind.value,
            meetings=tuple(rpt.MeetingLine(m.id, m.subject, m.start, m.end)
                           for m in violation.meetings),
            start=violation.occurrence.start,
            end=violation.occurrence.end,
        )

    def _meeting_record(self, meeting: Any) -> dict[str, Any]:
        """What the ledger keeps of a meeting that took a block: its Graph id and times;
        its subject and organizer only with LOG_PERSONAL_DATA (docs/configuration.md)."""
        record = {"id": meeting.id, "start": meeting.start.isoformat(),
                  "end": meeting.end.isoformat()}
        if self.personal:
            record["subject"] = meeting.subject
            record["organizer"] = meeting.organizer
        return record

    def _log_violation(self, violation: Violation) -> None:
        extra: dict[str, Any] = {}
        if self.personal:
            extra["subjects"] = [m.subject for m in violation.meetings]
        log.info("scan.violation_found", seller=violation.seller, key=violation.key,
                 kind=violation.kind.value, meetings=len(violation.meetings),
                 compensate=violation.compensate,
                 customer=violation.kind is ViolationKind.CUSTOMER, **extra)


def graph_code(error: BaseException) -> str:
    """Graph's error code for a failed write ("TimeZoneNotSupportedException"), or what
    failed when Graph gave none."""
    if isinstance(error, GraphError) and error.code:
        return error.code
    return type(error).__name__


def _per_write(error: BaseException) -> bool:
    """A failure of this one write, reported with it. A mailbox that takes no writes at
    all, or an app that no longer signs in, skips the seller (or the scan) as before."""
    return isinstance(error, GraphError | ValueError) and not isinstance(
        error, AuthError | MailboxUnavailable)
