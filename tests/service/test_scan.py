from __future__ import annotations

import asyncio

import pytest
from structlog.testing import capture_logs
from tests.service.conftest import (
    ANNA,
    ERIK,
    WEEK,
    World,
    at,
    customer_meeting,
)

from slotguard.domain.model import ListedSeller, Response, Weekday
from slotguard.service.scan import Scanner


def scan(scanner: Scanner, **kw: object):
    return asyncio.run(scanner.scan(week=WEEK, **kw))  # type: ignore[arg-type]


def test_customer_meeting_in_block_gets_two_compensations_and_a_task(world: World) -> None:
    world.gateway.put_event(ANNA, customer_meeting("m1", at(Weekday.TUESDAY, 8, 30),
                                                   at(Weekday.TUESDAY, 9, 30)))
    report = scan(world.scanner())
    anna = next(s for s in report.sellers if s.upn == ANNA)
    assert len(anna.violations) == 1
    comps = world.gateway.own(ANNA)
    assert len(comps) == 2
    next_week = WEEK.shift(1)
    for event in comps:
        assert event.marker is not None and event.marker.key.startswith(f"{ANNA}|prospecting|")
        assert next_week.monday() <= event.start.date() <= next_week.day(Weekday.FRIDAY)
        assert event.end - event.start == at(Weekday.TUESDAY, 10) - at(Weekday.TUESDAY, 8)
    assert len(world.gateway.tasks(ANNA)) == 1
    assert world.gateway.own(ERIK) == []


def _meeting_in_block(world: World, event_id: str = "m1", weekday: Weekday = Weekday.TUESDAY):
    event = customer_meeting(event_id, at(weekday, 8, 30), at(weekday, 9, 30))
    world.gateway.put_event(ANNA, event)
    return event


def test_dry_run_writes_nothing_and_returns_the_plan(world: World) -> None:
    _meeting_in_block(world)
    report = scan(world.scanner(dry_run=True))
    anna = next(s for s in report.sellers if s.upn == ANNA)
    assert [c.status for c in anna.compensations] == ["planned", "planned"]
    assert [t.status for t in anna.tasks] == ["planned"]
    assert world.gateway.writes == 0
    assert world.ledger.summary()["runs"] == 0
    assert world.ledger.actions() == [] and world.ledger.violations() == []


def test_rerun_writes_nothing_new(world: World) -> None:
    _meeting_in_block(world)
    scan(world.scanner())
    writes = world.gateway.writes
    for _ in range(2):
        report = scan(world.scanner())
        anna = next(s for s in report.sellers if s.upn == ANNA)
        assert {c.status for c in anna.compensations} == {"existing"}
        assert len(anna.compensations) == 2
    assert world.gateway.writes == writes
    assert len(world.gateway.own(ANNA)) == 2 and len(world.gateway.tasks(ANNA)) == 1


class Crash(BaseException):
    """Stands for the process dying: nothing after it runs, not even except-blocks."""


@pytest.mark.parametrize("crash_at", range(1, 7))  # each write: 4 compensations, 2 tasks
def test_crash_between_graph_write_and_ledger_then_rerun(world: World, crash_at: int) -> None:
    _meeting_in_block(world)
    _meeting_in_block(world, "m2", Weekday.THURSDAY)
    done: list[str] = []

    def hook(upn: str, key: str) -> None:
        done.append(key)
        if len(done) == crash_at:
            raise Crash(key)

    world.gateway.after_write(hook)
    with pytest.raises(Crash):
        scan(world.scanner())
    world.gateway.after_write(None)
    assert world.ledger.pending_actions()  # the crashed write is still only an intent
    scan(world.scanner())
    keys = sorted(e.marker.key for e in world.gateway.own(ANNA))  # type: ignore[union-attr]
    assert keys == sorted(f"{ANNA}|prospecting|{d}#comp{i}"
                          for d in (WEEK.day(Weekday.TUESDAY), WEEK.day(Weekday.THURSDAY))
                          for i in (1, 2))
    assert len(world.gateway.tasks(ANNA)) == 2
    assert world.ledger.pending_actions() == []
    assert all(a.graph_id and a.state == "done" for a in world.ledger.actions(seller=ANNA))


def test_meeting_moved_out_before_block_withdraws_compensations(world: World) -> None:
    meeting = _meeting_in_block(world)
    private = customer_meeting("own", at(Weekday.MONDAY, 12), at(Weekday.MONDAY, 13),
                               subject="Lunch")
    world.gateway.put_event(ANNA, private)
    scan(world.scanner())
    assert len(world.gateway.own(ANNA)) == 2
    from slotguard.memory import moved

    world.gateway.put_event(ANNA, moved(meeting, at(Weekday.TUESDAY, 13), at(Weekday.TUESDAY, 14)))
    report = scan(world.scanner())
    anna = next(s for s in report.sellers if s.upn == ANNA)
    assert len(anna.withdrawals) == 2 and anna.violations == []
    assert world.gateway.own(ANNA) == []
    ids = {e.id for e in world.gateway.calendar(ANNA)}
    assert ids == {"m1", "own"}  # the seller's own events are untouched
    assert {a.state for a in world.ledger.actions(seller=ANNA, kind="compensation")} == {
        "withdrawn"}


def test_meeting_moved_after_block_started_keeps_compensations(world: World) -> None:
    meeting = _meeting_in_block(world)
    scan(world.scanner())
    from slotguard.memory import moved

    world.clock.instant = at(Weekday.TUESDAY, 9)
    world.gateway.put_event(ANNA, moved(meeting, at(Weekday.TUESDAY, 13), at(Weekday.TUESDAY, 14)))
    scan(world.scanner())
    assert len(world.gateway.own(ANNA)) == 2


def test_declined_cancelled_and_internal_meetings_earn_nothing(world: World) -> None:
    from dataclasses import replace

    base = customer_meeting("x", at(Weekday.TUESDAY, 8), at(Weekday.TUESDAY, 9))
    world.gateway.put_event(ANNA, replace(base, id="declined", response=Response.DECLINED))
    world.gateway.put_event(ANNA, replace(base, id="cancelled", is_cancelled=True,
                                          start=at(Weekday.THURSDAY, 8),
                                          end=at(Weekday.THURSDAY, 9)))
    world.gateway.put_event(ERIK, replace(base, id="internal", attendees=(),
                                          organizer="maria.lind@contoso.com"))
    report = scan(world.scanner())
    assert world.gateway.own(ANNA) == [] and world.gateway.tasks(ANNA) == []
    assert world.gateway.own(ERIK) == [] and world.gateway.tasks(ERIK) == []
    erik = next(s for s in report.sellers if s.upn == ERIK)
    assert [v.kind for v in erik.violations] == ["internal"]  # reported, not compensated


def test_one_sellers_failure_does_not_stop_the_others(world: World) -> None:
    from slotguard.errors import GraphError, MailboxUnavailable, TransientGraphError

    _meeting_in_block(world)
    world.gateway.fail_mailbox(ERIK, MailboxUnavailable("denied", reason="access_denied",
                                                        status=403, code="ErrorAccessDenied"))
    missing = "ghost@contoso.com"
    from tests.service.conftest import BLOCK


    world.targets.append(ListedSeller(missing, "Nordics", (BLOCK,)))
    world.targets.append(ListedSeller("slow@contoso.com", "Nordics", (BLOCK,)))
    from tests.service.conftest import HOURS, ZONE

    from slotguard.ports import Mailbox

    world.gateway.add_mailbox(Mailbox("slow@contoso.com", ZONE, HOURS))
    world.gateway.fail_mailbox("slow@contoso.com", TransientGraphError("throttled", status=429))
    world.targets.append(ListedSeller("odd@contoso.com", "Nordics", (BLOCK,)))
    world.gateway.add_mailbox(Mailbox("odd@contoso.com", ZONE, HOURS))
    world.gateway.fail_mailbox("odd@contoso.com",
                               GraphError("no", status=500, code="generalException"))
    with capture_logs() as logs:
        report = scan(world.scanner())
    status = {s.upn: (s.status, s.problems[:1]) for s in report.sellers}
    assert status[ANNA] == ("ok", [])
    assert status[ERIK][0] == "skipped" and status[ERIK][1][0].startswith("access_denied")
    assert status[missing][0] == "skipped" and status[missing][1][0].startswith("missing")
    assert status["slow@contoso.com"] == ("skipped", ["TransientGraphError: throttled"])
    assert status["odd@contoso.com"] == ("skipped", ["GraphError:generalException: no"])
    assert len(world.gateway.own(ANNA)) == 2
    problems = {p.seller: (p.code, p.message, p.run_id) for p in world.ledger.seller_problems()}
    (run,) = world.ledger.runs()
    assert problems == {
        ERIK: ("access_denied", "denied", run.id),
        missing: ("missing", problems[missing][1], run.id),
        "slow@contoso.com": ("TransientGraphError", "throttled", run.id),
        "odd@contoso.com": ("GraphError:generalException", "no", run.id),
    }
    skipped = {e["seller"]: (e["reason"], e["error"]) for e in logs
               if e["event"] == "scan.seller_skipped"}
    assert skipped["slow@contoso.com"] == ("TransientGraphError", "TransientGraphError")
    assert skipped[ERIK] == ("access_denied", "MailboxUnavailable")


def test_seller_leased_by_another_replica_is_left_alone(world: World) -> None:
    _meeting_in_block(world)
    assert world.ledger.try_lease(f"seller:{ANNA}", "other", 60)
    report = scan(world.scanner())
    anna = next(s for s in report.sellers if s.upn == ANNA)
    assert anna.status == "leased" and world.gateway.own(ANNA) == []
    world.ledger.release_lease(f"seller:{ANNA}", "other")
    scan(world.scanner())
    assert len(world.gateway.own(ANNA)) == 2


def test_each_seller_is_decided_once_a_cycle(world: World, monkeypatch: pytest.MonkeyPatch,
                                             ) -> None:
    """A meeting known only in its stored form (no subject, no link): its details are looked
    up for the writes' words, and the decision is not made again with them."""
    from slotguard.service import seller

    world.gateway.put_event(ANNA, customer_meeting("m1", at(Weekday.TUESDAY, 8, 30),
                                                   at(Weekday.TUESDAY, 9, 30), subject=""))
    decided: list[str] = []
    real = seller.decide

    def counted(who, *args):  # type: ignore[no-untyped-def]
        decided.append(who.upn)
        return real(who, *args)

    monkeypatch.setattr(seller, "decide", counted)
    scan(world.scanner())
    assert sorted(decided) == [ANNA, ERIK]
    assert ("event", ANNA) in world.gateway.calls  # the meeting named by the writes
    assert len(world.gateway.own(ANNA)) == 2
