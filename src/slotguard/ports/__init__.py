"""The small interfaces the service talks through: the calendar (Microsoft 365), the ledger
(slotguard's memory of it) and the clock. The real adapters (``slotguard.graph``,
``slotguard.store``), the in-memory ones (``slotguard.memory``) and the dry run's
(``slotguard.dryrun``) implement them side by side; the bootstrap wires one set together."""

from slotguard.ports.calendar import (
    CalendarGateway,
    Clock,
    GroupMembers,
    Mailbox,
    NewEvent,
    NewTask,
    WeeklyRecurrence,
    WindowRead,
    WindowRequest,
)
from slotguard.ports.ledger import Intent, Ledger, ViolationSeen
from slotguard.ports.records import ActionRecord, ViolationRecord

__all__ = [
    "ActionRecord",
    "CalendarGateway",
    "Clock",
    "GroupMembers",
    "Intent",
    "Ledger",
    "Mailbox",
    "NewEvent",
    "NewTask",
    "ViolationRecord",
    "ViolationSeen",
    "WeeklyRecurrence",
    "WindowRead",
    "WindowRequest",
]
