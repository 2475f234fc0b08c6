"""Which compensations to take back when the violation they made up for has gone away.

A customer meeting that moves out of the block (or is cancelled) before the block starts
leaves the seller the block after all, so the compensations are no longer owed. Once the block
has started the loss is history and the compensations stay. Only events carrying slotguard's
compensation marker are ever considered; a compensation whose lost block is unknown to the
caller is kept, because nothing proves that block has not started.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from slotguard.domain.keys import parse_compensation_key
from slotguard.domain.model import BlockOccurrence, CalendarEvent, Policy, Purpose


@dataclass(frozen=True, slots=True)
class Withdrawal:
    event_id: str  # the calendar event to delete
    key: str  # its compensation key
    violation_key: str


def plan_withdrawals(
    current_violation_keys: Collection[str],
    existing_compensations: Iterable[CalendarEvent],
    occurrences_by_key: Mapping[str, BlockOccurrence],
    now: datetime,
    policy: Policy,
) -> tuple[Withdrawal, ...]:
    """Compensations to delete, sorted by key then event id.

    ``current_violation_keys`` are the violations that still earn compensation (an
    occurrence now taken by internal meetings only, under a policy that reports them, does
    not).
    """
    if not policy.withdraw_when_resolved:
        return ()
    withdrawals: list[Withdrawal] = []
    for event in existing_compensations:
        marker = event.marker
        if marker is None or marker.purpose is not Purpose.COMPENSATION:
            continue
        parsed = parse_compensation_key(marker.key)
        if parsed is None or parsed[0] in current_violation_keys:
            continue
        lost = occurrences_by_key.get(parsed[0])
        if lost is None or now >= lost.start:
            continue
        withdrawals.append(Withdrawal(event.id, marker.key, parsed[0]))
    withdrawals.sort(key=lambda w: (w.key, w.event_id))
    return tuple(withdrawals)
