"""The unchanged-seller shortcut: a seller whose inputs match a cycle that wrote nothing is
not decided again, and nothing that could change the decision is ever hidden by it — a
calendar change, a pending write, a new week, a new day, new rules, a block start passing.
A cycle that wrote is not remembered: the next one decides again (reading its writes back,
writing nothing, looking nothing up) and is remembered."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from tests.service.conftest import ANNA, ERIK, WEEK, World, at, customer_meeting

from slotguard.domain.model import Policy, Purpose, Weekday
from slotguard.errors import MailboxUnavailable
from slotguard.memory import moved
from slotguard.service.report import ScanReport, SellerReport
from slotguard.service.scan import Scanner


def scan(scanner: Scanner, week: object = WEEK) -> ScanReport:
    return asyncio.run(scanner.scan(week=week))  # type: ignore[arg-type]


def of(report: ScanReport, upn: str) -> SellerReport:
    return next(s for s in report.sellers if s.upn == upn)


def decided(world: World) -> set[str]:
    """Sellers the last scans looked at beyond the shared read (the in-memory gateway
    logs every call; reading is mailbox + events, deciding writes or looks up)."""
    return {upn for op, upn in world.gateway.calls if op not in {"mailbox", "events"}}


def meeting_in_tuesday_block(world: World) -> None:
    world.gateway.put_event(ANNA, customer_meeting(
        "m1", at(Weekday.TUESDAY, 8, 30), at(Weekday.TUESDAY, 9, 30)))


def test_settled_sellers_are_skipped_with_the_result_kept(world: World) -> None:
    meeting_in_tuesday_block(world)
    scanner = world.scanner()
    first = scan(scanner)
    assert of(first, ANNA).placed() == 2 and not of(first, ANNA).unchanged
    writes, actions = world.gateway.writes, world.ledger.actions()
    world.gateway.calls.clear()
    world.clock.instant += timedelta(minutes=5)

    # The first cycle wrote for Anna: the second decides her again, reads its writes back
    # and has nothing to write or look up; Erik, who had nothing to write, is skipped.
    second = scan(scanner)
    assert not of(second, ANNA).unchanged and of(second, ERIK).unchanged
    assert {c.status for c in of(second, ANNA).compensations} == {"existing"}
    assert decided(world) == set() and world.gateway.writes == writes
    assert world.ledger.actions() == actions
    violation = world.ledger.violation(of(first, ANNA).violations[0].key)
    world.clock.instant += timedelta(minutes=5)

    third = scan(scanner)
    anna = of(third, ANNA)
    assert anna.unchanged and of(third, ERIK).unchanged
    # The result stands as it is, now as existing compensations and tasks.
    assert [v.key for v in anna.violations] == [v.key for v in of(first, ANNA).violations]
    assert {c.status for c in anna.compensations} == {"existing"} and len(anna.compensations) == 2
    assert decided(world) == set() and world.gateway.writes == writes
    assert world.ledger.actions() == actions
    after = world.ledger.violation(violation.key)  # type: ignore[union-attr]
    assert after == violation  # not even an observation was written


def test_a_calendar_change_is_decided(world: World) -> None:
    scanner = world.scanner()
    scan(scanner)
    scan(scanner)
    assert of(scan(scanner), ANNA).unchanged
    meeting_in_tuesday_block(world)
    report = scan(scanner)
    assert not of(report, ANNA).unchanged and of(report, ANNA).placed() == 2
    assert of(report, ERIK).unchanged


def test_a_pending_write_is_never_skipped(world: World) -> None:
    meeting_in_tuesday_block(world)
    # A write left intended (a crash after the intent, another replica's failed attempt):
    # only a full decision may look after it, so the seller is decided every cycle.
    violation = f"{ANNA}|prospecting|{WEEK.day(Weekday.TUESDAY)}"
    world.ledger.intend(f"{violation}#task:other", ANNA, "task", violation)
    scanner = world.scanner()
    for _ in range(3):
        report = scan(scanner)
    assert not of(report, ANNA).unchanged
    assert of(report, ERIK).unchanged


def test_a_new_week_and_a_new_day_are_decided(world: World) -> None:
    meeting_in_tuesday_block(world)
    scanner = world.scanner()
    scan(scanner)
    scan(scanner)  # reads the first cycle's writes back
    assert of(scan(scanner), ANNA).unchanged
    world.clock.instant += timedelta(days=1)  # Tuesday 07:00: same week, another day
    assert not of(scan(scanner), ANNA).unchanged
    assert of(scan(scanner), ANNA).unchanged
    next_week = scan(scanner, WEEK.shift(1))
    assert not of(next_week, ANNA).unchanged and not of(next_week, ERIK).unchanged


def test_new_rules_are_decided(world: World) -> None:
    meeting_in_tuesday_block(world)
    scanner = world.scanner()
    scan(scanner)
    scan(scanner)  # reads the first cycle's writes back
    assert of(scan(scanner), ANNA).unchanged
    scanner.rules = replace(world.rules, policy=replace(Policy(), compensation_count=3))
    report = scan(scanner)
    assert not of(report, ANNA).unchanged and of(report, ANNA).placed() == 1


def test_a_block_start_passing_is_honoured(world: World) -> None:
    """Settled on Tuesday 07:00; the clock passes the block's start with nothing changed
    (still skipped: no withdrawal could be due any more); then the meeting leaves the
    block — too late, the compensations stay. The same move before the start withdraws."""
    for when, withdrawn in ((at(Weekday.TUESDAY, 8, 15), False),
                            (at(Weekday.TUESDAY, 7, 45), True)):
        world.gateway.remove_event(ANNA, "m1")
        world.ledger.close()
        world.ledger = type(world.ledger).open("sqlite://", world.clock.now, migrate=True)
        for event in world.gateway.own(ANNA):
            world.gateway.remove_event(ANNA, event.id)
        meeting = customer_meeting("m1", at(Weekday.TUESDAY, 8, 30), at(Weekday.TUESDAY, 9, 30))
        world.gateway.put_event(ANNA, meeting)
        world.clock.instant = at(Weekday.TUESDAY, 7)
        scanner = world.scanner()
        scan(scanner)
        scan(scanner)  # reads the first cycle's writes back
        assert of(scan(scanner), ANNA).unchanged
        world.clock.instant = when
        assert of(scan(scanner), ANNA).unchanged
        world.gateway.put_event(ANNA, moved(meeting, at(Weekday.TUESDAY, 13),
                                            at(Weekday.TUESDAY, 14)))
        report = of(scan(scanner), ANNA)
        assert not report.unchanged
        own = [e for e in world.gateway.own(ANNA) if e.marker.purpose is Purpose.COMPENSATION]  # type: ignore[union-attr]
        if withdrawn:
            assert len(report.withdrawals) == 2 and own == []
        else:
            assert report.withdrawals == [] and len(own) == 2


def test_dry_runs_never_skip_nor_settle(world: World) -> None:
    meeting_in_tuesday_block(world)
    dry = world.scanner(dry_run=True)
    asyncio.run(dry.scan(week=WEEK))
    assert len(dry.settled) == 0
    scanner = world.scanner()
    for _ in range(3):
        scan(scanner)
    report = asyncio.run(dry.scan(week=WEEK))
    assert not of(report, ANNA).unchanged and of(report, ANNA).violations
    assert len(dry.settled) == 0


def test_a_daemon_cycle_counts_sellers_without_listing_them(world: World) -> None:
    meeting_in_tuesday_block(world)
    scanner = world.scanner()
    first = asyncio.run(scanner.scan(week=WEEK, list_all=False))
    assert first.sellers == [] and first.unchanged == 0
    assert first.totals()["violations"] == 1 and first.totals()["compensations"] == 2
    scan(scanner)  # reads the first cycle's writes back
    listed = scan(scanner)
    counted = asyncio.run(scanner.scan(week=WEEK, list_all=False))
    assert all(s.unchanged for s in listed.sellers) and counted.sellers == []
    assert counted.unchanged == listed.unchanged == len(listed.sellers)
    assert counted.totals() == listed.totals() and counted.totals()["violations"] == 1
    assert "folded" not in counted.to_json() and counted.to_json()["totals"] == listed.totals()


def test_a_daemon_cycle_still_lists_a_seller_that_needs_a_look(world: World) -> None:
    meeting_in_tuesday_block(world)
    world.gateway.fail_mailbox(ANNA, MailboxUnavailable("gone", reason="missing"))
    counted = asyncio.run(world.scanner().scan(week=WEEK, list_all=False))
    assert [s.upn for s in counted.sellers] == [ANNA]
    assert counted.sellers[0].status == "skipped" and counted.totals()["skipped"] == 1
