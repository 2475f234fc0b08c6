"""Runs, violations, shortfalls, problems, escalations, delta links and the summary."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from slotguard.store import Ledger

from .conftest import FakeClock

ANNA = "anna.berg@contoso.com"
TUE = date(2026, 11, 24)
THU = date(2026, 11, 26)


def vkey(day: date, seller: str = ANNA) -> str:
    return f"{seller}|nordics-prospecting|{day.isoformat()}"


def see(ledger: Ledger, day: date, seller: str = ANNA, meetings: list[dict] | None = None) -> bool:
    start = datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC)
    return ledger.upsert_violation(
        vkey(day, seller), seller, "Nordics", "nordics-prospecting", day,
        start, start.replace(hour=9), "customer",
        meetings if meetings is not None else [{"id": "m1", "start": start}],
    )


def test_runs(ledger: Ledger, clock: FakeClock) -> None:
    run_id = ledger.start_run("replica-a", "2026-w48", dry_run=False)
    clock.advance(3)
    ledger.finish_run(run_id, {"sellers": 8, "violations": 3}, error=None)

    (run,) = ledger.runs()
    assert (run.id, run.replica, run.week, run.dry_run) == (run_id, "replica-a", "2026-W48", False)
    assert run.finished_at == clock.now and run.stats == {"sellers": 8, "violations": 3}
    assert ledger.last_run() == run
    with pytest.raises(LookupError, match="run_id"):
        ledger.finish_run(run_id + 100, {})
    with pytest.raises(ValueError, match="week: expected an ISO week such as 2026-W48"):
        ledger.start_run("replica-a", "48", dry_run=True)


def test_violation_upsert_keeps_first_seen_and_state(ledger: Ledger, clock: FakeClock) -> None:
    first_seen = clock.now
    assert see(ledger, TUE)
    assert ledger.set_violation_state(vkey(TUE), "compensated")
    clock.advance(300)
    assert not see(ledger, TUE, meetings=[{"id": "m1"}, {"id": "m2"}])

    violation = ledger.violation(vkey(TUE))
    assert violation is not None
    assert (violation.first_seen, violation.last_seen) == (first_seen, clock.now)
    assert violation.state == "compensated"
    assert violation.meetings == [{"id": "m1"}, {"id": "m2"}]
    assert (violation.week, violation.block_day) == ("2026-W48", TUE)
    assert violation.block_start == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


def seen(day: date, meetings: list[dict]) -> tuple:
    start = datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC)
    return (vkey(day), ANNA.upper(), "Nordics", "nordics-prospecting", day, start,
            start.replace(hour=9), "customer", meetings)


def test_a_sellers_violations_are_recorded_together(ledger: Ledger, clock: FakeClock) -> None:
    """New and known violations in one call, as one at a time would leave them: the new
    ones returned, a known one keeping first_seen and state, a key given twice once."""
    first_seen = clock.now
    assert see(ledger, TUE)
    ledger.set_violation_state(vkey(TUE), "compensated")
    clock.advance(300)
    new = ledger.upsert_violations([seen(TUE, [{"id": "m2"}]), seen(THU, [{"id": "m3"}])])
    assert new == {vkey(THU)}
    tue, thu = ledger.violation(vkey(TUE)), ledger.violation(vkey(THU))
    assert tue is not None and thu is not None
    assert (tue.state, tue.first_seen, tue.last_seen) == ("compensated", first_seen, clock.now)
    assert tue.meetings == [{"id": "m2"}]
    assert (thu.state, thu.first_seen, thu.seller) == ("open", clock.now, ANNA)
    assert (thu.week, thu.meetings) == ("2026-W48", [{"id": "m3"}])

    clock.advance(60)
    friday = date(2026, 11, 27)
    twice = ledger.upsert_violations([seen(friday, [{"id": "a"}]), seen(friday, [{"id": "b"}])])
    assert twice == {vkey(friday)}
    again = ledger.violation(vkey(friday))
    assert again is not None and again.meetings == [{"id": "b"}]
    assert len(ledger.violations()) == 3
    assert ledger.upsert_violations([]) == set()


def test_meeting_datetimes_are_stored_as_iso_text(ledger: Ledger) -> None:
    see(ledger, TUE)
    violation = ledger.violation(vkey(TUE))
    assert violation is not None and violation.meetings == [
        {"id": "m1", "start": "2026-11-24T07:00:00+00:00"}
    ]


def test_violation_state_changes(ledger: Ledger, clock: FakeClock) -> None:
    see(ledger, TUE)
    clock.advance(60)
    assert ledger.set_violation_state(vkey(TUE), "withdrawn")
    assert not ledger.set_violation_state(vkey(TUE), "withdrawn")
    violation = ledger.violation(vkey(TUE))
    assert violation is not None and violation.state_changed_at == clock.now
    with pytest.raises(ValueError, match="state: 'gone' is not one of"):
        ledger.set_violation_state(vkey(TUE), "gone")
    with pytest.raises(LookupError, match="no violation"):
        ledger.set_violation_state(vkey(THU, "nobody@contoso.com"), "open")


def test_violation_queries(ledger: Ledger) -> None:
    see(ledger, THU)
    see(ledger, TUE)
    see(ledger, date(2026, 12, 1))  # W49
    see(ledger, TUE, seller="erik.holm@contoso.com")
    ledger.set_violation_state(vkey(THU), "resolved")

    assert [v.key for v in ledger.violations(seller="Anna.Berg@contoso.com", week="2026-W48")] == [
        vkey(TUE), vkey(THU)
    ]
    assert [v.key for v in ledger.violations(states=["resolved"])] == [vkey(THU)]
    assert len(ledger.violations(week="2026-W48")) == 3
    # a resolved violation (the meeting left the block in time) does not count
    assert ledger.violation_dates(ANNA, since=TUE) == [TUE, date(2026, 12, 1)]
    assert ledger.violation_dates(ANNA, since=THU) == [date(2026, 12, 1)]
    assert ledger.violation_dates(ANNA, since=TUE, states=["resolved"]) == [THU]
    # the same for many sellers at once, as a wave reads it
    many = ledger.violation_days([ANNA, "Erik.Holm@contoso.com", "nobody@contoso.com"], TUE)
    assert many == {ANNA.lower(): {TUE, date(2026, 12, 1)}, "erik.holm@contoso.com": {TUE}}


def test_shortfalls(ledger: Ledger, clock: FakeClock) -> None:
    assert ledger.record_shortfall(vkey(TUE), ANNA, 1, "2026-W49")
    clock.advance(300)
    assert not ledger.record_shortfall(vkey(TUE), ANNA, 2, "2026-W49")
    (shortfall,) = ledger.shortfalls(seller=ANNA)
    assert (shortfall.missing, shortfall.week, shortfall.last_seen) == (2, "2026-W49", clock.now)

    ledger.record_shortfall(vkey(TUE), ANNA, 0, "2026-W49")  # room was found after all
    assert ledger.shortfalls() == []
    with pytest.raises(ValueError, match="missing: must be 0 or more"):
        ledger.record_shortfall(vkey(TUE), ANNA, -1, "2026-W49")


def test_a_sellers_violations_settle_together(ledger: Ledger, clock: FakeClock) -> None:
    """States and cleared shortfalls for many violations at once, as one at a time would
    leave them: an unchanged state keeps its time, a shortfall of another week stays."""
    for day in (TUE, THU):
        see(ledger, day)
    ledger.set_violation_state(vkey(THU), "compensated")
    changed_at = ledger.violation(vkey(THU)).state_changed_at  # type: ignore[union-attr]
    ledger.record_shortfall(vkey(TUE), ANNA, 1, "2026-W49")
    ledger.record_shortfall(vkey(THU), ANNA, 1, "2026-W49")
    ledger.record_shortfall(vkey(TUE), ANNA, 2, "2026-W50")
    clock.advance(60)
    ledger.set_violation_states({vkey(TUE): "compensated", vkey(THU): "compensated"})
    ledger.clear_shortfalls([vkey(TUE), vkey(THU), vkey(TUE)], "2026-W49")
    tue, thu = ledger.violation(vkey(TUE)), ledger.violation(vkey(THU))
    assert tue is not None and thu is not None
    assert (tue.state, tue.state_changed_at) == ("compensated", clock.now)
    assert (thu.state, thu.state_changed_at) == ("compensated", changed_at)
    assert [(s.violation_key, s.week) for s in ledger.shortfalls()] == [(vkey(TUE), "2026-W50")]
    ledger.set_violation_states({})
    ledger.clear_shortfalls([], "2026-W49")
    with pytest.raises(ValueError, match="state: 'gone' is not one of"):
        ledger.set_violation_states({vkey(TUE): "gone"})


def test_seller_problems(ledger: Ledger) -> None:
    run_id = ledger.start_run("replica-a", "2026-W48", dry_run=False)
    ledger.record_seller_problem(run_id, "Johan.Ek@contoso.com", "mailbox_missing", "x" * 10_000)
    ledger.record_seller_problem(None, "sara.nyberg@contoso.com", "access_denied", "policy")

    (problem,) = ledger.seller_problems(run_id=run_id)
    assert (problem.seller, problem.code) == ("johan.ek@contoso.com", "mailbox_missing")
    assert len(problem.message) == 4000  # kept readable, not a dump
    assert [p.code for p in ledger.seller_problems(seller="sara.nyberg@contoso.com")] == [
        "access_denied"
    ]


def test_escalation_is_recorded_once_per_period(open_ledger) -> None:  # type: ignore[no-untyped-def]
    a, b = open_ledger(), open_ledger()
    assert a.record_escalation(ANNA, "2026-W48", 3)
    assert not b.record_escalation(ANNA.upper(), "2026-W48", 4)
    assert b.record_escalation(ANNA, "2026-W49", 4)
    assert [(s, p, n) for s, p, n, _ in a.escalations(ANNA)] == [
        (ANNA, "2026-W48", 3), (ANNA, "2026-W49", 4)
    ]


def test_delta_links(ledger: Ledger) -> None:
    assert ledger.delta_link(ANNA, "2026-W48") is None
    ledger.save_delta_link(ANNA, "2026-W48", "https://graph/delta?token=1", b"\x00events-1")
    ledger.save_delta_link(ANNA, "2026-W49", "https://graph/delta?token=9")
    ledger.save_delta_link(ANNA, "2026-W48", "https://graph/delta?token=2", b"\x00events-2")

    assert ledger.delta_link("ANNA.BERG@contoso.com", "2026-W48") == "https://graph/delta?token=2"
    assert ledger.delta_snapshot(ANNA, "2026-W48") == b"\x00events-2"
    assert ledger.delta_snapshot(ANNA, "2026-W49") is None

    ledger.save_delta_link(ANNA, "2026-W48", "https://graph/delta?token=3")
    assert ledger.delta_snapshot(ANNA, "2026-W48") is None  # link and snapshot go together
    ledger.drop_delta_link(ANNA, "2026-W48")
    assert ledger.delta_link(ANNA, "2026-W48") is None
    assert ledger.delta_link(ANNA, "2026-W49") == "https://graph/delta?token=9"


def test_delta_states_and_links_of_many_sellers(ledger: Ledger, clock: FakeClock) -> None:
    erik, sara = "erik.holm@contoso.com", "sara.nyberg@contoso.com"
    ledger.save_delta_link(ANNA, "2026-W48+1", "link-a1", b"snap-a1")
    ledger.save_delta_links("2026-W48+1", [("Erik.Holm@contoso.com", "link-e1", b"snap-e1"),
                                           (ANNA, "link-a2", None)])
    ledger.save_delta_link(sara, "2026-W47+1", "old", b"old")
    states = ledger.delta_states([ANNA, erik.upper(), sara], "2026-W48+1")
    assert states == {ANNA: ("link-a2", None), erik: ("link-e1", b"snap-e1")}
    clock.advance(60)
    many = [(f"s{i}@contoso.com", f"link-{i}", bytes([i % 256])) for i in range(450)]
    ledger.save_delta_links("2026-W48+1", many)  # more rows than one statement carries
    ledger.save_delta_links("2026-W48+1", [])
    found = ledger.delta_states([u for u, _, _ in many], "2026-W48+1")
    assert found == {u: (link, snap) for u, link, snap in many}

    assert ledger.prune_delta_links("2026-W48") == 1  # only the older week's window goes
    assert ledger.delta_link(sara, "2026-W47+1") is None
    assert ledger.delta_link(erik, "2026-W48+1") == "link-e1"
    with pytest.raises(ValueError, match="week"):
        ledger.prune_delta_links("last week")


def test_summary_counts(ledger: Ledger) -> None:
    run_id = ledger.start_run("replica-a", "2026-W48", dry_run=False)
    see(ledger, TUE)
    see(ledger, THU)
    ledger.set_violation_state(vkey(TUE), "compensated")
    for i in (1, 2):
        ledger.intend(f"{vkey(TUE)}#comp{i}", ANNA, "compensation", vkey(TUE))
        ledger.complete(f"{vkey(TUE)}#comp{i}", f"AAMk{i}")
    ledger.intend(f"{vkey(TUE)}#task:m1", ANNA, "task", vkey(TUE))
    ledger.record_shortfall(vkey(THU), ANNA, 2, "2026-W49")
    ledger.record_seller_problem(run_id, "johan.ek@contoso.com", "mailbox_missing", "gone")
    ledger.try_lease("seller:" + ANNA, "replica-a", 60)
    ledger.finish_run(run_id, {"sellers": 2})

    summary = ledger.summary()
    assert summary["violations"] == {"total": 2, "by_state": {"compensated": 1, "open": 1}}
    assert summary["actions"] == {
        "total": 3, "by_state": {"done": 2, "intended": 1},
        "by_kind": {"compensation": 2, "task": 1},
    }
    assert summary["shortfalls"] == {"violations": 1, "missing": 2}
    assert (summary["runs"], summary["seller_problems"], summary["leases_held"]) == (1, 1, 1)
    assert summary["last_run"]["stats"] == {"sellers": 2}

    by_seller = {row["seller"]: row for row in ledger.seller_summary(week="2026-W48")}
    assert by_seller[ANNA] | {} == {
        "seller": ANNA, "team": "Nordics", "violations": 2, "open": 1, "compensations": 2,
        "tasks": 0, "pending": 1, "missing": 0, "problems": 0,
    }
    assert by_seller["johan.ek@contoso.com"]["problems"] == 1


def test_naive_clock_is_refused(open_ledger) -> None:  # type: ignore[no-untyped-def]
    ledger = open_ledger(lambda: datetime(2026, 11, 23, 8, 0))
    with pytest.raises(ValueError, match="clock: returned a naive datetime"):
        ledger.start_run("replica-a", "2026-W48", dry_run=False)
