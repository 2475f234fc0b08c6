"""The dry run as adapters: the same scan over a calendar and a ledger that record what
would be written instead of writing it. The bootstrap wires them in; nothing in the
service asks whether it is a dry run beyond the ledger's ``dry_run`` (which names the
report's writes "planned").

Reads go through to the real adapters: Graph is read as in a real run, and the ledger is
read if it exists. A dry run neither creates nor migrates a ledger (bootstrap.py opens it
read-only, or an empty one in memory when there is none).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from slotguard.domain.model import CalendarEvent
from slotguard.errors import TransientGraphError
from slotguard.ports import (
    ActionRecord,
    CalendarGateway,
    GroupMembers,
    Intent,
    Ledger,
    Mailbox,
    NewEvent,
    NewTask,
    ViolationRecord,
    ViolationSeen,
    WindowRead,
    WindowRequest,
)


@dataclass(frozen=True)
class Planned:
    """One write a dry run left out: what it was and for whom."""

    operation: str
    upn: str
    key: str


class DryRunGateway:
    """Reads from ``inner``; every write is kept in ``planned`` and answered with a
    made-up id."""

    def __init__(self, inner: CalendarGateway) -> None:
        self.inner = inner
        self.planned: list[Planned] = []
        self._ids = itertools.count(1)

    def _plan(self, operation: str, upn: str, key: str) -> str:
        self.planned.append(Planned(operation, upn, key))
        return f"dry-run:{next(self._ids)}"

    async def group_members(self, group_id: str) -> GroupMembers:
        return await self.inner.group_members(group_id)

    async def mailbox(self, upn: str) -> Mailbox:
        return await self.inner.mailbox(upn)

    async def mailboxes(self, upns: Sequence[str]) -> Mapping[str, Mailbox | Exception]:
        return await self.inner.mailboxes(upns)

    async def windows(self, requests: Sequence[WindowRequest],
                      ) -> Mapping[str, WindowRead | Exception]:
        return await self.inner.windows(requests)

    async def event(self, upn: str, event_id: str) -> CalendarEvent | None:
        return await self.inner.event(upn, event_id)

    async def own_events(self, upn: str, key: str) -> list[CalendarEvent]:
        return await self.inner.own_events(upn, key)

    async def create_event(self, upn: str, event: NewEvent) -> str:
        return self._plan("create_event", upn, event.key)

    async def delete_event(self, upn: str, event_id: str) -> None:
        self._plan("delete_event", upn, event_id)

    async def ensure_task_list(self, upn: str, name: str) -> str:
        # Looking the list up may create it: a dry run names one it never reads.
        return f"dry-run-list:{name}"

    async def task_keys(self, upn: str, list_id: str) -> Mapping[str, str]:
        if list_id.startswith("dry-run-list:"):
            return {}
        return await self.inner.task_keys(upn, list_id)

    async def create_task(self, upn: str, list_id: str, task: NewTask) -> str:
        return self._plan("create_task", upn, task.key)

    async def send_mail(self, sender: str, to: Sequence[str], subject: str, body: str) -> None:
        self._plan("send_mail", sender, subject)

    async def before_retry(self, attempt: int, error: TransientGraphError) -> bool:
        return await self.inner.before_retry(attempt, error)

    def take_unreadable(self, upn: str) -> list[str]:
        return self.inner.take_unreadable(upn)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class DryRunLedger:
    """Reads from ``inner``; keeps the actions it is told about to itself, so a cycle sees
    its own intents, and writes nothing else anywhere."""

    inner: Ledger
    kept: dict[str, ActionRecord] = field(default_factory=dict)

    @property
    def dry_run(self) -> bool:
        return True

    @contextmanager
    def batch(self) -> Iterator[None]:
        yield

    # -- reads: the real ledger's, with this run's own actions over them ----------------
    def actions(self, seller: str | None = None, violation_key: str | None = None,
                kind: str | None = None, states: Iterable[str] | None = None,
                sellers: Iterable[str] | None = None) -> list[ActionRecord]:
        return self.inner.actions(seller, violation_key, kind, states, sellers)

    def action(self, key: str) -> ActionRecord | None:
        return self.kept.get(key) or self.inner.action(key)

    def delta_states(self, sellers: Iterable[str], window: str
                     ) -> dict[str, tuple[str, bytes | None]]:
        return self.inner.delta_states(sellers, window)

    def violation(self, key: str) -> ViolationRecord | None:
        return self.inner.violation(key)

    def violation_dates(self, seller: str, since: date) -> list[date]:
        return self.inner.violation_dates(seller, since)

    def violation_days(self, sellers: Iterable[str], since: date) -> dict[str, set[date]]:
        return self.inner.violation_days(sellers, since)

    # -- actions: kept here only -------------------------------------------------------
    def intend(self, key: str, seller: str, kind: str, violation_key: str | None = None,
               payload: dict[str, Any] | None = None) -> ActionRecord:
        known = self.action(key)
        if known is not None and known.state in {"done", "withdrawn"}:
            return known
        record = ActionRecord(key, seller.lower(), kind, violation_key, "intended", None,
                              (known.attempts if known else 0) + 1, None, payload, _EPOCH,
                              _EPOCH, None)
        self.kept[key] = record
        return record

    def intend_many(self, intents: Sequence[Intent]) -> list[ActionRecord]:
        return [self.intend(*intent) for intent in intents]

    def complete(self, key: str, graph_id: str) -> None:
        self._set(key, state="done", graph_id=graph_id)

    def complete_many(self, done: Sequence[tuple[str, str]]) -> None:
        for key, graph_id in done:
            self.complete(key, graph_id)

    def fail(self, key: str, error: str) -> None:
        self._set(key, state="failed", error=error)

    def reinstate(self, key: str, payload: dict[str, Any] | None = None) -> ActionRecord:
        self._set(key, state="intended", payload=payload)
        record = self.action(key)
        assert record is not None
        return record

    def mark_withdrawn(self, key: str) -> None:
        self._set(key, state="withdrawn")

    def _set(self, key: str, **values: Any) -> None:
        record = self.action(key)
        if record is not None:
            self.kept[key] = replace(record, **values)

    # -- everything else is left out ---------------------------------------------------
    def start_run(self, replica: str, week: str, dry_run: bool) -> int:
        return 0

    def finish_run(self, run_id: int, stats: dict[str, Any], error: str | None = None
                   ) -> None:
        return None

    def record_seller_problem(self, run_id: int | None, seller: str, code: str,
                              message: str) -> None:
        return None

    def save_delta_links(self, window: str,
                         states: Iterable[tuple[str, str, bytes | None]]) -> None:
        return None

    def prune_delta_links(self, week: str) -> int:
        return 0

    def try_leases(self, names: Iterable[str], owner: str, ttl_seconds: float) -> set[str]:
        return set(names)  # a dry run takes no lease: it writes nothing to guard

    def renew_leases(self, names: Iterable[str], owner: str, ttl_seconds: float
                     ) -> set[str]:
        return set(names)

    def release_leases(self, names: Iterable[str], owner: str) -> int:
        return 0

    def claim_once(self, job: str, period: str, owner: str,
                   ttl_seconds: float | None = None) -> bool:
        return True  # counts what the job would do; the claim stays free for a real run

    def finish_claim(self, job: str, period: str, owner: str) -> bool:
        return True

    def upsert_violations(self, seen: Sequence[ViolationSeen]) -> set[str]:
        return set()

    def set_violation_state(self, key: str, state: str) -> bool:
        return False

    def set_violation_states(self, states: Mapping[str, str]) -> None:
        return None

    def record_shortfall(self, violation_key: str, seller: str, missing: int,
                         week: str) -> bool:
        return False

    def clear_shortfalls(self, violation_keys: Iterable[str], week: str) -> None:
        return None

    def record_escalation(self, seller: str, period: str, count: int) -> bool:
        return False


def dry_run(gateway: CalendarGateway, ledger: Ledger) -> tuple[DryRunGateway, DryRunLedger]:
    """The adapters of a dry run over real (or in-memory) ones."""
    return DryRunGateway(gateway), DryRunLedger(ledger)
