"""Which block occurrences were taken by meetings.

A meeting takes a block when it overlaps it by at least the policy's minimum (capped at the
block's own length, so a block shorter than the threshold can still be taken whole). Touching
the block's edge is no overlap at all. Each occurrence yields at most one violation, keyed by
the occurrence, holding every meeting that took it — a second meeting in the same block does
not earn a second set of compensations, and a re-scan finds the same key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from slotguard.domain.classify import MeetingClass, classify
from slotguard.domain.model import (
    BlockOccurrence,
    CalendarEvent,
    InternalMeetings,
    Rules,
    Seller,
    Violation,
    ViolationKind,
)


def find_violations(
    seller: Seller,
    occurrences: Sequence[BlockOccurrence],
    events: Iterable[CalendarEvent],
    rules: Rules,
) -> tuple[Violation, ...]:
    """One violation per taken occurrence, sorted by key."""
    if not occurrences:
        return ()
    policy = rules.policy
    ignore_internal = policy.internal_meetings is InternalMeetings.IGNORE
    window_start = min(occ.start for occ in occurrences)
    window_end = max(occ.end for occ in occurrences)
    thresholds = [min(policy.min_overlap, occ.end - occ.start) for occ in occurrences]
    taken: dict[int, list[tuple[CalendarEvent, MeetingClass]]] = {}
    verdicts: dict[int, MeetingClass] = {}

    for event in events:
        # Cheap time filter first: most of a week's events are nowhere near a block, and
        # classification (addresses, domains) is the expensive part.
        if event.end <= window_start or event.start >= window_end:
            continue
        for index, occ in enumerate(occurrences):
            if event.end <= occ.start or event.start >= occ.end:
                continue
            common = min(event.end, occ.end) - max(event.start, occ.start)
            if common < thresholds[index]:
                continue
            verdict = verdicts.get(id(event))
            if verdict is None:
                verdict = verdicts[id(event)] = classify(event, rules)
            if verdict is MeetingClass.CUSTOMER or (
                verdict is MeetingClass.INTERNAL and not ignore_internal
            ):
                taken.setdefault(index, []).append((event, verdict))

    violations = []
    for index, found in taken.items():
        occ = occurrences[index]
        customer = any(verdict is MeetingClass.CUSTOMER for _, verdict in found)
        meetings = tuple(sorted((event for event, _ in found), key=_meeting_order))
        violations.append(
            Violation(
                key=occ.key,
                seller=seller.upn,
                occurrence=occ,
                meetings=meetings,
                kind=ViolationKind.CUSTOMER if customer else ViolationKind.INTERNAL,
                compensate=customer or policy.internal_meetings is InternalMeetings.COMPENSATE,
            )
        )
    violations.sort(key=lambda violation: violation.key)
    return tuple(violations)


def _meeting_order(event: CalendarEvent) -> tuple[object, ...]:
    return (event.start, event.end, event.id)
