"""The ledger: what slotguard saw and did, kept in SQLite or PostgreSQL (SQLAlchemy +
Alembic), plus the leases and once-per-period claims that let several replicas share work."""

from slotguard.ports.records import (
    ACTION_KINDS,
    ACTION_STATES,
    VIOLATION_STATES,
    ActionRecord,
    LeaseRecord,
    RunRecord,
    SellerProblemRecord,
    ShortfallRecord,
    ViolationRecord,
)
from slotguard.store.ledger import Ledger

__all__ = [
    "ACTION_KINDS",
    "ACTION_STATES",
    "VIOLATION_STATES",
    "ActionRecord",
    "LeaseRecord",
    "Ledger",
    "RunRecord",
    "SellerProblemRecord",
    "ShortfallRecord",
    "ViolationRecord",
]
