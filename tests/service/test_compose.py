"""The words of what slotguard writes, in each team's language, with the policy's real
numbers: compensation_count = 3 never says "two". Rules come from the rules file, so block
titles and the admin's own words are resolved the way a scan gets them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from slotguard.config.rules import RulesFile, load_rules_text
from slotguard.domain.blocks import expand_blocks
from slotguard.domain.escalation import EscalationDecision
from slotguard.domain.followup import habit_tasks, plan_follow_ups
from slotguard.domain.model import (
    Attendee,
    CalendarEvent,
    IsoWeek,
    Seller,
    Sensitivity,
    Weekday,
    WorkingHours,
)
from slotguard.domain.planning import PlannedCompensation
from slotguard.domain.violations import find_violations
from slotguard.ports import NewEvent, NewTask
from slotguard.service import compose

ZONE = "Europe/Stockholm"
WEEK = IsoWeek(2026, 48)  # Tue 24 Nov 2026
ANNA = "anna.berg@contoso.com"
HOURS = WorkingHours(frozenset(Weekday(d) for d in range(1, 6)), time(8), time(17), ZONE)
RULES = """
[organization]
internal_domains = ["contoso.com"]
language = "{language}"

[[teams]]
name = "Nordics"
sellers = ["anna.berg@contoso.com"]
manager = "maria.lind@contoso.com"

  [[teams.blocks]]
  days = ["tue", "thu"]
  start = "08:00"
  end = "10:00"

[policy]
compensation_count = {count}
{policy}

[follow_up]
{follow_up}

  [[follow_up.habits]]
  id = "opportunities"
  weekday = "fri"

    [follow_up.habits.title]
    en = "How many opportunities?"
    sv = "Hur många affärsmöjligheter?"
    da = "Hvor mange salgsmuligheder?"
"""
# The plural of the make-up rule, the index sentence and the weekday of the taken block.
SAID = {
    "en": ("made up with 3 blocks the following week", "This is make-up block 2 of 3.",
           "(make-up for Tue 8:00 AM)"),
    "sv": ("tas igen med 3 block veckan efter", "Det här är ersättningsblock 2 av 3.",
           "(ersätter tis 08:00)"),
    "da": ("indhentes med 3 blokke ugen efter", "Dette er erstatningsblok 2 af 3.",
           "(erstatter tirs. 08.00)"),
}
TWO = {"en": "two", "sv": "två", "da": " to "}


def loaded(language: str, policy: str = "", follow_up: str = "", count: int = 3) -> RulesFile:
    return load_rules_text(RULES.format(language=language, policy=policy, follow_up=follow_up,
                                        count=count))


def at(day: Weekday, hour: int, minute: int = 0, week: IsoWeek = WEEK) -> datetime:
    return datetime.combine(week.day(day), time(hour, minute), ZoneInfo(ZONE)).astimezone(UTC)


def seller_of(rules_file: RulesFile) -> Seller:
    team = rules_file.teams[0]
    return Seller(ANNA, team.name, ZONE, HOURS, team.blocks_for(ANNA), team.manager,
                  team.language)


def customer(event_id: str, subject: str = "Fabrikam renewal", **kw: object) -> CalendarEvent:
    return CalendarEvent(event_id, at(Weekday.TUESDAY, 8, 30), at(Weekday.TUESDAY, 9, 30),
                         subject=subject, organizer=ANNA, web_link=f"https://outlook/{event_id}",
                         attendees=(Attendee("buyer@fabrikam.com"), Attendee(ANNA)), **kw)


def written(rules_file: RulesFile, *meetings: CalendarEvent) -> tuple[NewEvent, NewTask]:
    """The second make-up block and the follow-up task for Tuesday's taken block."""
    seller, rules = seller_of(rules_file), rules_file.rules
    texts = rules_file.texts_for(seller.language)
    (violation,) = find_violations(seller, expand_blocks(seller, WEEK), list(meetings), rules)
    placement = PlannedCompensation(f"{violation.key}#comp2", violation.key, 2,
                                    at(Weekday.WEDNESDAY, 8, week=WEEK.shift(1)),
                                    at(Weekday.WEDNESDAY, 10, week=WEEK.shift(1)),
                                    violation.occurrence.rule, violation.occurrence.day)
    event = compose.compensation_event(violation, placement, rules.policy, ZONE, texts)
    task = plan_follow_ups(seller, [violation], rules)[0]
    return event, compose.task_request(task, rules.policy, texts)


@pytest.mark.parametrize("language", ["en", "sv", "da"])
def test_a_make_up_block_says_three_when_the_policy_says_three(language: str) -> None:
    event, _ = written(loaded(language), customer("m1"))
    rule, index, taken = SAID[language]
    assert rule in event.body and index in event.body, event.body
    assert event.subject.endswith(taken), event.subject
    assert TWO[language] not in event.body.lower() + event.subject.lower()


@pytest.mark.parametrize(("language", "subject", "body", "category"), [
    ("en", "Prospecting", "Your block “Prospecting” (Tue, Nov 24, 8:00\u2009\u2013\u200910:00"
     "\u202fAM) was taken by “Fabrikam renewal”.", "Prospecting"),
    ("sv", "Prospekteringsblock", "Ditt block ”Prospekteringsblock” (tis 24 nov. "
     "08:00–10:00) togs av ”Fabrikam renewal”.", "Prospektering"),
    ("da", "Prospekteringsblok", "Din blok “Prospekteringsblok” (tirs. 24. nov. 08.00–10.00) "
     "blev taget af “Fabrikam renewal”.", "Prospektering"),
])
def test_the_make_up_block_names_block_day_and_meeting_in_the_language(
        language: str, subject: str, body: str, category: str) -> None:
    event, _ = written(loaded(language), customer("m1"))
    assert event.subject.startswith(subject + " (")
    assert event.body.startswith(body)
    assert event.categories == (category,)
    assert event.reminder_minutes == 15


def test_one_make_up_block_is_singular() -> None:
    for language, said in (("en", "with 1 block the"), ("sv", "med 1 block veckan"),
                           ("da", "med 1 blok ugen")):
        event, _ = written(loaded(language, count=1), customer("m1"))
        assert said in event.body, (language, event.body)


@pytest.mark.parametrize(("language", "days", "rule"), [
    ("en", "Tuesday and Thursday 8:00\u2009\u2013\u200910:00\u202fAM", "swapped for 3 blocks"),
    ("sv", "tisdag och torsdag 08:00–10:00", "byts mot 3 block"),
    ("da", "tirsdag og torsdag 08.00–10.00", "byttes til 3 blokke"),
])
def test_the_block_series_in_the_language_without_a_reminder(language: str, days: str,
                                                             rule: str) -> None:
    rules_file = loaded(language)
    seller = seller_of(rules_file)
    (block,) = seller.blocks
    first = expand_blocks(seller, WEEK)[0]
    event = compose.block_series_event(ANNA, block, first, ZONE, rules_file.rules.policy,
                                       rules_file.texts_for(language))
    assert days in event.body and rule in event.body, event.body
    assert event.subject == block.title
    assert event.reminder_minutes is None


def test_reminders_follow_the_policy() -> None:
    rules_file = loaded("sv", policy="reminders = { block_series = 5, compensation = false, "
                                     'task = "08:15" }')
    event, task = written(rules_file, customer("m1"))
    assert (event.reminder_minutes, task.reminder) == (None, time(8, 15))
    seller = seller_of(rules_file)
    series = compose.block_series_event(ANNA, seller.blocks[0], expand_blocks(seller, WEEK)[0],
                                        ZONE, rules_file.rules.policy,
                                        rules_file.texts_for("sv"))
    assert series.reminder_minutes == 5
    no_tasks = loaded("sv", policy="reminders = { task = false }")
    assert written(no_tasks, customer("m1"))[1].reminder is None


@pytest.mark.parametrize(("language", "title", "body", "link"), [
    ("en", "Follow up: Fabrikam renewal (Tue, Nov 24)",
     "Follow up on “Fabrikam renewal” (Tue, Nov 24, 8:30\u202fAM), which took a prospecting "
     "block.\n\nThis task comes back every week until you complete the series.",
     "Meeting in Outlook"),
    ("sv", "Följ upp: Fabrikam renewal (tis 24 nov.)",
     "Följ upp ”Fabrikam renewal” (tis 24 nov. 08:30), som tog ett prospekteringsblock.\n\n"
     "Uppgiften kommer tillbaka varje vecka tills du slutför serien.", "Mötet i Outlook"),
    ("da", "Følg op: Fabrikam renewal (tirs. 24. nov.)",
     "Følg op på “Fabrikam renewal” (tirs. 24. nov. 08.30), der tog en prospekteringsblok."
     "\n\nOpgaven kommer igen hver uge, indtil du afslutter serien.", "Mødet i Outlook"),
])
def test_the_follow_up_task_in_the_language(language: str, title: str, body: str,
                                            link: str) -> None:
    rules_file = loaded(language)
    _, task = written(rules_file, customer("m1"))
    assert (task.title, task.body, task.link_title) == (title, body, link)
    assert task.reminder == time(9, 0)
    names = {"en": "Prospecting follow-up", "sv": "Prospektering – uppföljning",
             "da": "Prospektering – opfølgning"}
    assert compose.task_list(rules_file.texts_for(language)) == names[language]


def test_the_admins_title_and_list_replace_the_catalogs_per_language() -> None:
    follow_up = ('title_template = { sv = "Ring {meeting} – {date}", en = "Call {meeting}" }\n'
                 'list_name = { da = "Opfølgning" }')
    sv = loaded("sv", follow_up=follow_up)
    assert written(sv, customer("m1"))[1].title == "Ring Fabrikam renewal – tis 24 nov."
    assert compose.task_list(sv.texts_for("sv")) == "Prospektering – uppföljning"
    da = loaded("da", follow_up=follow_up)
    assert written(da, customer("m1"))[1].title == "Følg op: Fabrikam renewal (tirs. 24. nov.)"
    assert compose.task_list(da.texts_for("da")) == "Opfølgning"
    one_for_all = loaded("da", follow_up='title_template = "{block}: {meeting}"')
    assert written(one_for_all, customer("m1"))[1].title == (
        "Prospekteringsblok: Fabrikam renewal")


@pytest.mark.parametrize(("language", "title"), [
    ("en", "How many opportunities?"), ("sv", "Hur många affärsmöjligheter?"),
    ("da", "Hvor mange salgsmuligheder?")])
def test_habit_tasks_carry_the_habits_title_in_the_language(language: str, title: str) -> None:
    rules_file = loaded(language)
    (habit,) = habit_tasks(seller_of(rules_file), WEEK, rules_file.rules)
    request = compose.task_request(habit, rules_file.rules.policy,
                                   rules_file.texts_for(language))
    assert request.title == title
    assert request.due == date(2026, 11, 27) and request.link_title is None


@pytest.mark.parametrize(("language", "named"), [
    ("en", "a private appointment at 8:30\u202fAM"), ("sv", "ett privat möte kl. 08:30"),
    ("da", "en privat aftale kl. 08.30")])
def test_a_private_meeting_is_named_by_its_time_only(language: str, named: str) -> None:
    secret = customer("m1", subject="Doctor's appointment", sensitivity=Sensitivity.PRIVATE)
    event, task = written(loaded(language), secret)
    for text in (event.body, task.title, task.body):
        assert "Doctor" not in text
    assert named in event.body and named in task.title and named in task.body


def test_no_text_carries_a_key() -> None:
    for language in ("en", "sv", "da"):
        rules_file = loaded(language)
        event, task = written(rules_file, customer("m1"), customer("m2", subject=""))
        texts = (event.subject, event.body, task.title, task.body, task.link_title or "")
        for text in texts:
            assert event.key not in text and task.key not in text
            assert "slotguard-key" not in text and "|" not in text, text


DECISION = EscalationDecision(True, 3, date(2026, 11, 2), date(2026, 11, 29))


@pytest.mark.parametrize(("language", "subject", "said"), [
    ("en", f"slotguard: {ANNA} lost 3 prospecting blocks",
     ("between Nov 2, 2026 and Nov 29, 2026", "3 within 4 weeks", "made up with 3 blocks")),
    ("sv", f"slotguard: {ANNA} har förlorat 3 prospekteringsblock",
     ("mellan 2 nov. 2026 och 29 nov. 2026", "3 inom 4 veckor", "tas igen med 3 block")),
    ("da", f"slotguard: {ANNA} har mistet 3 prospekteringsblokke",
     ("mellem 2. nov. 2026 og 29. nov. 2026", "3 inden for 4 uger",
      "indhentes med 3 blokke")),
])
def test_the_escalation_mail_in_the_language_with_the_real_numbers(
        language: str, subject: str, said: tuple[str, ...]) -> None:
    rules_file = loaded(language)
    rules = replace(rules_file.rules.escalation, weeks=4)
    got_subject, body = compose.escalation_mail(ANNA, DECISION, rules, 3,
                                                rules_file.texts_for(language))
    assert got_subject == subject
    assert all(part in body for part in said), body
    assert TWO[language] not in body.lower() and "slotguard ledger" not in body
    one_week = compose.escalation_mail(ANNA, replace(DECISION, count=1),
                                       replace(rules, weeks=1), 1,
                                       rules_file.texts_for(language))
    assert one_week[0].endswith({"en": "1 prospecting block", "sv": "1 prospekteringsblock",
                                 "da": "1 prospekteringsblok"}[language])


def test_dates_follow_the_sellers_zone() -> None:
    """A meeting at 00:30 in Stockholm is on Monday 23:30 UTC: the note says Tuesday."""
    rules_file = loaded("sv")
    early = replace(customer("m1"), start=at(Weekday.TUESDAY, 8) - timedelta(hours=7, minutes=30),
                    end=at(Weekday.TUESDAY, 9))
    _, task = written(rules_file, early)
    assert "(tis 24 nov.)" in task.title and "tis 24 nov. 00:30" in task.body
