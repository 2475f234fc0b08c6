"""One seller in one cycle, top to bottom: the inputs gathered for the wave → unchanged
since a cycle that wrote nothing? then that cycle's result stands → decide (domain, once)
→ apply the plan (writes through the write-ahead record) → escalate → remember the seller
as settled when nothing was written.

A seller's failure — no mailbox, outside the access policy, data Graph should not have
sent, throttling that outlasted the retries — is recorded and reported as the seller
skipped; only an app that cannot sign in at all stops the scan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import structlog

from slotguard.domain.decision import SellerPlan, decide
from slotguard.domain.model import ListedSeller
from slotguard.errors import AuthError, GraphError
from slotguard.ports import ActionRecord, Mailbox
from slotguard.service import lines
from slotguard.service import report as rpt
from slotguard.service.apply import SETTLED
from slotguard.service.carry import carry_out
from slotguard.service.context import Cycle
from slotguard.service.details import meeting_details
from slotguard.service.escalate import escalate
from slotguard.service.gather import CalendarRead, remembered
from slotguard.service.record import Recorder
from slotguard.service.settled import seller_fingerprint

log = structlog.get_logger("slotguard.scan")


@dataclass
class SellerInputs:
    listed: ListedSeller
    mailbox: Mailbox | Exception
    read: CalendarRead | Exception | None
    actions: list[ActionRecord] = field(default_factory=list)
    history: set[date] = field(default_factory=set)  # violation days in the ledger


async def run_seller(cycle: Cycle, inputs: SellerInputs,
                     still_mine: Callable[[str], bool]) -> rpt.SellerReport:
    """``still_mine``: whether the seller's lease is still this replica's (asked right
    before deciding, which leads to writes)."""
    listed = inputs.listed
    report = rpt.SellerReport(upn=listed.upn, team=listed.team)
    record = cycle.recorder(listed.upn)
    try:
        mailbox, read = _readable(inputs)
        _report_unreadable(cycle, report, record)
        if not report.problems and (kept := _unchanged(cycle, inputs, mailbox, read)):
            log.debug("scan.seller_unchanged", seller=listed.upn)
            return kept
        cycle.settled.forget(listed.upn)
        if not still_mine(listed.upn):
            return rpt.SellerReport(upn=listed.upn, team=listed.team, status=rpt.LEASE_LOST)
        await _decide_and_apply(cycle, inputs, mailbox, read, report, record)
    except AuthError:
        raise  # no token means no seller can be read: the whole scan fails
    except (GraphError, ValueError) as error:
        cycle.settled.forget(listed.upn)
        _skip(report, record, error)
    return report


def _readable(inputs: SellerInputs) -> tuple[Mailbox, CalendarRead]:
    if isinstance(inputs.mailbox, Exception):
        raise inputs.mailbox
    if inputs.read is None or isinstance(inputs.read, Exception):
        raise inputs.read or GraphError(f"calendar of {inputs.listed.upn} was not read")
    return inputs.mailbox, inputs.read


def _report_unreadable(cycle: Cycle, report: rpt.SellerReport, record: Recorder) -> None:
    """Events Graph sent that could not be read are handled (left out) and reported: one
    of them may be a customer meeting over a block."""
    for line in cycle.gateway.take_unreadable(report.upn):
        report.problems.append(f"bad_data: {line}")
        log.warning("scan.event_unreadable", seller=report.upn, detail=line)
        record.problem("bad_data", line)


def _fingerprint(cycle: Cycle, inputs: SellerInputs, mailbox: Mailbox, read: CalendarRead,
                 actions: list[ActionRecord]) -> bytes | None:
    # The digest stands for the events: an unchanged calendar's are never decoded.
    digest = cycle.settled.calendar_digest(inputs.listed.upn, read.snapshot,
                                           lambda: read.events)
    return seller_fingerprint(scan_digest=cycle.scan_digest, listed=inputs.listed,
                              mailbox=mailbox, events_digest=digest, week=cycle.week,
                              today=cycle.now.date(), actions=actions)


def _unchanged(cycle: Cycle, inputs: SellerInputs, mailbox: Mailbox,
               read: CalendarRead) -> rpt.SellerReport | None:
    """The remembered report when the seller's inputs are those of a cycle that wrote
    nothing; only a seller remembered so is compared (none in a first cycle)."""
    if not cycle.settled.has(inputs.listed.upn):
        return None
    fingerprint = _fingerprint(cycle, inputs, mailbox, read, inputs.actions)
    return cycle.settled.unchanged(inputs.listed.upn, fingerprint)


async def _decide_and_apply(cycle: Cycle, inputs: SellerInputs, mailbox: Mailbox,
                            read: CalendarRead, report: rpt.SellerReport,
                            record: Recorder) -> None:
    seller = inputs.listed.seller(mailbox.zone, mailbox.working_hours)
    plan = decide(seller, read.events, remembered(inputs.actions), cycle.week, cycle.rules,
                  cycle.now)
    details = await meeting_details(cycle.gateway, seller.upn, plan, inputs.actions)
    known = await carry_out(cycle, plan, details, {r.key: r for r in inputs.actions},
                            read.own_ids, record, report)
    await escalate(cycle, plan, report, record, inputs.history)
    if _wrote_nothing(plan, report):
        cycle.settled.remember(seller.upn, _fingerprint(cycle, inputs, mailbox, read,
                                                        list(known.values())), report)


def _wrote_nothing(plan: SellerPlan, report: rpt.SellerReport) -> bool:
    """Whether the cycle left the calendar and the ledger's actions as it read them, with
    nothing left to do: the next cycle reads the same inputs and would decide the same."""
    return (report.status == rpt.OK and not report.problems and not report.escalated
            and not plan.withdrawals and not plan.shortfalls
            and all(line.status in SETTLED for line in (*report.compensations,
                                                        *report.tasks)))


def _skip(report: rpt.SellerReport, record: Recorder, error: Exception) -> None:
    code = lines.problem_code(error)
    report.status = rpt.SKIPPED
    report.problems.append(f"{code}: {error}")
    log.warning("scan.seller_skipped", seller=report.upn, reason=code,
                error=type(error).__name__)
    record.problem(code, str(error))

