"""The manager's notice: mailed once per period when a seller reached the threshold
(``[escalation]``: N violations within M whole ISO weeks, domain/escalation.py).

Write-ahead like every other write: the mail is intended, sent, then completed, so a failed
send is retried next cycle and a sent one is never repeated by a later scan. Unlike events
and tasks, a sent mail is not looked up in Graph (that would take read access to the
sender's whole mailbox, and Sent Items may be emptied): here the ledger's claim is the
guard, and a lost ledger can repeat this period's one mail at most.
"""

from __future__ import annotations

from datetime import date

import structlog

from slotguard.domain.decision import SellerPlan
from slotguard.domain.escalation import escalation_decision
from slotguard.domain.keys import escalation_key
from slotguard.domain.model import IsoWeek
from slotguard.errors import GraphError
from slotguard.service import compose
from slotguard.service import report as rpt
from slotguard.service.context import Cycle
from slotguard.service.lines import problem_code
from slotguard.service.record import Recorder

log = structlog.get_logger("slotguard.scan")


async def escalate(cycle: Cycle, plan: SellerPlan, report: rpt.SellerReport,
                   record: Recorder, history: set[date]) -> None:
    """``history``: the violation days the wave read from the ledger; with this cycle's,
    an upper bound on what the window holds, so a seller below the threshold costs no
    further ledger read."""
    rules, manager, upn = cycle.rules.escalation, plan.seller.manager, plan.seller.upn
    if not rules.enabled or manager is None or not report.violations:
        return
    if len(history | {v.occurrence.day for v in plan.violations}) < rules.violations:
        return
    today = cycle.now.date()
    decision = escalation_decision(cycle.ledger.violation_dates(upn, cycle.escalation_since()),
                                   today, rules)
    if not decision.escalate:
        return
    period = str(IsoWeek.of(today))
    key = escalation_key(upn, period)
    if not record.mail_intended(key, manager):
        return  # this period's mail already went out
    subject, body = compose.escalation_mail(upn, decision, rules,
                                            cycle.rules.policy.compensation_count,
                                            cycle.texts_of(plan.seller.language))
    try:
        await cycle.gateway.send_mail(rules.sender or manager, [manager], subject, body)
    except GraphError as error:
        # The seller's own writes are done; a mail that did not go out is retried next
        # cycle and reported now, without marking the seller as skipped.
        record.mail_failed(key, error)
        report.problems.append(f"escalation mail not sent: {problem_code(error)}")
        log.warning("scan.escalation_failed", seller=upn, error=type(error).__name__)
        return
    record.mail_sent(key, period, decision.count)
    report.escalated = True
    log.info("scan.escalated", seller=upn, manager=manager, count=decision.count)
