from __future__ import annotations

import asyncio

from tests.service.conftest import ANNA, ERIK, WEEK, World

from slotguard.domain.model import Purpose
from slotguard.service.weekly import run_weekly


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
