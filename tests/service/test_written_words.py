"""What a scan writes for a seller to read, and what it keeps about meetings in the ledger."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date

from structlog.testing import capture_logs
from tests.service.conftest import ANNA, WEEK, World, at, customer_meeting

from slotguard.domain.model import Sensitivity, Weekday
from slotguard.ports import NewEvent, WeeklyRecurrence

LINK = "https://outlook.office365.com/owa/?itemid=m1"


def _scan(world: World, **scanner: object) -> None:
    asyncio.run(world.scanner(**scanner).scan(week=WEEK))


def _written(world: World) -> list[NewEvent]:
    return sorted((world.gateway.written(ANNA, e.id) for e in world.gateway.own(ANNA)),
                  key=lambda event: event.key)


def test_the_make_up_block_names_the_lost_block_and_the_meeting(world: World) -> None:
    world.gateway.put_event(ANNA, customer_meeting(
        "m1", at(Weekday.TUESDAY, 8, 30), at(Weekday.TUESDAY, 9, 30), web_link=LINK))
    _scan(world)
    first, second = _written(world)
    # English as CLDR writes it by default (US style; a team with en-GB reads 24-hour times).
    assert first.subject == "Prospecting (make-up for Tue 8:00 AM)"  # a title: plain spaces
    assert first.body == (
        "Your block “Prospecting” (Tue, Nov 24, 8:00\u2009–\u200910:00\u202fAM) was taken "
        "by “Fabrikam renewal”.\n\nThe team's rule: a block given to a meeting is made up "
        "with 2 blocks the following week. This is make-up block 1 of 2.\n\nslotguard placed "
        "it in free time inside your working hours. If the meeting moves out of the block "
        "before the block starts, slotguard removes this make-up block again."
    )
    assert "make-up block 2 of 2" in second.body
    assert (first.zone, first.categories, first.reminder_minutes) == (
        "Europe/Stockholm", ("Prospecting",), 15)
    assert first.end - first.start == at(Weekday.TUESDAY, 10) - at(Weekday.TUESDAY, 8)


def test_the_follow_up_task_links_the_meeting_and_repeats_on_its_due_weekday(
        world: World) -> None:
    world.gateway.put_event(ANNA, customer_meeting(
        "m1", at(Weekday.TUESDAY, 8, 30), at(Weekday.TUESDAY, 9, 30), web_link=LINK))
    _scan(world)
    (stored,) = world.gateway.tasks(ANNA)
    task = stored.task
    assert task.title == "Follow up: Fabrikam renewal (Tue, Nov 24)"
    assert task.body == (
        "Follow up on “Fabrikam renewal” (Tue, Nov 24, 8:30\u202fAM), which took a "
        "prospecting block.\n\nThis task comes back every week until you complete the series."
    )
    thursday = date(2026, 11, 26)  # two working days after Tuesday
    assert (task.due, task.zone) == (thursday, "Europe/Stockholm")
    assert task.recurrence == WeeklyRecurrence(frozenset({Weekday.THURSDAY}), thursday)
    assert (task.link_url, task.link_title) == (LINK, "Meeting in Outlook")
    lists = {r.key: r.payload for r in world.ledger.actions(seller=ANNA, kind="task")}
    assert lists == {task.key: {"due": "2026-11-26", "list": "Prospecting follow-up"}}
    assert asyncio.run(world.gateway.ensure_task_list(ANNA, "Prospecting follow-up")) == (
        stored.list_id)


def test_a_private_meeting_is_named_only_by_its_time(world: World) -> None:
    meeting = customer_meeting("m1", at(Weekday.TUESDAY, 8, 30), at(Weekday.TUESDAY, 9, 30),
                               subject="Acquisition talks")
    world.gateway.put_event(ANNA, replace(meeting, sensitivity=Sensitivity.PRIVATE))
    _scan(world)
    bodies = [e.body for e in _written(world)] + [t.task.body for t in world.gateway.tasks(ANNA)]
    assert all("a private appointment at 8:30\u202fAM" in body for body in bodies)
    assert not any("Acquisition" in body for body in bodies)


def test_the_ledger_keeps_meeting_subjects_only_when_asked(world: World) -> None:
    world.gateway.put_event(ANNA, customer_meeting(
        "m1", at(Weekday.TUESDAY, 8, 30), at(Weekday.TUESDAY, 9, 30)))
    _scan(world)
    (violation,) = world.ledger.violations()
    assert violation.meetings == [{
        "id": "m1", "start": at(Weekday.TUESDAY, 8, 30).isoformat(),
        "end": at(Weekday.TUESDAY, 9, 30).isoformat(),
    }]  # the organizer's address is personal data too: only with LOG_PERSONAL_DATA


def test_with_personal_data_on_the_ledger_keeps_the_subject(world: World) -> None:
    world.gateway.put_event(ANNA, customer_meeting(
        "m1", at(Weekday.TUESDAY, 8, 30), at(Weekday.TUESDAY, 9, 30)))
    _scan(world, personal_data=True)
    (violation,) = world.ledger.violations()
    assert violation.meetings[0]["subject"] == "Fabrikam renewal"


def test_the_violation_log_names_no_meeting_unless_personal_data_is_on(world: World) -> None:
    world.gateway.put_event(ANNA, customer_meeting(
        "m1", at(Weekday.TUESDAY, 8, 30), at(Weekday.TUESDAY, 9, 30)))
    with capture_logs() as logs:
        _scan(world)
    (found,) = [e for e in logs if e["event"] == "scan.violation_found"]
    assert found == {
        "event": "scan.violation_found", "log_level": "info", "seller": ANNA,
        "key": f"{ANNA}|prospecting|2026-11-24", "kind": "customer", "meetings": 1,
        "compensate": True, "customer": True,
    }


def test_with_personal_data_on_the_violation_log_names_the_meetings(world: World) -> None:
    world.gateway.put_event(ANNA, customer_meeting(
        "m1", at(Weekday.TUESDAY, 8, 30), at(Weekday.TUESDAY, 9, 30)))
    with capture_logs() as logs:
        _scan(world, personal_data=True)
    (found,) = [e for e in logs if e["event"] == "scan.violation_found"]
    assert found["subjects"] == ["Fabrikam renewal"]
