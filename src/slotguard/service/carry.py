"""Carrying one seller's plan out, in the order exactly-once needs: violations on record →
compensations taken back → every write of the plan as one group (intents, writes,
outcomes) → violation states → the report lines for all of it.

The words come from compose.py, in the team's language, naming the meetings as Graph has
them now (details.py); the writes go through apply.py, the ledger through record.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from slotguard.domain.decision import SellerPlan
from slotguard.domain.followup import FollowUpTask
from slotguard.domain.model import CalendarEvent
from slotguard.domain.planning import PlannedCompensation
from slotguard.ports import ActionRecord, NewEvent, NewTask
from slotguard.service import compose, lines
from slotguard.service import report as rpt
from slotguard.service.apply import Applier, Write
from slotguard.service.context import Cycle
from slotguard.service.record import Recorder


@dataclass
class _Compensation:
    placement: PlannedCompensation
    request: NewEvent
    write: Write


@dataclass
class _Task:
    task: FollowUpTask
    request: NewTask
    write: Write


async def carry_out(cycle: Cycle, plan: SellerPlan, meetings: Mapping[str, CalendarEvent],
                    known: dict[str, ActionRecord], own_ids: frozenset[str] | None,
                    record: Recorder, report: rpt.SellerReport) -> dict[str, ActionRecord]:
    """Carry the plan out; returns the seller's ledger actions as they are after it.
    ``meetings``: details of the meetings the writes name; ``own_ids``: the ids of the
    seller's own events, if the read looked them up."""
    applier = Applier(cycle.gateway, record, known, own_ids, wrote=cycle.wrote)
    comps = _compensations(cycle, plan, meetings, applier)
    tasks = _tasks(cycle, plan, meetings, applier) if cycle.tasks_enabled else []
    writes = [c.write for c in comps] + [t.write for t in tasks]
    report.zone, report.blocks = plan.seller.zone, len(plan.occurrences)
    report.violations = lines.violations(plan, meetings, cycle.personal)
    # Without withdrawals to go first, the writes' intents share the violations'
    # transaction (one commit less per seller); a withdrawal's record must precede them,
    # as a withdrawn key may be written again.
    early = bool(writes) and not plan.withdrawals
    with record.batch():
        record.reconcile(plan, applier.known)
        record.violations(plan, meetings)  # on record before anything is written for them
        if early:
            applier.prepare(writes)
    await _withdraw(plan, applier, report)
    if writes:
        if not early:
            applier.prepare(writes)
        await applier.send(writes)
    with record.batch():
        applier.finish(writes)
        if not any(c.write.error is not None for c in comps):
            record.states(plan)
    _report(plan, comps, tasks, record, report)
    for write in writes:
        if write.error is not None and not lines.per_write(write.error):
            raise write.error  # the seller is reported as skipped; retried next scan
    return applier.known


def _compensations(cycle: Cycle, plan: SellerPlan, meetings: Mapping[str, CalendarEvent],
                   applier: Applier) -> list[_Compensation]:
    policy, texts = cycle.rules.policy, cycle.texts_of(plan.seller.language)
    out = []
    for placement in plan.placements:
        violation = plan.violation(placement.violation_key)
        assert violation is not None  # the planner only places for given violations
        named = replace(violation, meetings=tuple(meetings.get(m.id, m)
                                                  for m in violation.meetings))
        request = compose.compensation_event(named, placement, policy, plan.seller.zone,
                                             texts)
        out.append(_Compensation(placement, request,
                                 applier.event_write("compensation", request, violation.key)))
    return out


def _tasks(cycle: Cycle, plan: SellerPlan, meetings: Mapping[str, CalendarEvent],
           applier: Applier) -> list[_Task]:
    policy, texts = cycle.rules.policy, cycle.texts_of(plan.seller.language)
    out = []
    for task in plan.tasks:
        meeting = meetings.get(task.meeting.id) if task.meeting is not None else None
        if meeting is not None:  # named and linked as Graph has the meeting now
            task = replace(task, meeting=meeting, link_url=meeting.web_link)
        request = compose.task_request(task, policy, texts)
        out.append(_Task(task, request,
                         applier.task_write(task, request, compose.task_list(texts))))
    return out


async def _withdraw(plan: SellerPlan, applier: Applier, report: rpt.SellerReport) -> None:
    for withdrawal in plan.withdrawals:
        status = await applier.withdraw(withdrawal.key, withdrawal.event_id,
                                        withdrawal.event_id in plan.calendar_ids)
        report.withdrawals.append(lines.withdrawal(plan, withdrawal, status))


def _report(plan: SellerPlan, comps: list[_Compensation], tasks: list[_Task],
            record: Recorder, report: rpt.SellerReport) -> None:
    """Every write's line; a failed one is never silent: its line and a problem carry
    Graph's code, one warning says so, and the run holds it as the seller's problem."""
    report.compensations.extend(lines.in_place(plan))
    for c in comps:
        if _reported(c.write, record, report):
            report.compensations.append(lines.compensation(plan, c.placement, c.request,
                                                           c.write))
    report.shortfalls.extend(lines.shortfalls(plan))
    for t in tasks:
        if _reported(t.write, record, report):
            report.tasks.append(lines.task(plan.seller.upn, t.task, t.request, t.write))


def _reported(write: Write, record: Recorder, report: rpt.SellerReport) -> bool:
    """Whether the write gets a line: all but those whose failure skips the seller."""
    if write.error is None:
        return True
    if not lines.per_write(write.error):
        return False
    code, detail = lines.failure_problem(report.upn, write)
    report.problems.append(f"{code}: {detail}")
    record.problem(code, detail)
    return True
