"""A seller's report lines and the log event that goes with each (``scan.violation_found``,
``scan.compensation_placed``, ...): what the admin reads of a cycle, made from the plan and
what became of its writes. Nothing here writes anywhere but the log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog

from slotguard.domain.decision import SellerPlan
from slotguard.domain.followup import FollowUpTask
from slotguard.domain.keys import parse_compensation_key
from slotguard.domain.model import CalendarEvent, Violation, ViolationKind
from slotguard.domain.planning import PlannedCompensation
from slotguard.domain.withdrawal import Withdrawal
from slotguard.errors import AuthError, GraphError, MailboxUnavailable
from slotguard.ports import NewEvent, NewTask
from slotguard.service import compose
from slotguard.service import report as rpt
from slotguard.service.apply import EXISTING, REFUSED, Write

log = structlog.get_logger("slotguard.scan")


def violations(plan: SellerPlan, meetings: Mapping[str, CalendarEvent],
               personal: bool) -> list[rpt.ViolationLine]:
    lines = []
    for violation in plan.violations:
        named = [meetings.get(m.id, m) for m in violation.meetings]
        lines.append(rpt.ViolationLine(
            key=violation.key,
            block=compose.block_label(violation.occurrence, plan.seller.zone),
            kind=violation.kind.value,
            meetings=tuple(rpt.MeetingLine(m.id, m.subject, m.start, m.end) for m in named),
            start=violation.occurrence.start, end=violation.occurrence.end))
        _log_violation(violation, named, personal)
    return lines


def _log_violation(violation: Violation, meetings: list[CalendarEvent],
                   personal: bool) -> None:
    extra: dict[str, Any] = {"subjects": [m.subject for m in meetings]} if personal else {}
    log.info("scan.violation_found", seller=violation.seller, key=violation.key,
             kind=violation.kind.value, meetings=len(violation.meetings),
             compensate=violation.compensate,
             customer=violation.kind is ViolationKind.CUSTOMER, **extra)


def withdrawal(plan: SellerPlan, taken_back: Withdrawal, status: str) -> rpt.ActionLine:
    event = plan.existing.get(taken_back.key)
    when = (compose.span_label(event.start, event.end, plan.seller.zone) if event
            else taken_back.key)
    log.info("scan.compensation_withdrawn", seller=plan.seller.upn, key=taken_back.key)
    return rpt.ActionLine(taken_back.key, "withdrawal", when, status,
                          taken_back.violation_key, graph_id=taken_back.event_id,
                          start=event.start if event else None,
                          end=event.end if event else None)


def in_place(plan: SellerPlan) -> list[rpt.ActionLine]:
    """Compensations of this cycle's violations that are already in the calendar."""
    withdrawn = {w.key for w in plan.withdrawals}
    lines = []
    for key, event in sorted(plan.existing.items()):
        parsed = parse_compensation_key(key)
        if parsed is None or key in withdrawn or plan.violation(parsed[0]) is None:
            continue
        lines.append(rpt.ActionLine(
            key, "compensation", compose.span_label(event.start, event.end, plan.seller.zone),
            EXISTING, parsed[0], graph_id=event.id, start=event.start, end=event.end))
    return lines


def compensation(plan: SellerPlan, placement: PlannedCompensation, request: NewEvent,
                 write: Write) -> rpt.ActionLine:
    when = compose.span_label(placement.start, placement.end, plan.seller.zone)
    if write.error is not None:
        return failed(write, when, request.subject, start=placement.start,
                      end=placement.end)
    log.info("scan.compensation_placed", seller=plan.seller.upn, key=placement.key,
             start=placement.start.isoformat(), end=placement.end.isoformat(),
             status=write.status, event_id=write.graph_id)
    return rpt.ActionLine(placement.key, "compensation", when, write.status,
                          placement.violation_key, request.subject, write.graph_id,
                          start=placement.start, end=placement.end)


def task(upn: str, planned: FollowUpTask, request: NewTask, write: Write) -> rpt.ActionLine:
    when = f"{planned.due:%a %d %b}"
    if write.error is not None:
        return failed(write, when, request.title, due=planned.due)
    if write.status not in {EXISTING, REFUSED}:
        log.info("scan.task_created", seller=upn, key=planned.key,
                 due=planned.due.isoformat(), status=write.status, task_id=write.graph_id)
    return rpt.ActionLine(planned.key, "task", when, write.status, planned.violation_key,
                          request.title, write.graph_id, due=planned.due)


def shortfalls(plan: SellerPlan) -> list[str]:
    for gap in plan.shortfalls:
        log.warning("scan.shortfall", seller=plan.seller.upn, key=gap.violation_key,
                    missing=gap.missing)
    return [f"{gap.violation_key}: {gap.missing} missing" for gap in plan.shortfalls]


def failed(write: Write, when: str, title: str, **times: Any) -> rpt.ActionLine:
    """A write Graph refused, or that failed after its retries: its line carries Graph's
    code (the seller's problem line and the ledger's record come with it: seller.py)."""
    assert write.error is not None
    return rpt.ActionLine(write.key, write.kind, when, rpt.FAILED, write.violation_key,
                          title, error=graph_code(write.error), **times)


def failure_problem(seller: str, write: Write) -> tuple[str, str]:
    """(code, detail) of a failed write, with its one warning."""
    error = write.error
    assert error is not None
    code = graph_code(error)
    log.warning("scan.write_failed", seller=seller, key=write.key, kind=write.kind,
                code=code, status=getattr(error, "status", None))
    return code, f"{write.kind} {write.key} not written: {error}"


def graph_code(error: BaseException) -> str:
    """Graph's error code for a failed write ("TimeZoneNotSupportedException"), or what
    failed when Graph gave none."""
    if isinstance(error, GraphError) and error.code:
        return error.code
    return type(error).__name__


def per_write(error: BaseException) -> bool:
    """A failure of this one write, reported with it. A mailbox that takes no writes at
    all, or an app that no longer signs in, skips the seller (or the scan) as before."""
    return isinstance(error, GraphError | ValueError) and not isinstance(
        error, AuthError | MailboxUnavailable)


def problem_code(error: Exception) -> str:
    """The short code a seller's problem line starts with."""
    if isinstance(error, MailboxUnavailable):
        return error.reason
    if isinstance(error, GraphError):
        name = type(error).__name__
        return name if error.code is None else f"{name}:{error.code}"
    return "bad_data"
