from datetime import timedelta

from slotguard.domain import expand_blocks, plan_withdrawals
from slotguard.domain.model import CalendarEvent, IsoWeek, OwnMarker, Policy, Purpose

from .factories import compensation_event, nordics_seller

SELLER = nordics_seller()
TUESDAY, THURSDAY = expand_blocks(SELLER, IsoWeek(2026, 13))
BY_KEY = {TUESDAY.key: TUESDAY, THURSDAY.key: THURSDAY}
LATER = TUESDAY.start + timedelta(days=7)


def comp(violation_key: str, index: int) -> CalendarEvent:
    return compensation_event(f"{violation_key}#comp{index}", LATER, LATER + timedelta(hours=2))


def test_a_resolved_violation_before_its_block_starts_withdraws_its_compensations() -> None:
    events = [comp(TUESDAY.key, 2), comp(TUESDAY.key, 1), comp(THURSDAY.key, 1)]
    before = TUESDAY.start - timedelta(minutes=1)
    withdrawn = plan_withdrawals({THURSDAY.key}, events, BY_KEY, before, Policy())
    assert [(w.key[-5:], w.violation_key) for w in withdrawn] == [
        ("comp1", TUESDAY.key),
        ("comp2", TUESDAY.key),
    ]
    assert withdrawn[0].event_id == f"comp-{TUESDAY.key}#comp1"


def test_once_the_lost_block_has_started_compensations_stay() -> None:
    events = [comp(TUESDAY.key, 1)]
    assert plan_withdrawals(set(), events, BY_KEY, TUESDAY.start, Policy()) == ()


def test_the_policy_can_keep_compensations() -> None:
    events = [comp(TUESDAY.key, 1)]
    keep = Policy(withdraw_when_resolved=False)
    assert plan_withdrawals(set(), events, BY_KEY, TUESDAY.start - timedelta(days=1), keep) == ()


def test_events_without_our_compensation_marker_are_never_touched() -> None:
    early = TUESDAY.start - timedelta(days=1)
    foreign = CalendarEvent("x", LATER, LATER + timedelta(hours=1), f"{TUESDAY.key}#comp1")
    block = CalendarEvent(
        "b", LATER, LATER + timedelta(hours=1), marker=OwnMarker(Purpose.BLOCK, TUESDAY.key)
    )
    odd = compensation_event("not-a-compensation-key", LATER, LATER + timedelta(hours=1))
    assert plan_withdrawals(set(), [foreign, block, odd], BY_KEY, early, Policy()) == ()


def test_an_unknown_lost_block_keeps_its_compensation() -> None:
    events = [comp("anna.berg@contoso.com|gone-rule|2026-03-24", 1)]
    assert plan_withdrawals(set(), events, BY_KEY, TUESDAY.start - timedelta(1), Policy()) == ()


def test_compensations_that_stay_do_not_stop_the_ones_after_them_being_withdrawn() -> None:
    early = TUESDAY.start - timedelta(days=1)
    foreign = CalendarEvent("x", LATER, LATER + timedelta(hours=1), "Lunch")
    still_owed = comp(THURSDAY.key, 1)
    unknown_block = comp("anna.berg@contoso.com|gone-rule|2026-03-24", 1)
    resolved = comp(TUESDAY.key, 1)
    events = [foreign, still_owed, unknown_block, resolved]
    withdrawn = plan_withdrawals({THURSDAY.key}, events, BY_KEY, early, Policy())
    assert [w.event_id for w in withdrawn] == [resolved.id]
