from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import time, timedelta

import pytest
from structlog.testing import capture_logs
from tests.service.conftest import ANNA, BLOCK, ERIK, WEEK, World, at

from slotguard.domain.model import (
    BlockRule,
    FollowUpRules,
    HabitTask,
    IsoWeek,
    ListedSeller,
    Purpose,
    Weekday,
)
from slotguard.errors import AuthError, MailboxUnavailable
from slotguard.service.weekly import run_weekly
from slotguard.texts import Custom, Texts


def test_block_series_once_per_week_across_replicas(world: World) -> None:
    first = asyncio.run(run_weekly(world.scanner(), week=WEEK))
    assert first.ran and first.series_created == 2
    for upn in (ANNA, ERIK):
        own = world.gateway.own(upn)
        assert [e.marker.purpose for e in own] == [Purpose.BLOCK]  # type: ignore[union-attr]
        written = world.gateway.written(upn, own[0].id)
        assert written.recurrence is not None and written.key == f"{upn}|prospecting|series"
    other = world.scanner()
    other.replica = "replica-2"
    again = asyncio.run(run_weekly(other, week=WEEK))
    assert not again.ran
    next_week = asyncio.run(run_weekly(other, week=WEEK.shift(1)))
    assert next_week.ran and next_week.series_created == 0  # the series exists already
    assert len(world.gateway.own(ANNA)) == 1


def test_dry_run_counts_what_it_would_create_and_writes_nothing(world: World) -> None:
    planned = asyncio.run(run_weekly(world.scanner(dry_run=True), week=WEEK))
    assert planned.ran and planned.series_created == 2
    assert world.gateway.writes == 0 and world.gateway.own(ANNA) == []
    assert world.ledger.actions() == []
    real = asyncio.run(run_weekly(world.scanner(), week=WEEK))  # the claim was not taken
    assert real.ran and real.series_created == 2
    after = asyncio.run(run_weekly(world.scanner(dry_run=True), week=WEEK.shift(1)))
    assert after.series_created == 0  # the series exist now: nothing left to do


HABIT_TITLE = "How many new opportunities did I create?"
HABIT_TEXTS = {"en": Texts("en", Custom(habits=(("opportunities", HABIT_TITLE),)))}


def _with_habit(world: World) -> None:
    habit = HabitTask("opportunities", Weekday.FRIDAY)
    world.rules = replace(world.rules, follow_up=FollowUpRules(habits=(habit,)))
    world.texts = HABIT_TEXTS


def test_each_seller_gets_this_weeks_habit_task_once(world: World) -> None:
    _with_habit(world)
    with capture_logs() as logs:
        first = asyncio.run(run_weekly(world.scanner(), week=WEEK))
    assert first.habits_created == 2
    for upn in (ANNA, ERIK):
        (stored,) = world.gateway.tasks(upn)
        assert stored.task.key == f"{upn}|habit:opportunities|{WEEK}"
        assert stored.task.title == "How many new opportunities did I create?"
    created = [e for e in logs if e["event"] == "weekly.habit_created"]
    assert sorted(e["seller"] for e in created) == [ANNA, ERIK]
    (finished,) = [e for e in logs if e["event"] == "weekly.finished"]
    assert (finished["series_created"], finished["habits_created"], finished["problems"]) == (
        2, 2, 0)
    # A dry run afterwards finds nothing left to create for this week, but next week's task.
    assert asyncio.run(run_weekly(world.scanner(dry_run=True), week=WEEK)).habits_created == 0
    ahead = asyncio.run(run_weekly(world.scanner(dry_run=True), week=WEEK.shift(1)))
    assert (ahead.series_created, ahead.habits_created) == (0, 2)


def test_no_habit_tasks_where_tasks_are_off(world: World) -> None:
    _with_habit(world)
    result = asyncio.run(run_weekly(world.scanner(tasks_enabled=False), week=WEEK))
    assert (result.series_created, result.habits_created) == (2, 0)
    assert world.gateway.tasks(ANNA) == []


def test_a_seller_that_fails_is_reported_and_the_week_is_resumed_later(world: World) -> None:
    world.gateway.fail_mailbox(ERIK, MailboxUnavailable("gone", reason="missing", status=404))
    with capture_logs() as logs:
        first = asyncio.run(run_weekly(world.scanner(), week=WEEK))
    assert (first.series_created, first.problems) == (1, 1)
    (skipped,) = [e for e in logs if e["event"] == "weekly.seller_skipped"]
    assert (skipped["seller"], skipped["error"]) == (ERIK, "MailboxUnavailable")
    world.gateway.fail_mailbox(ERIK, None)
    # The claim stays with this replica, unfinished: its next hourly check completes it.
    second = asyncio.run(run_weekly(world.scanner(), week=WEEK))
    assert second.ran and (second.series_created, second.problems) == (1, 0)
    assert not asyncio.run(run_weekly(world.scanner(), week=WEEK)).ran  # done now


def test_a_stopped_weekly_job_writes_nothing_and_keeps_its_claim(world: World) -> None:
    stop = asyncio.Event()
    stop.set()
    stopped = asyncio.run(run_weekly(world.scanner(), week=WEEK, stop=stop))
    assert stopped.ran and stopped.series_created == 0 and world.gateway.writes == 0
    resumed = asyncio.run(run_weekly(world.scanner(), week=WEEK))
    assert resumed.ran and resumed.series_created == 2


def test_a_refused_sign_in_ends_the_weekly_job(world: World) -> None:
    world.gateway.fail_mailbox(ANNA, AuthError("token refused", status=401))
    with pytest.raises(AuthError):
        asyncio.run(run_weekly(world.scanner(), week=WEEK))


def test_the_claim_is_taken_over_only_after_its_ttl(world: World) -> None:
    stop = asyncio.Event()
    stop.set()
    asyncio.run(run_weekly(world.scanner(), week=WEEK, stop=stop, claim_ttl=60))
    other = world.scanner()
    other.replica = "replica-2"
    assert not asyncio.run(run_weekly(other, week=WEEK, claim_ttl=60)).ran
    world.clock.instant += timedelta(seconds=61)
    taken = asyncio.run(run_weekly(other, week=WEEK, claim_ttl=60))
    assert taken.ran and taken.series_created == 2


def test_the_block_series_tells_the_seller_the_rule_in_their_own_calendar(world: World) -> None:
    asyncio.run(run_weekly(world.scanner(), week=WEEK))
    (own,) = world.gateway.own(ANNA)
    series = world.gateway.written(ANNA, own.id)
    assert (series.subject, series.zone, series.categories, series.reminder_minutes) == (
        "Prospecting", "Europe/Stockholm", ("Prospecting",), None)  # no reminder by default
    assert series.body == (
        "Prospecting: your agreed time, Tuesday and Thursday 8:00\u2009–\u200910:00\u202fAM."
        "\n\nA customer meeting in this block is fine: it is swapped for 2 blocks the "
        "following week.\n\nslotguard keeps this block in your calendar."
    )
    assert (series.start, series.end) == (at(Weekday.TUESDAY, 8), at(Weekday.TUESDAY, 10))
    assert series.recurrence is not None
    assert series.recurrence.start == WEEK.day(Weekday.TUESDAY)


def test_each_block_rule_gets_its_own_series_starting_at_its_own_first_occurrence(
        world: World) -> None:
    # In 2026-W13 a Sunday 02:00–02:45 block lies in the spring-forward gap: no occurrence,
    # so no series that week; the Tuesday rule after it still gets its own.
    lost = BlockRule("night", frozenset({Weekday.SUNDAY}), time(2), time(2, 45))
    monday = BlockRule("calls", frozenset({Weekday.MONDAY}), time(13), time(14))
    world.targets = [ListedSeller(ANNA, "Nordics", (lost, BLOCK, monday))]
    march = IsoWeek(2026, 13)
    with capture_logs() as logs:
        result = asyncio.run(run_weekly(world.scanner(), week=march))
    assert (result.week, result.series_created) == ("2026-W13", 2)
    starts = {e.marker.key: e.start for e in world.gateway.own(ANNA)}  # type: ignore[union-attr]
    assert starts == {
        f"{ANNA}|prospecting|series": at(Weekday.TUESDAY, 8, week=march),
        f"{ANNA}|calls|series": at(Weekday.MONDAY, 13, week=march),
    }
    created = [(e["seller"], e["rule"], e["dry_run"]) for e in logs
               if e["event"] == "weekly.block_series_created"]
    assert sorted(created) == [(ANNA, "calls", False), (ANNA, "prospecting", False)]


def test_habit_tasks_are_recorded_as_habits(world: World) -> None:
    _with_habit(world)
    asyncio.run(run_weekly(world.scanner(), week=WEEK))
    kinds = {r.key: r.kind for r in world.ledger.actions(seller=ANNA)}
    assert kinds == {f"{ANNA}|prospecting|series": "block_series",
                     f"{ANNA}|habit:opportunities|{WEEK}": "habit"}


def test_every_failing_seller_is_counted(world: World) -> None:
    for upn in (ANNA, ERIK):
        world.gateway.fail_mailbox(upn, MailboxUnavailable("gone", reason="missing", status=404))
    assert asyncio.run(run_weekly(world.scanner(), week=WEEK)).problems == 2
