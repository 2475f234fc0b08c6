"""Reminders as the policy decides them, in the bodies written to Graph: off is written as
off (an event left without isReminderOn gets a reminder), on carries its time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from slotguard.domain.model import Purpose
from slotguard.graph import writes
from slotguard.ports import NewEvent, NewTask


def event(minutes: int | None) -> NewEvent:
    return NewEvent(key="k|r|2026-11-24#comp1", purpose=Purpose.COMPENSATION, subject="s",
                    body="b", start=datetime(2026, 12, 1, 7, tzinfo=UTC),
                    end=datetime(2026, 12, 1, 9, tzinfo=UTC), zone="Europe/Stockholm",
                    reminder_minutes=minutes)


def task(reminder: time | None) -> NewTask:
    return NewTask(key="k|r|2026-11-24#task:m", title="t", body="b", due=date(2026, 11, 26),
                   zone="Europe/Stockholm", reminder=reminder)


def test_an_event_without_a_reminder_says_so() -> None:
    body = writes.event_body(event(None))
    assert body["isReminderOn"] is False and "reminderMinutesBeforeStart" not in body


def test_an_event_reminder_carries_its_minutes_even_zero() -> None:
    assert (writes.event_body(event(0))["isReminderOn"],
            writes.event_body(event(0))["reminderMinutesBeforeStart"]) == (True, 0)
    assert writes.event_body(event(30))["reminderMinutesBeforeStart"] == 30


def test_a_task_reminder_rings_at_the_policys_time_on_the_due_day() -> None:
    body = writes.task_body(task(time(8, 15)))
    assert body["isReminderOn"] is True
    assert body["reminderDateTime"] == {"dateTime": "2026-11-26T08:15:00",
                                        "timeZone": "W. Europe Standard Time"}
    off = writes.task_body(task(None))
    assert off["isReminderOn"] is False and "reminderDateTime" not in off
