"""The keys of what slotguard writes and coordinates, built and read in one place.

A key names a decision, not a Graph object: the same violation always yields the same
compensation and task keys, so a replayed scan finds what an earlier one wrote. The violation
key itself is ``BlockOccurrence.key`` (``"<seller upn lower>|<block rule id>|<local date>"``).
"""

from __future__ import annotations

from slotguard.domain.model import IsoWeek

_COMP_SEPARATOR = "#comp"
_TASK_SEPARATOR = "#task:"


def compensation_key(violation_key: str, index: int) -> str:
    return f"{violation_key}{_COMP_SEPARATOR}{index}"


def parse_compensation_key(key: str) -> tuple[str, int] | None:
    """``(violation_key, index)`` for a compensation key, ``None`` for anything else."""
    violation_key, separator, index = key.rpartition(_COMP_SEPARATOR)
    if not separator or not violation_key or not index.isdigit() or int(index) < 1:
        return None
    return violation_key, int(index)


def follow_up_key(violation_key: str, meeting_ref: str) -> str:
    return f"{violation_key}{_TASK_SEPARATOR}{meeting_ref}"


def habit_key(seller_upn: str, habit_id: str, week: IsoWeek) -> str:
    return f"{seller_upn.lower()}|habit:{habit_id}|{week}"


def series_key(seller_upn: str, rule_id: str) -> str:
    """The seller's visible recurring series of one block rule."""
    return f"{seller_upn.lower()}|{rule_id}|series"


def escalation_key(seller_upn: str, period: str) -> str:
    """The manager's notice about a seller, at most one per period (an ISO week)."""
    return f"{seller_upn.lower()}|escalation|{period}"


def lease_name(seller_upn: str) -> str:
    """The lease a replica holds while it works on a seller."""
    return f"seller:{seller_upn.lower()}"


def leased_seller(name: str) -> str:
    """The seller a ``lease_name`` is for."""
    return name.partition(":")[2]


def span_key(week: IsoWeek, weeks_after: int) -> str:
    """The ledger's name for the calendar span a judged week reads: the week and how many
    weeks after it (a stored delta link belongs to exactly one such span)."""
    return f"{week}+{weeks_after}"
