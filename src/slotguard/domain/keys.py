"""The idempotency keys of what slotguard writes, in one place.

A key names a decision, not a Graph object: the same violation always yields the same
compensation and task keys, so a replayed scan finds what an earlier one wrote. The violation
key itself is ``BlockOccurrence.key`` (``"<seller upn lower>|<block rule id>|<local date>"``).
"""

from __future__ import annotations

from slotguard.domain.model import IsoWeek

_COMP_SEPARATOR = "#comp"


def compensation_key(violation_key: str, index: int) -> str:
    return f"{violation_key}{_COMP_SEPARATOR}{index}"


def parse_compensation_key(key: str) -> tuple[str, int] | None:
    """``(violation_key, index)`` for a compensation key, ``None`` for anything else."""
    violation_key, separator, index = key.rpartition(_COMP_SEPARATOR)
    if not separator or not violation_key or not index.isdigit() or int(index) < 1:
        return None
    return violation_key, int(index)


def follow_up_key(violation_key: str, meeting_ref: str) -> str:
    return f"{violation_key}#task:{meeting_ref}"


def habit_key(seller_upn: str, habit_id: str, week: IsoWeek) -> str:
    return f"{seller_upn.lower()}|habit:{habit_id}|{week}"
