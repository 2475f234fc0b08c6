from __future__ import annotations

import asyncio

from slotguard.domain.model import Response, Weekday
from slotguard.service.scan import Scanner
from tests.service.conftest import (
    ANNA,
    ERIK,
    WEEK,
    World,
    at,
    customer_meeting,
)


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
