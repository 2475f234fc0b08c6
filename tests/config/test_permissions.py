"""The one table of which feature needs which Graph permission: the documentation shows
it verbatim, and a rules file's features pick its rows."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tests.config.test_rules import MINIMAL as RULES

from slotguard.config.permissions import PERMISSIONS, markdown_table, needed
from slotguard.config.rules import load_rules_text
from slotguard.sim.scenario import SLOTGUARD_ROLES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "entra-app-registration.md"


def test_the_documentation_shows_the_table_the_code_checks() -> None:
    assert markdown_table() in DOCS.read_text()


def test_the_simulator_grants_every_permission_by_default() -> None:
    assert tuple(p.name for p in PERMISSIONS) == SLOTGUARD_ROLES


def names(rules_text: str, **changes: object) -> list[str]:
    rules_file = load_rules_text(rules_text)
    return [p.name for p in needed(replace(rules_file, **changes))]  # type: ignore[arg-type]


def test_the_rules_features_pick_the_permissions() -> None:
    everything = [p.name for p in PERMISSIONS]
    assert names(RULES) == ["Calendars.ReadWrite", "MailboxSettings.Read",
                            "Tasks.ReadWrite.All", "Mail.Send"]
    assert names(RULES, follow_up_enabled=False) == ["Calendars.ReadWrite",
                                                     "MailboxSettings.Read", "Mail.Send"]
    off = RULES + "\n[escalation]\nenabled = false\n"
    assert names(off) == ["Calendars.ReadWrite", "MailboxSettings.Read", "Tasks.ReadWrite.All"]
    grouped = RULES.replace('sellers = ["anna.berg@contoso.com"]',
                            'group_id = "3f2a5c1e-7b8d-4e21-9a0f-5d6c7b8a9e01"')
    assert names(grouped) == everything


def test_higher_privileged_roles_cover_a_permission() -> None:
    members = next(p for p in PERMISSIONS if p.name == "GroupMember.Read.All")
    assert members.granted(frozenset({"Directory.Read.All"}))
    assert not members.granted(frozenset({"User.Read.All"}))
