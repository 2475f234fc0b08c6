"""The rules file's languages, the admin's own words by language, and reminders: each
problem one line naming the TOML path and the fix."""

from __future__ import annotations

from datetime import time

import pytest
import typer
from typer.testing import CliRunner

from slotguard.config.rules import load_rules_text
from slotguard.domain.model import Reminders
from slotguard.entrypoints.cli import config_cmd
from slotguard.errors import ConfigError

TEAMS = """
[organization]
internal_domains = ["contoso.com"]
{organization}

[[teams]]
name = "Stockholm"
sellers = ["anna.berg@contoso.com"]
{stockholm}
  [[teams.blocks]]
  days = ["tue"]
  start = "08:00"
  end = "10:00"

[[teams]]
name = "Copenhagen"
sellers = ["mads.holm@contoso.com"]
language = "da"
  [[teams.blocks]]
  days = ["thu"]
  start = "08:00"
  end = "10:00"
  [[teams.blocks]]
  days = ["fri"]
  start = "13:00"
  end = "15:00"
  title = "Telefontid"
"""
CHOICES = "en, sv, da, optionally with a region such as en-GB"


def rules(organization: str = "", stockholm: str = "", tail: str = "") -> str:
    return TEAMS.format(organization=organization, stockholm=stockholm) + tail


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_rules_text(text)
    assert all("\n" not in line for line in caught.value.problems)
    return caught.value.problems


def test_teams_speak_their_own_language_or_the_organizations() -> None:
    loaded = load_rules_text(rules('language = "SV"'))
    stockholm, copenhagen = loaded.teams
    assert (stockholm.language, copenhagen.language) == ("sv", "da")
    assert sorted(loaded.texts) == ["da", "sv"]
    assert loaded.language == "sv"
    # A block without a title is named in the team's language; an admin's title is kept.
    assert [b.title for b in stockholm.blocks] == ["Prospekteringsblock"]
    assert [b.title for b in copenhagen.blocks] == ["Prospekteringsblok", "Telefontid"]
    english = load_rules_text(rules(stockholm='language = "en-gb"'))
    assert english.teams[0].language == "en-GB" and english.language == "en"
    assert english.teams[0].blocks[0].title == "Prospecting"


@pytest.mark.parametrize(("organization", "stockholm", "line"), [
    ('language = "no"', "", f"organization.language: must be one of {CHOICES} (got 'no')"),
    ("", 'language = "german"',
     f"teams[0].language: must be one of {CHOICES} (got 'german')"),
    ("", "language = 7", f"teams[0].language: must be one of {CHOICES} (got 7)"),
    ("", 'language = "da-XX"', f"teams[0].language: must be one of {CHOICES} (got 'da-XX')"),
])
def test_a_language_slotguard_does_not_speak_is_one_line(organization: str, stockholm: str,
                                                          line: str) -> None:
    assert problems(rules(organization, stockholm)) == [line]


def test_texts_by_language_are_checked_under_their_language() -> None:
    tail = ('[follow_up]\n'
            'title_template = { sv = "Ring {customer}", da = "Følg op: {meeting:>9}" }\n'
            'list_name = { no = "Oppfølging", sv = "" }\n')
    assert problems(rules(tail=tail)) == [
        f"follow_up.list_name.no: 'no' is not a language slotguard speaks; use {CHOICES}",
        "follow_up.list_name.sv: must not be empty",
        "follow_up.title_template.sv: unknown placeholder {customer}; use only {meeting}, "
        "{date}, {block}",
        "follow_up.title_template.da: {meeting:>9}: format options are not allowed; "
        "write {meeting}",
    ]
    assert problems(rules(tail="[follow_up]\nlist_name = 3\n")) == [
        "follow_up.list_name: must be text in quotes (got 3)"]
    assert problems(rules(tail="[follow_up]\nlist_name = {}\n")) == [
        "follow_up.list_name: must not be empty"]


def test_a_habit_titled_by_language_needs_every_teams_language() -> None:
    habit = '[[follow_up.habits]]\nid = "opportunities"\nweekday = "fri"\ntitle = {title}\n'
    missing = rules(stockholm='language = "sv-FI"',
                    tail=habit.format(title='{ en = "How many?" }'))
    assert problems(missing) == [
        "follow_up.habits[0].title: no sv-FI text, which team 'Stockholm' (teams[0]) speaks; "
        'add "sv-FI" = "..."',
        "follow_up.habits[0].title: no da text, which team 'Copenhagen' (teams[1]) speaks; "
        'add da = "..."',
    ]
    # A table entry for the bare language serves its regions too.
    loaded = load_rules_text(rules(stockholm='language = "sv-FI"', tail=habit.format(
        title='{ sv = "Hur många?", da = "Hvor mange?" }')))
    assert loaded.texts_for("sv-FI").custom.habit("opportunities") == "Hur många?"
    # One text is every team's.
    one = load_rules_text(rules(tail=habit.format(title='"Hur många?"')))
    assert one.texts_for("da").custom.habit("opportunities") == "Hur många?"


def test_reminders_are_policy() -> None:
    assert load_rules_text(rules()).rules.policy.reminders == Reminders(None, 15, time(9))
    policy = ('[policy.reminders]\nblock_series = 10\ncompensation = false\n'
              'task = "07:45"\n')
    loaded = load_rules_text(rules(tail=policy))
    assert loaded.rules.policy.reminders == Reminders(10, None, time(7, 45))
    at_start = load_rules_text(rules(tail="[policy]\nreminders = { compensation = 0, "
                                          "task = false }\n"))
    assert at_start.rules.policy.reminders == Reminders(None, 0, None)


@pytest.mark.parametrize(("reminders", "line"), [
    ("block_series = true", "policy.reminders.block_series: must be minutes before the "
     "start, 0 to 20160 (two weeks), or false for no reminder (got true)"),
    ("compensation = -5", "policy.reminders.compensation: must be minutes before the start, "
     "0 to 20160 (two weeks), or false for no reminder (got -5)"),
    ('compensation = "15"', "policy.reminders.compensation: must be minutes before the "
     "start, 0 to 20160 (two weeks), or false for no reminder (got '15')"),
    ('task = "25:00"', 'policy.reminders.task: must be a time of day such as "09:00", or '
     "false for no reminder (got '25:00')"),
    ("task = true", 'policy.reminders.task: must be a time of day such as "09:00", or '
     "false for no reminder (got true)"),
    ("series = false", "policy.reminders.series: unknown key; remove it (allowed: "
     "block_series, compensation, task)"),
])
def test_a_wrong_reminder_is_one_line(reminders: str, line: str) -> None:
    assert problems(rules(tail=f"[policy.reminders]\n{reminders}\n")) == [line]


def test_check_config_shows_languages_lists_and_reminders(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "slotguard.toml"
    path.write_text(rules('language = "sv"'), encoding="utf-8")
    app = typer.Typer()
    config_cmd.register(app)
    result = CliRunner().invoke(app, ["check-config", "--rules", str(path)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Team Stockholm (sv)" in out and "Team Copenhagen (da)" in out
    assert "'Prospektering – opfølgning' (da), 'Prospektering – uppföljning' (sv)" in out
    assert ("block series none; make-up blocks 15 min before; tasks 09:00 on the due day"
            in out)
