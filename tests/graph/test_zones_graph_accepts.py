"""Every timeZone slotguard writes is a name Graph accepts, for a mailbox in any zone.

Graph takes any Windows zone name but only a fixed list of IANA names (the simulator's
zone_names.py, from the dateTimeTimeZone page). These tests walk CLDR's whole Windows table
through the adapter that decodes mailboxSettings and the one that builds the request
bodies, and hand the bodies to the simulator's own event and To Do code, which refuses any
other name as Graph does.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tzlocal.windows_tz import win_tz

from slotguard.domain.model import Purpose, Weekday
from slotguard.errors import BadGraphData
from slotguard.graph import writes
from slotguard.graph.mailbox import decode_mailbox
from slotguard.ports import Mailbox, NewEvent, NewTask, WeeklyRecurrence
from slotguard.sim import events as sim_events
from slotguard.sim import todo as sim_todo
from slotguard.sim import zone_names
from slotguard.sim.graph_errors import GraphProblem
from slotguard.sim.model import Mailbox as SimMailbox
from slotguard.sim.model import TodoList, User
from slotguard.sim.model import WorkingHours as SimHours

WINDOWS = sorted(win_tz)
# A Tuesday 08:00 UTC shortly before the EU and US daylight-saving changes of 2027.
START = datetime(2027, 3, 23, 8, tzinfo=UTC)


def mailbox_in(zone: str) -> Mailbox:
    settings = {"timeZone": zone, "workingHours": {
        "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
        "startTime": "08:00:00.0000000", "endTime": "17:00:00.0000000",
        "timeZone": {"name": zone}}}
    return decode_mailbox("seller@contoso.com", json.dumps(settings).encode())


def bodies_for(mailbox: Mailbox) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A compensation, a weekly block series and a recurring follow-up task, as sent."""
    weekly = WeeklyRecurrence(frozenset({Weekday.TUESDAY}), START.date())
    single = NewEvent(key="k#comp1", purpose=Purpose.COMPENSATION, subject="s", body="b",
                      start=START, end=START + timedelta(hours=2), zone=mailbox.zone)
    series = NewEvent(key="k|series", purpose=Purpose.BLOCK, subject="s", body="b",
                      start=START, end=START + timedelta(hours=2), zone=mailbox.zone,
                      recurrence=weekly)
    task = NewTask(key="k|task", title="t", body="b", due=date(2027, 3, 25),
                   zone=mailbox.zone, recurrence=weekly)
    return writes.event_body(single), writes.event_body(series), writes.task_body(task)


def zones_in(body: Any) -> list[str]:
    """Every timeZone and recurrenceTimeZone in a request body."""
    if isinstance(body, dict):
        found = [str(v) for k, v in body.items() if k in {"timeZone", "recurrenceTimeZone"}]
        return found + [z for v in body.values() for z in zones_in(v)]
    if isinstance(body, list):
        return [z for v in body for z in zones_in(v)]
    return []


def sim_owner() -> tuple[User, SimMailbox]:
    hours = SimHours(("tuesday",), START.time(), START.time(), "UTC")
    return User("u1", "seller@contoso.com", "Seller", "UTC", hours), SimMailbox()


@pytest.mark.parametrize("windows", WINDOWS)
def test_a_mailbox_in_any_windows_zone_gets_its_own_name_written(windows: str) -> None:
    mailbox = mailbox_in(windows)
    bodies = bodies_for(mailbox)
    written = {z for body in bodies for z in zones_in(body)}
    assert written == {windows}, (mailbox.zone, written)
    assert zone_names.accepted(windows)
    # The simulator's own create paths take the bodies and keep the instants.
    owner, box = sim_owner()
    single, series, task = bodies
    stored, _ = sim_events.create_event(owner, box, single)
    assert stored.start == START and stored.start_zone == windows
    stored, _ = sim_events.create_event(owner, box, series)
    assert stored.recurrence and stored.recurrence["range"]["recurrenceTimeZone"] == windows
    created = sim_todo.create_task(TodoList("l", "Prospecting follow-up"), task)
    due = datetime.fromisoformat(created.fields["dueDateTime"]["dateTime"][:19])
    local_due = due.replace(tzinfo=UTC).astimezone(ZoneInfo(win_tz[windows]))
    assert (local_due.date(), local_due.hour, local_due.minute) == (date(2027, 3, 25), 0, 0)


# Two of Graph's listed names are not IANA names at all (the page's own spellings).
NOT_IANA = {"Asia/Toshkent", "Asia/Astana"}


@pytest.mark.parametrize("iana", sorted(set(zone_names.DOCUMENTED_IANA) - NOT_IANA))
def test_a_mailbox_reporting_an_iana_name_gets_its_windows_zone_written(iana: str) -> None:
    """Tenants may report IANA names in mailboxSettings; slotguard still writes Windows."""
    mailbox = mailbox_in(iana)
    written = {z for body in bodies_for(mailbox) for z in zones_in(body)}
    assert len(written) == 1 and written <= zone_names.WINDOWS, written
    # The Windows zone has the IANA zone's rules: the instant read back is the one meant.
    (name,) = written
    assert START.astimezone(ZoneInfo(win_tz[name])).utcoffset() == \
        START.astimezone(ZoneInfo(mailbox.zone)).utcoffset()


@pytest.mark.parametrize("name", sorted(NOT_IANA))
def test_a_mailbox_zone_nobody_knows_is_a_clear_error_not_a_guess(name: str) -> None:
    with pytest.raises(BadGraphData) as caught:
        mailbox_in(name)
    assert caught.value.code == "mailboxSettings.timeZone" and name in str(caught.value)


@pytest.mark.parametrize("bias", range(-14 * 60, 12 * 60 + 1, 60))
def test_a_custom_working_hours_zone_without_a_mailbox_zone_is_written_in_windows(
        bias: int) -> None:
    settings = {"workingHours": {
        "daysOfWeek": ["monday"], "startTime": "08:00:00", "endTime": "17:00:00",
        "timeZone": {"@odata.type": "#microsoft.graph.customTimeZone", "bias": bias,
                     "name": "Customized Time Zone"}}}
    mailbox = decode_mailbox("seller@contoso.com", json.dumps(settings).encode())
    written = {z for body in bodies_for(mailbox) for z in zones_in(body)}
    assert len(written) == 1 and written <= zone_names.WINDOWS, (mailbox.zone, written)


@pytest.mark.parametrize("windows", ["India Standard Time", "E. Europe Standard Time",
                                     "Argentina Standard Time", "Nepal Standard Time",
                                     "Pacific Standard Time (Mexico)"])
def test_the_simulator_refuses_cldrs_first_iana_name_like_graph(windows: str) -> None:
    """What slotguard used to write: CLDR's first IANA name, not on Graph's list."""
    owner, box = sim_owner()
    body = {"subject": "s", "start": {"dateTime": "2027-03-23T08:00:00",
                                      "timeZone": win_tz[windows]},
            "end": {"dateTime": "2027-03-23T10:00:00", "timeZone": win_tz[windows]}}
    with pytest.raises(GraphProblem) as refused:
        sim_events.create_event(owner, box, body)
    assert (refused.value.status, refused.value.code) == (400, "TimeZoneNotSupportedException")
    assert f"not supported: '{win_tz[windows]}'" in refused.value.message
    with pytest.raises(GraphProblem) as refused:
        sim_todo.create_task(TodoList("l", "x"), {"title": "t", "dueDateTime": body["start"]})
    assert refused.value.code == "TimeZoneNotSupportedException"
