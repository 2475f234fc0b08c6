"""When a seller's manager hears about lost blocks: N violations within the last M ISO weeks.

The window is whole ISO weeks, the current one included, so "3 within 4 weeks" judged on a
Monday looks back to the Monday three weeks earlier, not to an arbitrary 28 days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from slotguard.domain.model import EscalationRules, IsoWeek


@dataclass(frozen=True, slots=True)
class EscalationDecision:
    escalate: bool
    count: int  # violations inside the window
    window_start: date  # Monday of the first week counted
    window_end: date  # Sunday of the current week

    def __bool__(self) -> bool:
        return self.escalate


def should_escalate(history: Iterable[date], today: date, rules: EscalationRules) -> bool:
    """Whether the manager should be told; see ``escalation_decision`` for the figures."""
    return escalation_decision(history, today, rules).escalate


def escalation_decision(
    history: Iterable[date], today: date, rules: EscalationRules
) -> EscalationDecision:
    """Count ``history`` (one seller-local date per violation) in the window ending this week."""
    if rules.weeks < 1 or rules.violations < 1:
        raise ValueError("escalation: violations and weeks must be at least 1")
    current = IsoWeek.of(today)
    window_start = current.shift(-(rules.weeks - 1)).monday()
    window_end = current.monday() + timedelta(days=6)
    count = sum(1 for day in history if window_start <= day <= window_end)
    return EscalationDecision(
        escalate=rules.enabled and count >= rules.violations,
        count=count,
        window_start=window_start,
        window_end=window_end,
    )
