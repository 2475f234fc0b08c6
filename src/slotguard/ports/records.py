"""What the ledger hands out: plain frozen records, never ORM rows, so no caller ever holds
a session or a connection. Also the closed vocabularies of states and kinds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

VIOLATION_STATES = frozenset(
    {"open", "compensated", "shortfall", "withdrawn", "resolved", "reported"}
)
# States that still count as a taken block when escalation looks back over the weeks:
# a withdrawn or resolved violation is one whose meeting left the block in time.
COUNTED_VIOLATION_STATES = frozenset({"open", "compensated", "shortfall", "reported"})

ACTION_KINDS = frozenset({"compensation", "task", "block_series", "habit", "withdrawal", "mail"})
ACTION_STATES = frozenset({"intended", "done", "failed", "withdrawn"})
# Not known to be finished: an intended action may have reached Graph just before a crash,
# a failed one may have landed despite the error (a timeout after the write, say).
PENDING_ACTION_STATES = frozenset({"intended", "failed"})


def check_member(field: str, value: str, allowed: frozenset[str]) -> str:
    if value not in allowed:
        choices = ", ".join(sorted(allowed))
        raise ValueError(f"{field}: {value!r} is not one of {choices}")
    return value


@dataclass(frozen=True, slots=True)
class ViolationRecord:
    key: str
    seller: str
    team: str
    rule_id: str
    week: str  # ISO week of block_day, e.g. "2026-W48"
    block_day: date  # seller-local date
    block_start: datetime  # UTC
    block_end: datetime  # UTC
    kind: str
    meetings: list[dict[str, Any]]
    state: str
    first_seen: datetime
    last_seen: datetime
    state_changed_at: datetime


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """One thing slotguard writes (or deletes) in Graph, keyed by its idempotency key.

    ``attempts`` counts how often a write was started: above 1 means an earlier attempt
    may already have reached Graph, so look for the marker before writing again."""

    key: str
    seller: str
    kind: str
    violation_key: str | None
    state: str
    graph_id: str | None
    attempts: int
    error: str | None
    payload: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: int
    replica: str
    week: str
    dry_run: bool
    started_at: datetime
    finished_at: datetime | None
    stats: dict[str, Any] | None
    error: str | None


@dataclass(frozen=True, slots=True)
class SellerProblemRecord:
    run_id: int | None
    seller: str
    code: str
    message: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ShortfallRecord:
    violation_key: str
    seller: str
    week: str
    missing: int
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class LeaseRecord:
    name: str
    owner: str
    acquired_at: datetime
    expires_at: datetime
