"""The ledger port: what the service asks of slotguard's memory of Graph.

The SQL adapter (``slotguard.store.Ledger``) implements it, and so does the dry run's,
which reads through to a real ledger and keeps what it would write to itself
(``slotguard.dryrun``). Every method is a short transaction of its own unless called inside
``batch()``, and returns plain frozen records (``slotguard.ports.records``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import Any, Protocol

from slotguard.ports.records import ActionRecord, ViolationRecord

# One observed violation: key, seller, team, block rule id, seller-local day, block start
# and end (UTC), kind, and what is kept of the meetings that took the block.
ViolationSeen = tuple[str, str, str, str, date, datetime, datetime, str, list[dict[str, Any]]]
Intent = tuple[str, str, str, str | None, dict[str, Any] | None]  # key, seller, kind, ...


class Ledger(Protocol):
    @property
    def dry_run(self) -> bool:
        """True for a ledger that keeps nothing (a dry run's): the scan's writes are then
        only planned, and the report says so."""

    def batch(self) -> AbstractContextManager[None]:
        """One transaction for every call inside the block (no awaits inside it)."""

    # -- runs and problems --------------------------------------------------------------
    def start_run(self, replica: str, week: str, dry_run: bool) -> int: ...

    def finish_run(self, run_id: int, stats: dict[str, Any], error: str | None = None
                   ) -> None: ...

    def record_seller_problem(self, run_id: int | None, seller: str, code: str,
                              message: str) -> None: ...

    # -- calendar reads (delta links and snapshots, per seller and calendar span) -------
    def delta_states(self, sellers: Iterable[str], window: str
                     ) -> dict[str, tuple[str, bytes | None]]: ...

    def save_delta_links(self, window: str,
                         states: Iterable[tuple[str, str, bytes | None]]) -> None: ...

    def prune_delta_links(self, week: str) -> int: ...

    # -- leases and once-per-period claims -----------------------------------------------
    def try_leases(self, names: Iterable[str], owner: str, ttl_seconds: float) -> set[str]: ...

    def renew_leases(self, names: Iterable[str], owner: str, ttl_seconds: float
                     ) -> set[str]: ...

    def release_leases(self, names: Iterable[str], owner: str) -> int: ...

    def claim_once(self, job: str, period: str, owner: str,
                   ttl_seconds: float | None = None) -> bool: ...

    def finish_claim(self, job: str, period: str, owner: str) -> bool: ...

    # -- actions: the write-ahead record of every write ----------------------------------
    def actions(self, seller: str | None = None, violation_key: str | None = None,
                kind: str | None = None, states: Iterable[str] | None = None,
                sellers: Iterable[str] | None = None) -> list[ActionRecord]: ...

    def action(self, key: str) -> ActionRecord | None: ...

    def intend(self, key: str, seller: str, kind: str, violation_key: str | None = None,
               payload: dict[str, Any] | None = None) -> ActionRecord: ...

    def intend_many(self, intents: Sequence[Intent]) -> list[ActionRecord]: ...

    def complete(self, key: str, graph_id: str) -> None: ...

    def complete_many(self, done: Sequence[tuple[str, str]]) -> None: ...

    def fail(self, key: str, error: str) -> None: ...

    def reinstate(self, key: str, payload: dict[str, Any] | None = None) -> ActionRecord: ...

    def mark_withdrawn(self, key: str) -> None: ...

    # -- violations, shortfalls, escalations ---------------------------------------------
    def upsert_violations(self, seen: Sequence[ViolationSeen]) -> set[str]: ...

    def violation(self, key: str) -> ViolationRecord | None: ...

    def set_violation_state(self, key: str, state: str) -> bool: ...

    def set_violation_states(self, states: Mapping[str, str]) -> None: ...

    def record_shortfall(self, violation_key: str, seller: str, missing: int,
                         week: str) -> bool: ...

    def clear_shortfalls(self, violation_keys: Iterable[str], week: str) -> None: ...

    def violation_dates(self, seller: str, since: date) -> list[date]: ...

    def violation_days(self, sellers: Iterable[str], since: date) -> dict[str, set[date]]: ...

    def record_escalation(self, seller: str, period: str, count: int) -> bool: ...
