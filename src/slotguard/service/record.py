"""The record step: every ledger write of a seller's cycle, in the order exactly-once needs.

Violations are on record before anything is written for them; each write's intent before
the write and its outcome after it (service/apply.py decides when); a compensation Graph
has while the ledger does not know it as done (the crash came between the write and the
ledger) is completed from the calendar's marker first. What the ledger keeps of a meeting
is its id and times; its subject and organizer only with LOG_PERSONAL_DATA.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import structlog

from slotguard.domain.decision import SellerPlan
from slotguard.domain.keys import parse_compensation_key
from slotguard.domain.model import CalendarEvent
from slotguard.ports import ActionRecord, Intent, Ledger

log = structlog.get_logger("slotguard.scan")


@dataclass
class Recorder:
    """One seller's ledger writes in one cycle."""

    ledger: Ledger
    seller: str
    run_id: int | None = None
    personal: bool = False  # LOG_PERSONAL_DATA: meeting subjects and organizers kept

    @contextmanager
    def batch(self) -> Iterator[None]:
        with self.ledger.batch():
            yield

    def problem(self, code: str, detail: str) -> None:
        self.ledger.record_seller_problem(self.run_id, self.seller, code, detail)

    def reconcile(self, plan: SellerPlan, known: dict[str, ActionRecord]) -> None:
        """A compensation Graph has (its marker is in the calendar) while the ledger still
        says intended/failed, or nothing: complete it."""
        for key, event in plan.existing.items():
            record = known.get(key)
            if event.id not in plan.calendar_ids or (
                    record is not None and record.state not in {"intended", "failed"}):
                continue
            if record is None:
                parsed = parse_compensation_key(key)
                self.ledger.intend(key, self.seller, "compensation",
                                   parsed[0] if parsed else None,
                                   {"start": event.start.isoformat(),
                                    "end": event.end.isoformat()})
            self.ledger.complete(key, event.id)
            known[key] = self.ledger.action(key)  # type: ignore[assignment]
            log.info("scan.write_recovered", seller=self.seller, key=key)

    def violations(self, plan: SellerPlan, meetings: Mapping[str, CalendarEvent]) -> None:
        """Every violation as seen now; ``meetings``: the details looked up by id."""
        seller = plan.seller
        self.ledger.upsert_violations([
            (v.key, seller.upn, seller.team, v.occurrence.rule.id, v.occurrence.day,
             v.occurrence.start, v.occurrence.end, v.kind.value,
             [self._meeting(meetings.get(m.id, m)) for m in v.meetings])
            for v in plan.violations])

    def _meeting(self, meeting: CalendarEvent) -> dict[str, Any]:
        record: dict[str, Any] = {"id": meeting.id, "start": meeting.start.isoformat(),
                  "end": meeting.end.isoformat()}
        if self.personal:
            record["subject"] = meeting.subject
            record["organizer"] = meeting.organizer
        return record

    def intents(self, intents: Sequence[Intent]) -> list[ActionRecord]:
        """Each write's intent, in one transaction committed before any of them goes."""
        if not intents:
            return []
        with self.ledger.batch():
            return self.ledger.intend_many(intents)

    def reinstated(self, key: str, payload: dict[str, object]) -> ActionRecord:
        return self.ledger.reinstate(key, payload)

    def outcomes(self, failed: Sequence[tuple[str, BaseException]],
                 done: Sequence[tuple[str, str]]) -> None:
        """What the writes sent this cycle did, in one transaction."""
        with self.ledger.batch():
            for key, error in failed:
                self.ledger.fail(key, f"{type(error).__name__}: {error}")
            self.ledger.complete_many(done)

    def withdrawn(self, key: str, event_id: str, record: ActionRecord | None,
                  violation_key: str | None) -> ActionRecord:
        """A compensation taken back: withdrawn in the ledger, and its violation with it."""
        with self.ledger.batch():
            if record is None:
                # A compensation written before a crash that kept it out of the ledger.
                record = self.ledger.intend(key, self.seller, "compensation", violation_key)
                self.ledger.complete(key, event_id)
            self.ledger.mark_withdrawn(key)
        if violation_key is not None and self.ledger.violation(violation_key) is not None:
            self.ledger.set_violation_state(violation_key, "withdrawn")
        return record

    def states(self, plan: SellerPlan) -> None:
        """A violation's state says where its compensations stand; call it only once they
        are all in place (a failed one is retried by the next scan first)."""
        short = {s.violation_key: s.missing for s in plan.shortfalls}
        states: dict[str, str] = {}
        cleared: list[str] = []
        for violation in plan.violations:
            missing = short.get(violation.key, 0)
            states[violation.key] = "reported"
            if not violation.compensate:
                continue
            states[violation.key] = "shortfall" if missing else "compensated"
            if missing:
                self.ledger.record_shortfall(violation.key, self.seller, missing,
                                             str(plan.target_week))
            else:
                cleared.append(violation.key)
        self.ledger.clear_shortfalls(cleared, str(plan.target_week))
        self.ledger.set_violation_states(states)

    # -- the manager's notice ----------------------------------------------------------
    def mail_intended(self, key: str, manager: str) -> bool:
        """Whether this period's mail is still to send (its intent now on record)."""
        return self.ledger.intend(key, self.seller, "mail",
                                  payload={"manager": manager}).state != "done"

    def mail_failed(self, key: str, error: BaseException) -> None:
        self.ledger.fail(key, f"{type(error).__name__}: {error}")

    def mail_sent(self, key: str, period: str, count: int) -> None:
        self.ledger.complete(key, f"mail:{period}")
        self.ledger.record_escalation(self.seller, period, count)


def run_started(ledger: Ledger, replica: str, week: str, prune: bool) -> int | None:
    """The cycle's run record; ``prune``: the judged week is the current one, so links and
    snapshots of past weeks' spans (never read again) go."""
    run_id = ledger.start_run(replica, week, False)
    if prune:
        ledger.prune_delta_links(week)
    return run_id


def run_finished(ledger: Ledger, run_id: int | None, totals: dict[str, int],
                 error: str | None) -> None:
    if run_id is not None:
        ledger.finish_run(run_id, totals, error)
