"""Intents before Graph writes: one key is one row, whatever repeats, crashes or races."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from slotguard.store import ActionRecord, Ledger
from slotguard.store.schema import actions

from .conftest import FakeClock

VKEY = "anna.berg@contoso.com|nordics-prospecting|2026-11-24"
COMP1 = f"{VKEY}#comp1"


def rows(ledger: Ledger) -> int:
    with ledger.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(actions)).scalar_one())


def test_first_intent_is_new_and_pending(ledger: Ledger) -> None:
    record = ledger.intend(COMP1, "Anna.Berg@contoso.com", "compensation", VKEY, {"slot": 1})

    assert (record.state, record.attempts, record.graph_id) == ("intended", 1, None)
    assert record.seller == "anna.berg@contoso.com"
    assert ledger.action(COMP1) == record
    assert ledger.pending_actions() == [record]


def test_intending_again_returns_the_same_row_and_counts_the_attempt(
    ledger: Ledger, clock: FakeClock
) -> None:
    first = ledger.intend(COMP1, "anna.berg@contoso.com", "compensation", VKEY, {"slot": 1})
    clock.advance(60)
    again = ledger.intend(COMP1, "anna.berg@contoso.com", "compensation", VKEY)

    assert rows(ledger) == 1
    assert again.attempts == 2  # an earlier attempt may have reached Graph: look first
    assert again.created_at == first.created_at
    assert again.updated_at == clock.now
    assert again.payload == {"slot": 1}  # kept when no new payload is given


def test_done_action_is_returned_unchanged(ledger: Ledger, clock: FakeClock) -> None:
    ledger.intend(COMP1, "anna.berg@contoso.com", "compensation", VKEY)
    clock.advance(5)
    ledger.complete(COMP1, "AAMkImmutable1")
    done = ledger.action(COMP1)
    assert done is not None
    assert (done.state, done.graph_id, done.completed_at) == ("done", "AAMkImmutable1", clock.now)

    clock.advance(300)
    assert ledger.intend(COMP1, "anna.berg@contoso.com", "compensation", VKEY) == done
    assert ledger.pending_actions() == []


def test_failed_action_is_rearmed_with_new_payload(ledger: Ledger) -> None:
    ledger.intend(COMP1, "anna.berg@contoso.com", "compensation", VKEY, {"slot": 1})
    ledger.fail(COMP1, "503 Service Unavailable")
    failed = ledger.action(COMP1)
    assert failed is not None
    assert (failed.state, failed.error) == ("failed", "503 Service Unavailable")
    assert ledger.pending_actions() == [failed]  # a failed write may still have landed

    retry = ledger.intend(COMP1, "anna.berg@contoso.com", "compensation", VKEY, {"slot": 2})
    assert (retry.state, retry.attempts, retry.payload) == ("intended", 2, {"slot": 2})


def test_fail_does_not_undo_a_completed_action(ledger: Ledger) -> None:
    ledger.intend(COMP1, "anna.berg@contoso.com", "compensation", VKEY)
    ledger.complete(COMP1, "AAMk1")
    ledger.fail(COMP1, "late timeout from an earlier attempt")
    record = ledger.action(COMP1)
    assert record is not None and (record.state, record.error) == ("done", None)


def test_withdrawn_keeps_the_graph_id(ledger: Ledger) -> None:
    ledger.intend(COMP1, "anna.berg@contoso.com", "compensation", VKEY)
    ledger.complete(COMP1, "AAMk1")
    ledger.mark_withdrawn(COMP1)

    record = ledger.action(COMP1)
    assert record is not None and (record.state, record.graph_id) == ("withdrawn", "AAMk1")
    assert ledger.intend(COMP1, "anna.berg@contoso.com", "compensation", VKEY) == record


def test_filters(ledger: Ledger) -> None:
    ledger.intend(COMP1, "anna.berg@contoso.com", "compensation", VKEY)
    ledger.intend(f"{VKEY}#task:m1", "anna.berg@contoso.com", "task", VKEY)
    ledger.intend("erik.holm@contoso.com|nordics-prospecting|series", "erik.holm@contoso.com",
                  "block_series")
    ledger.complete(COMP1, "AAMk1")

    def keys(found: list[ActionRecord]) -> list[str]:
        return [a.key for a in found]

    assert keys(ledger.actions(violation_key=VKEY)) == [COMP1, f"{VKEY}#task:m1"]
    assert keys(ledger.actions(kind="block_series")) == [
        "erik.holm@contoso.com|nordics-prospecting|series"
    ]
    assert keys(ledger.actions(seller="ANNA.BERG@contoso.com", states=["done"])) == [COMP1]
    assert keys(ledger.pending_actions(seller="anna.berg@contoso.com")) == [f"{VKEY}#task:m1"]
    ledger.intend("sara.nyberg@contoso.com|habit:h1|2026-W48", "sara.nyberg@contoso.com",
                  "habit")
    assert keys(ledger.actions(sellers=["Erik.Holm@contoso.com", "anna.berg@contoso.com"])) == [
        COMP1, f"{VKEY}#task:m1", "erik.holm@contoso.com|nordics-prospecting|series"]
    assert ledger.actions(sellers=[]) == []
    many = [f"s{i}@contoso.com" for i in range(600)] + ["sara.nyberg@contoso.com"]
    assert keys(ledger.actions(sellers=many)) == ["sara.nyberg@contoso.com|habit:h1|2026-W48"]


def test_bad_input_is_named(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="kind: 'event' is not one of"):
        ledger.intend(COMP1, "anna.berg@contoso.com", "event")
    with pytest.raises(LookupError, match="call intend"):
        ledger.complete("nobody|x|2026-11-24#comp1", "AAMk1")
    ledger.intend(COMP1, "anna.berg@contoso.com", "compensation")
    with pytest.raises(ValueError, match="already belongs to compensation"):
        ledger.intend(COMP1, "anna.berg@contoso.com", "task")


def test_two_writers_racing_on_one_key_make_one_row(open_ledger: Callable[..., Ledger]) -> None:
    replicas = [open_ledger(), open_ledger()]  # separate engines, as two processes would have
    keys = [f"{VKEY}#comp{i}" for i in range(1, 13)]
    start = threading.Barrier(2)
    results: list[list[ActionRecord]] = [[], []]
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            for key in keys:
                start.wait(timeout=10)
                results[index].append(
                    replicas[index].intend(key, "anna.berg@contoso.com", "compensation", VKEY)
                )
        except BaseException as exc:  # surfaced below, not lost in the thread
            errors.append(exc)
            start.abort()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert rows(replicas[0]) == len(keys)
    for mine, theirs in zip(*results, strict=True):
        assert mine.key == theirs.key
        assert sorted([mine.attempts, theirs.attempts]) == [1, 2]  # exactly one created it


def test_a_sellers_writes_complete_together(ledger: Ledger, clock: FakeClock) -> None:
    keys = [f"{VKEY}#comp1", f"{VKEY}#comp2", f"{VKEY}#task:m1"]
    for key in keys:
        ledger.intend(key, "anna.berg@contoso.com", "task" if "task" in key else "compensation")
    clock.advance(5)
    ledger.complete_many([(key, f"AAMk{i}") for i, key in enumerate(keys)])
    done = [ledger.action(key) for key in keys]
    assert [(a.state, a.graph_id, a.completed_at) for a in done if a is not None] == [
        ("done", f"AAMk{i}", clock.now) for i in range(3)]
    ledger.complete_many([(keys[0], "AAMk0")])  # again: the same, no error
    ledger.complete_many([])
    with pytest.raises(LookupError, match=re.escape("'nobody|x|2026-11-24#comp1'; call intend")):
        ledger.complete_many([(keys[1], "AAMk1"), ("nobody|x|2026-11-24#comp1", "AAMk9")])


def test_a_sellers_writes_are_intended_together(ledger: Ledger, clock: FakeClock) -> None:
    """New keys go in together; a key already intended is re-armed and a done one comes
    back as it is, exactly as one intend() each would have it, in the order asked."""
    task, comp2 = f"{VKEY}#task:m1", f"{VKEY}#comp2"
    ledger.intend(COMP1, "anna.berg@contoso.com", "compensation", VKEY)
    ledger.intend(task, "anna.berg@contoso.com", "task", VKEY)
    ledger.complete(task, "AAMkTask")
    clock.advance(60)
    records = ledger.intend_many([
        (comp2, "Anna.Berg@contoso.com", "compensation", VKEY, {"slot": 2}),
        (COMP1, "anna.berg@contoso.com", "compensation", VKEY, {"slot": 1}),
        (task, "anna.berg@contoso.com", "task", VKEY, None),
        (f"{VKEY}#comp3", "anna.berg@contoso.com", "compensation", VKEY, None),
    ])
    assert [(r.key, r.state, r.attempts) for r in records] == [
        (comp2, "intended", 1), (COMP1, "intended", 2), (task, "done", 1),
        (f"{VKEY}#comp3", "intended", 1)]
    assert records[0] == ledger.action(comp2) and records[0].seller == "anna.berg@contoso.com"
    assert records[0].payload == {"slot": 2} and records[0].created_at == clock.now
    assert records[1] == ledger.action(COMP1) and records[1].payload == {"slot": 1}
    assert rows(ledger) == 4
    twice = f"{VKEY}#comp5"  # as two intend() calls: the second re-arms the first
    again = ledger.intend_many([(twice, "anna.berg@contoso.com", "compensation", VKEY, None),
                                (twice, "anna.berg@contoso.com", "compensation", VKEY, None)])
    assert [(r.key, r.attempts) for r in again] == [(twice, 1), (twice, 2)]
    assert rows(ledger) == 5
    assert ledger.intend_many([]) == []
    with pytest.raises(ValueError, match="kind: 'event' is not one of"):
        ledger.intend_many([(f"{VKEY}#comp4", "anna.berg@contoso.com", "event", VKEY, None)])
    assert rows(ledger) == 5
