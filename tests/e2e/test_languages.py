"""A Swedish team and a Danish team through settings, msal, msgraph-sdk, the Graph adapter,
the ledger and the scan against the strict simulator: each seller's make-up blocks, block
series and tasks are in the team's language, with its weekday names and the policy's real
numbers (compensation_count = 3), and reminders as the policy sets them — none on the block
series, 10 minutes before a make-up block, 08:30 on a task's due day."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tests.e2e.conftest import scan_week, use_simulator

from slotguard.config.rules import load_rules
from slotguard.config.settings import load_settings
from slotguard.domain.model import IsoWeek
from slotguard.entrypoints.bootstrap import bootstrap
from slotguard.service.clock import FixedClock
from slotguard.sim.scenario import SLOTGUARD_ROLES

WEEK = IsoWeek(2026, 48)  # Mon 23 – Sun 29 November 2026
ZONE = ZoneInfo("Europe/Stockholm")  # W. Europe Standard Time: Stockholm and Copenhagen
ANNA, MADS = "anna.berg@contoso.com", "mads.holm@contoso.com"
TEAM = """
[[teams]]
name = "{name}"
language = "{language}"
manager = "maria.lind@contoso.com"
sellers = ["{seller}"]

  [[teams.blocks]]
  days = ["tue", "thu"]
  start = "08:00"
  end = "10:00"
"""
RULES = """
[organization]
internal_domains = ["contoso.com"]
""" + TEAM.format(name="Stockholm", language="sv", seller=ANNA) + TEAM.format(
    name="Copenhagen", language="da", seller=MADS) + """
[policy]
compensation_count = 3

  [policy.reminders]
  compensation = 10
  task = "08:30"

[[follow_up.habits]]
id = "opportunities"
weekday = "fri"

  [follow_up.habits.title]
  sv = "Hur många nya affärsmöjligheter skapade jag den här veckan?"
  da = "Hvor mange nye salgsmuligheder skabte jeg i denne uge?"

[escalation]
enabled = false
"""


@dataclass(frozen=True)
class Expected:
    comp_subject: str
    comp_says: tuple[str, ...]
    series_subject: str
    series_says: tuple[str, ...]
    category: str
    task_title: str
    task_says: str
    link_title: str
    list_name: str
    habit_title: str


SAID = {
    ANNA: Expected(
        comp_subject="Prospekteringsblock (ersätter tis 08:00)",
        comp_says=("Ditt block ”Prospekteringsblock” (tis 24 nov. 08:00–10:00) togs av "
                   "”Fabrikam renewal”.", "tas igen med 3 block veckan efter"),
        series_subject="Prospekteringsblock",
        series_says=("din överenskomna tid, tisdag och torsdag 08:00–10:00",
                     "det byts mot 3 block veckan efter"),
        category="Prospektering",
        task_title="Följ upp: Fabrikam renewal (tis 24 nov.)",
        task_says="Följ upp ”Fabrikam renewal” (tis 24 nov. 08:30), som tog ett "
                  "prospekteringsblock.",
        link_title="Mötet i Outlook",
        list_name="Prospektering – uppföljning",
        habit_title="Hur många nya affärsmöjligheter skapade jag den här veckan?"),
    MADS: Expected(
        comp_subject="Prospekteringsblok (erstatter tirs. 08.00)",
        comp_says=("Din blok “Prospekteringsblok” (tirs. 24. nov. 08.00–10.00) blev taget af "
                   "“Fabrikam renewal”.", "indhentes med 3 blokke ugen efter"),
        series_subject="Prospekteringsblok",
        series_says=("din aftalte tid, tirsdag og torsdag 08.00–10.00",
                     "det byttes til 3 blokke ugen efter"),
        category="Prospektering",
        task_title="Følg op: Fabrikam renewal (tirs. 24. nov.)",
        task_says="Følg op på “Fabrikam renewal” (tirs. 24. nov. 08.30), der tog en "
                  "prospekteringsblok.",
        link_title="Mødet i Outlook",
        list_name="Prospektering – opfølgning",
        habit_title="Hvor mange nye salgsmuligheder skabte jeg i denne uge?"),
}
INDEX = {ANNA: "Det här är ersättningsblock {n} av 3.", MADS: "Dette er erstatningsblok {n} af 3."}


def scenario() -> dict[str, Any]:
    hours = {"daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
             "startTime": "08:00", "endTime": "17:00"}
    users = [{"upn": upn, "timeZone": "W. Europe Standard Time", "workingHours": hours,
              **({"manager": "maria.lind@contoso.com"} if upn != "maria.lind@contoso.com"
                 else {})}
             for upn in ("maria.lind@contoso.com", ANNA, MADS)]
    events = [{"mailbox": upn, "week": 0, "day": "tue", "start": "08:30", "end": "09:30",
               "subject": "Fabrikam renewal", "organizer": upn,
               "attendees": ["buyer@fabrikam.com"]} for upn in (ANNA, MADS)]
    return {"tenant": {"id": "7d3f1a62-2c4b-4c8e-9a55-1f0e2d3c4b5a", "domain": "contoso.com"},
            "apps": [{"clientId": "5b8e9c21-6d4f-4a3b-8e7d-2c1b0a9f8e7d",
                      "secrets": ["sim-secret"], "roles": list(SLOTGUARD_ROLES)}],
            "users": users, "events": events}


@pytest.fixture
def sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from slotguard.sim.server import SimServer

    rules = tmp_path / "slotguard.toml"
    rules.write_text(RULES, encoding="utf-8")
    with SimServer(scenario=scenario(), anchor=WEEK.monday(), state_dir=tmp_path / "sim") as sim:
        use_simulator(sim, tmp_path, monkeypatch)
        clock = FixedClock(datetime.combine(WEEK.monday(), time(0), UTC))
        report = scan_week(lambda: bootstrap(load_settings(), load_rules(rules), clock=clock),
                           WEEK)
        assert report.exit_status() == 0, [(s.upn, s.problems) for s in report.sellers]
        yield sim


def stored_events(sim: Any, upn: str) -> list[Any]:
    tenant = sim.tenant
    return list(tenant.mailboxes[tenant.user(upn).id].events.values())


def is_compensation(event: Any) -> bool:
    return any("#comp" in value for value in event.extended.values())


def local(moment: dict[str, str]) -> datetime:
    assert moment["timeZone"] == "UTC"  # To Do answers in UTC whatever was written
    return datetime.fromisoformat(moment["dateTime"][:19]).replace(tzinfo=UTC).astimezone(ZONE)


def seller_visible(*texts: str) -> None:
    """No key, no marker: what slotguard identifies its writes by stays out of sight."""
    for text in texts:
        assert "|" not in text and "slotguard-key" not in text, text


@pytest.mark.parametrize("upn", [ANNA, MADS])
def test_make_up_blocks_in_the_teams_language_with_three(sim: Any, upn: str) -> None:
    said = SAID[upn]
    comps = sorted((e for e in stored_events(sim, upn) if is_compensation(e)),
                   key=lambda e: e.start)
    assert len(comps) == 3
    for n, comp in enumerate(comps, start=1):
        body = comp.fields["body"]["content"]
        assert comp.fields["subject"] == said.comp_subject
        assert all(part in body for part in said.comp_says), body
        assert INDEX[upn].format(n=n) in body
        assert comp.fields["categories"] == [said.category]
        assert (comp.fields["isReminderOn"], comp.fields["reminderMinutesBeforeStart"]) == (
            True, 10)
        seller_visible(comp.fields["subject"], body)


@pytest.mark.parametrize("upn", [ANNA, MADS])
def test_the_block_series_in_the_teams_language_without_a_reminder(sim: Any,
                                                                   upn: str) -> None:
    said = SAID[upn]
    (series,) = [e for e in stored_events(sim, upn) if e.recurrence is not None]
    body = series.fields["body"]["content"]
    assert series.fields["subject"] == said.series_subject
    assert all(part in body for part in said.series_says), body
    assert series.fields["isReminderOn"] is False
    assert "reminderMinutesBeforeStart" not in series.fields
    seller_visible(series.fields["subject"], body)


@pytest.mark.parametrize("upn", [ANNA, MADS])
def test_tasks_in_the_teams_language_reminded_at_the_policys_time(sim: Any,
                                                                  upn: str) -> None:
    said = SAID[upn]
    tasks = {t["title"]: t for t in sim.tenant.tasks_of(upn)}
    assert set(tasks) == {said.task_title, said.habit_title}
    follow_up, habit = tasks[said.task_title], tasks[said.habit_title]
    assert said.task_says in follow_up["body"]["content"]
    assert [r["displayName"] for r in follow_up["linkedResources"]] == [said.link_title]
    for task, day in ((follow_up, 26), (habit, 27)):  # Thursday and Friday, 26/27 Nov
        assert task["listName"] == said.list_name
        assert task["isReminderOn"] is True
        assert local(task["reminderDateTime"]) == datetime(2026, 11, day, 8, 30, tzinfo=ZONE)
        seller_visible(task["title"], task["body"]["content"])
