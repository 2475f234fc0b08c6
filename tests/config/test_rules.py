from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from slotguard.config.rules import (
    EXAMPLE_SOURCE,
    example_rules_text,
    load_rules,
    load_rules_text,
)
from slotguard.domain.model import InternalMeetings, ShowAs, Weekday, WhenFull
from slotguard.errors import ConfigError

MINIMAL = """
[organization]
internal_domains = ["contoso.com"]

[[teams]]
name = "Nordics"
sellers = ["anna.berg@contoso.com"]
  [[teams.blocks]]
  days = ["tue"]
  start = "08:00"
  end = "10:00"
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_rules_text(text)
    assert all("\n" not in line for line in caught.value.problems)
    return caught.value.problems


def test_the_shipped_example_is_the_demo_organisation() -> None:
    loaded = load_rules(None, example_fallback=True)
    assert loaded.source == EXAMPLE_SOURCE
    rules = loaded.rules
    assert rules.organization.internal_domains == frozenset({"contoso.com"})
    assert rules.policy.compensation_count == 2
    assert rules.policy.min_overlap == timedelta(minutes=15)
    assert rules.policy.counted_show_as == {ShowAs.BUSY, ShowAs.OOF, ShowAs.TENTATIVE}
    assert rules.policy.when_full is WhenFull.SHORTFALL
    assert rules.policy.internal_meetings is InternalMeetings.REPORT
    assert rules.policy.target_week_offset == 1
    assert [(h.id, h.weekday) for h in rules.follow_up.habits] == [
        ("opportunities", Weekday.FRIDAY)]
    assert loaded.texts_for("en").custom.habit("opportunities") == (
        "How many new sales opportunities did I create this week?")
    assert rules.follow_up.recurrence_weekly
    assert (rules.escalation.violations, rules.escalation.weeks) == (3, 4)

    nordics, east = loaded.teams
    assert nordics.name == "Nordics" and nordics.manager == "maria.lind@contoso.com"
    assert nordics.sellers == tuple(f"{n}@contoso.com"
                                    for n in ("anna.berg", "erik.holm", "sara.nyberg", "johan.ek"))
    [block] = nordics.blocks
    assert block.days == {Weekday.TUESDAY, Weekday.THURSDAY}
    assert (block.start, block.end, block.title, block.id) == (
        time(8), time(10), "Prospecting", "0800-1000")

    assert east.name == "East Coast" and east.manager == "david.ross@contoso.com"
    assert east.sellers == () and east.group_id == "3f2a5c1e-7b8d-4e21-9a0f-5d6c7b8a9e01"
    assert [(b.days, b.start, b.end) for b in east.blocks_for("emma.clark@contoso.com")] == [
        ({Weekday.MONDAY, Weekday.WEDNESDAY}, time(9), time(11))]
    [noah] = east.blocks_for("Noah.Price@contoso.com")
    assert (noah.days, noah.start, noah.end, noah.id) == (
        {Weekday.MONDAY, Weekday.WEDNESDAY}, time(13), time(15), "1300-1500")
    assert loaded.team_of("ANNA.BERG@contoso.com") is nordics
    assert loaded.follow_up_enabled


def test_the_example_is_never_used_silently(clean_env: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_rules(clean_env / "slotguard.toml")
    [line] = caught.value.problems
    assert line.startswith(f"{clean_env / 'slotguard.toml'}: no such rules file")
    with pytest.raises(ConfigError):
        load_rules(None)
    (clean_env / "slotguard.toml").write_text(example_rules_text())
    assert load_rules(clean_env / "slotguard.toml").source == str(clean_env / "slotguard.toml")


def test_packaged_example_matches_the_source_tree() -> None:
    source = Path(__file__).resolve().parents[2] / "src/slotguard/examples/slotguard.toml"
    assert example_rules_text() == source.read_text()


BROKEN = MINIMAL + """  [[teams.blocks]]
  days = ["thu"]
  start = "08:00"
  end = "07:30"

[[teams]]
name = "East"
sellers = ["emma.clark@contoso.com", "liam.turner@contoso.com", "bob"]
frobnicate = true
  [[teams.blocks]]
  days = ["mon"]
  start = "09:00"
  end = "11:00"

[policy]
when_full = "wait"
"""


def test_a_broken_file_gives_every_problem_as_one_line() -> None:
    assert problems(BROKEN) == [
        "teams[0].blocks[1].end: must be after start (08:00)",
        "teams[1].sellers[2]: 'bob' is not an e-mail address (user principal name)",
        "teams[1].frobnicate: unknown key; remove it "
        "(allowed: name, sellers, group_id, manager, blocks, overrides, language)",
        "policy.when_full: must be one of shortfall, spill (got 'wait')",
    ]


def test_unknown_keys_everywhere_name_the_allowed_ones() -> None:
    text = MINIMAL.replace('end = "10:00"', 'end = "10:00"\n  colour = "red"') + """
[policy]
compensation_cout = 3
[follow_up]
[[follow_up.habits]]
id = "x"
title = "y"
weekday = "fri"
when = "always"
[escalation]
enable = false
"""
    assert problems("top = 1\n" + text) == [
        "top: unknown key; remove it (allowed: organization, teams, policy, follow_up, "
        "escalation)",
        "teams[0].blocks[0].colour: unknown key; remove it (allowed: days, start, end, title, id)",
        "policy.compensation_cout: unknown key; remove it (allowed: min_overlap_minutes, "
        "show_as, customer_categories, internal_meetings, compensation_count, target_week, "
        "granularity_minutes, prefer_same_time, prefer_different_days, "
        "max_compensations_per_week, when_full, withdraw_when_resolved, reminders)",
        "follow_up.habits[0].when: unknown key; remove it (allowed: id, title, weekday)",
        "escalation.enable: unknown key; remove it (allowed: enabled, violations, weeks, sender)",
    ]


def test_relations_are_checked_even_next_to_broken_entries() -> None:
    text = """
[organization]
internal_domains = ["contoso.com", 42]

[[teams]]
name = "A"
sellers = ["anna@contoso.com", "anna@contoso.com", "x@gmail.com", "eve@emea.contoso.com"]
  [[teams.blocks]]
  days = ["tue", "thu"]
  start = "08:00"
  end = "10:00"
  [[teams.blocks]]
  days = ["thu"]
  start = "09:30"
  end = "11:00"
  [[teams.blocks]]
  days = ["fri"]
  start = "08:00"
  end = "10:00"
  [[teams.blocks]]
  days = ["nope"]
  start = "12:00"
  end = "13:00"
  [[teams.overrides."zoe@contoso.com".blocks]]
  days = ["mon"]
  start = "08:00"
  end = "09:00"

[[teams]]
name = "a"
sellers = ["anna@contoso.com"]
"""
    assert problems(text) == [
        "organization.internal_domains[1]: must be text in quotes (got 42)",
        "teams[0].blocks[3].days[0]: 'nope' is not a weekday; use mon, tue, wed, thu, fri, "
        "sat or sun",
        "teams[0].sellers[1]: 'anna@contoso.com' is listed twice (also sellers[0]); remove one",
        "teams[0].sellers[2]: 'x@gmail.com' is outside organization.internal_domains "
        "(contoso.com); add its domain there or fix the address",
        "teams[0].blocks[1]: overlaps teams[0].blocks[0] on Thursday (08:00-10:00); "
        "move or shorten one of them",
        "teams[0].blocks[2]: its id '0800-1000' (derived from start and end) is also used by "
        'teams[0].blocks[0]; add id = "..." to one of them',
        'teams[0].overrides."zoe@contoso.com": \'zoe@contoso.com\' is not a seller of this '
        "team; add it to sellers or remove the override",
        "teams[1].blocks: no blocks; add a [[teams.blocks]] table with days, start and end",
        "teams[1].name: 'a' is also the name of teams[0]; give each team its own name",
        "teams[1].sellers[0]: 'anna@contoso.com' is already in team 'A' "
        "(teams[0].sellers[0]); a seller belongs to one team",
    ]


def test_toml_syntax_errors_name_line_and_column() -> None:
    [line] = problems('[organization]\ninternal_domains = "contoso.com\n')
    assert line.startswith("<rules>: line 2, column 32: invalid TOML (")
    assert line.endswith("; fix the syntax there")
    [line] = problems('[organization]\ninternal_domains = ["contoso.com"\n')
    assert line == ("<rules>: line 3, column 1: invalid TOML (unclosed array); "
                    "fix the syntax there")


def test_overrides_replace_team_blocks_and_may_exempt() -> None:
    text = MINIMAL.replace('sellers = ["anna.berg@contoso.com"]',
                           'sellers = ["anna.berg@contoso.com", "erik.holm@contoso.com"]')
    text += '  [teams.overrides."erik.holm@contoso.com"]\n  blocks = []\n'
    [team] = load_rules_text(text).teams
    assert team.blocks_for("erik.holm@contoso.com") == ()
    assert team.blocks_for("anna.berg@contoso.com") == team.blocks


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ('start = "08:00:30"', 'teams[0].blocks[0].start: must be whole minutes such as "08:00"'
                               " (got '08:00:30')"),
        ("start = 08:00:00", None),
        ('start = "8:00"', None),
        ('start = "24:00"', "teams[0].blocks[0].start: must be a time of day such as \"08:00\" "
                            "(got '24:00')"),
        ("start = 1", 'teams[0].blocks[0].start: must be a time of day such as "08:00" (got 1)'),
    ],
)
def test_block_times(snippet: str, expected: str | None) -> None:
    text = MINIMAL.replace('start = "08:00"', snippet)
    if expected is None:
        [team] = load_rules_text(text).teams
        assert team.blocks[0].start == time(8)
    else:
        assert problems(text) == [expected]


def test_windows_zone_names_become_iana() -> None:
    text = MINIMAL.replace('["contoso.com"]',
                           '["contoso.com"]\nfallback_time_zone = "Eastern Standard Time"')
    assert load_rules_text(text).rules.organization.fallback_zone == "America/New_York"


def test_a_zone_microsoft_365_cannot_be_given_is_refused() -> None:
    text = MINIMAL.replace('["contoso.com"]',
                           '["contoso.com"]\nfallback_time_zone = "EST5EDT"')
    assert problems(text) == [
        "organization.fallback_time_zone: 'EST5EDT' has no Windows time zone that Microsoft "
        "365 accepts; give a city zone such as 'America/New_York' or a Windows name such as "
        "'Eastern Standard Time'"]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Call back {customer}", "follow_up.title_template: unknown placeholder {customer}; "
                                 "use only {meeting}, {date}, {block}"),
        ("{meeting!z}", "follow_up.title_template: {meeting!z}: format options are not "
                        "allowed; write {meeting}"),
        ("{meeting:>99999999}", "follow_up.title_template: {meeting:>99999999}: format "
                                "options are not allowed; write {meeting}"),
        ("Call {meeting", "follow_up.title_template: is not a valid template (expected '}' "
                          "before end of string); write {{ or }} for a literal brace"),
        ("{meeting:%d}", "follow_up.title_template: {meeting:%d}: format options are not "
                         "allowed; write {meeting}"),
    ],
)
def test_title_template_placeholders(template: str, expected: str) -> None:
    [line] = problems(MINIMAL + f"[follow_up]\ntitle_template = '{template}'\n")
    assert line == expected


def test_policy_conversion_and_limits() -> None:
    text = MINIMAL + """
[policy]
min_overlap_minutes = 30
show_as = ["BUSY", "workingelsewhere"]
customer_categories = ["Customer"]
internal_meetings = "compensate"
compensation_count = 3
granularity_minutes = 30
max_compensations_per_week = 2
when_full = "spill"
"""
    assert problems(text) == ["policy.max_compensations_per_week: must be at least "
                              "compensation_count (3) (got 2)"]
    policy = load_rules_text(text.replace("per_week = 2", "per_week = 9")).rules.policy
    assert policy.min_overlap == timedelta(minutes=30)
    assert policy.counted_show_as == {ShowAs.BUSY, ShowAs.WORKING_ELSEWHERE}
    assert policy.customer_categories == {"Customer"}
    assert policy.internal_meetings is InternalMeetings.COMPENSATE
    assert policy.granularity == timedelta(minutes=30)
    assert policy.when_full is WhenFull.SPILL


def test_explicit_block_ids_keep_their_history_when_times_move() -> None:
    text = MINIMAL.replace('end = "10:00"', 'end = "10:00"\n  id = "morning"')
    [team] = load_rules_text(text).teams
    assert team.blocks[0].id == "morning"
    bad = MINIMAL.replace('end = "10:00"', 'end = "10:00"\n  id = "a|b"')
    assert problems(bad) == ["teams[0].blocks[0].id: 'a|b' is not a valid id; use up to 64 "
                             "letters, digits, '-', '_' or '.'"]


@pytest.mark.parametrize(("value", "char"), [("Follow up\x00 {meeting}", "U+0000"),
                                             ("Follow up \u202e{meeting}", "U+202E")])
def test_control_characters_in_texts_are_rejected(value: str, char: str) -> None:
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04X}" for c in value)
    found = problems(MINIMAL + f'[follow_up]\ntitle_template = "{escaped}"\n'
                     f'list_name = "{escaped.replace("{meeting}", "")}"\n')
    assert len(found) == 2 and all(char in line for line in found), found
    assert found[0].startswith("follow_up.list_name: contains the control character")


def test_a_template_that_leaves_no_room_for_the_meeting() -> None:
    [line] = problems(MINIMAL + f'[follow_up]\ntitle_template = "{"x" * 260} {{meeting}}"\n')
    assert line.startswith("follow_up.title_template: leaves no room for the meeting")


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "slotguard.toml"
    path.write_bytes("\ufeff".encode() + MINIMAL.encode())
    assert load_rules(path).teams[0].name == "Nordics"


def test_a_text_too_long_says_characters() -> None:
    [line] = problems(MINIMAL + f'[follow_up]\nlist_name = "{"y" * 300}"\n')
    assert line == "follow_up.list_name: must be at most 255 characters"


def test_a_toml_datetime_is_shown_as_written() -> None:
    [line] = problems(MINIMAL + "[follow_up]\nlist_name = 1979-05-27T07:32:00-08:00\n")
    assert line == "follow_up.list_name: must be text in quotes (got 1979-05-27T07:32:00-08:00)"


def test_an_internationalised_domain_is_a_domain() -> None:
    text = MINIMAL.replace('["contoso.com"]', '["contoso.com", "bücher.example"]')
    domains = load_rules_text(text).rules.organization.internal_domains
    assert {"bücher.example", "xn--bcher-kva.example"} <= domains
