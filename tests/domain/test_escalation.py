from datetime import date

import pytest

from slotguard.domain import escalation_decision, should_escalate
from slotguard.domain.model import EscalationRules

RULES = EscalationRules(violations=3, weeks=4)
TODAY = date(2026, 4, 1)  # Wednesday of 2026-W14; the window is W11–W14 (9 March – 5 April)


def test_three_violations_within_four_iso_weeks_escalate() -> None:
    history = [date(2026, 3, 9), date(2026, 3, 19), date(2026, 4, 1)]
    decision = escalation_decision(history, TODAY, RULES)
    assert decision.escalate and decision.count == 3
    assert (decision.window_start, decision.window_end) == (date(2026, 3, 9), date(2026, 4, 5))
    assert should_escalate(history, TODAY, RULES)


def test_a_violation_before_the_window_does_not_count() -> None:
    history = [date(2026, 3, 8), date(2026, 3, 19), date(2026, 4, 1)]  # 8 March is W10
    assert not should_escalate(history, TODAY, RULES)


def test_later_this_week_counts_and_disabled_never_escalates() -> None:
    history = [date(2026, 3, 10), date(2026, 3, 31), date(2026, 4, 2)]
    assert should_escalate(history, TODAY, RULES)
    off = EscalationRules(violations=3, weeks=4, enabled=False)
    assert not should_escalate(history, TODAY, off)
    assert escalation_decision(history, TODAY, off).count == 3


def test_two_violations_on_one_day_count_twice() -> None:
    day = date(2026, 3, 31)
    assert should_escalate([day, day, day], TODAY, RULES)


def test_a_window_crosses_the_year_boundary() -> None:
    history = [date(2025, 12, 29), date(2026, 1, 2), date(2026, 1, 5)]  # 2026-W01 and W02
    assert should_escalate(history, date(2026, 1, 6), EscalationRules(violations=3, weeks=2))


def test_one_violation_in_the_current_week_alone_can_escalate() -> None:
    strictest = EscalationRules(violations=1, weeks=1)
    sunday = date(2026, 4, 5)  # the Sunday that ends W14, counted
    decision = escalation_decision([sunday], TODAY, strictest)
    assert decision.escalate and decision.count == 1
    assert (decision.window_start, decision.window_end) == (date(2026, 3, 30), sunday)
    assert not should_escalate([date(2026, 3, 29)], TODAY, strictest)  # W13's Sunday


def test_a_violation_on_the_sunday_that_ends_the_window_counts() -> None:
    history = [date(2026, 3, 9), date(2026, 3, 19), date(2026, 4, 5)]
    assert escalation_decision(history, TODAY, RULES).count == 3


@pytest.mark.parametrize(("violations", "weeks"), [(3, 0), (0, 4)])
def test_nonsense_rules_are_a_named_error(violations: int, weeks: int) -> None:
    with pytest.raises(ValueError) as error:
        should_escalate([], TODAY, EscalationRules(violations=violations, weeks=weeks))
    assert str(error.value) == "escalation: violations and weeks must be at least 1"
