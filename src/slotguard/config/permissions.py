"""Which Microsoft Graph application permission each feature of a rules file needs — the
one place that says so. ``slotguard doctor`` checks a token's roles against it, the table in
docs/entra-app-registration.md is ``markdown_table()`` (a test keeps them equal), and the
simulator's app registration is granted all of it by default.

``covered_by`` lists the roles that also grant a permission, from the Application row of
each API's permissions table on learn.microsoft.com (e.g. api/group-list-transitivemembers:
GroupMember.Read.All, Group.Read.All, … Directory.Read.All). ``exchange``: Exchange Online
can grant or restrict it for the app itself (RBAC for Applications, application access
policies — concepts/auth-limit-mailbox-access), so a token without it may still work.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from slotguard.config.rules import RulesFile


class Feature(StrEnum):
    ALWAYS = "always"
    FOLLOW_UP = "follow_up"
    ESCALATION = "escalation"
    GROUPS = "groups"


# The "When" column of the documentation's table.
WHEN = {
    Feature.ALWAYS: "always",
    Feature.FOLLOW_UP: "when `[follow_up] enabled = true` (the default)",
    Feature.ESCALATION: "only when `[escalation] enabled = true`",
    Feature.GROUPS: "only when a team names `group_id`",
}

_DIRECTORY = frozenset({"Directory.Read.All", "Directory.ReadWrite.All"})


@dataclass(frozen=True, slots=True)
class Permission:
    name: str  # the least privileged application permission to grant
    feature: Feature
    needed_for: str
    covered_by: frozenset[str]
    exchange: bool = False

    def granted(self, roles: frozenset[str]) -> bool:
        return not self.covered_by.isdisjoint(roles)


PERMISSIONS: tuple[Permission, ...] = (
    Permission(
        "Calendars.ReadWrite", Feature.ALWAYS,
        "read each seller's calendarView (and its delta), find slotguard's own events by "
        "their marker property, create the visible block series and the compensating "
        "events, delete slotguard's own events on withdrawal",
        frozenset({"Calendars.ReadWrite"}), exchange=True),
    Permission(
        "MailboxSettings.Read", Feature.ALWAYS,
        "each seller's time zone and working hours (compensations go inside working hours)",
        frozenset({"MailboxSettings.Read", "MailboxSettings.ReadWrite"}), exchange=True),
    Permission(
        "Tasks.ReadWrite.All", Feature.FOLLOW_UP,
        'find and create the "Prospecting follow-up" To Do list, read its tasks to find '
        "slotguard's own again, create the recurring follow-up and habit tasks",
        frozenset({"Tasks.ReadWrite.All"})),
    Permission(
        "Mail.Send", Feature.ESCALATION, "the escalation mail to a manager",
        frozenset({"Mail.Send"}), exchange=True),
    Permission(
        "GroupMember.Read.All", Feature.GROUPS,
        "list the members (nested groups included) of a team's Entra group",
        frozenset({"GroupMember.Read.All", "Group.Read.All", "GroupMember.ReadWrite.All",
                   "Group.ReadWrite.All"}) | _DIRECTORY),
    Permission(
        "User.Read.All", Feature.GROUPS,
        "read those members' user principal names and whether their account is enabled "
        "(`accountEnabled`)",
        frozenset({"User.Read.All", "User.ReadWrite.All"}) | _DIRECTORY),
)


def features(rules_file: RulesFile) -> frozenset[Feature]:
    """The features ``rules_file`` switches on."""
    on = {Feature.ALWAYS}
    if rules_file.follow_up_enabled:
        on.add(Feature.FOLLOW_UP)
    if rules_file.rules.escalation.enabled:
        on.add(Feature.ESCALATION)
    if any(team.group_id for team in rules_file.teams):
        on.add(Feature.GROUPS)
    return frozenset(on)


def needed(rules_file: RulesFile) -> tuple[Permission, ...]:
    """The permissions ``rules_file`` needs, in the documentation's order."""
    on = features(rules_file)
    return tuple(p for p in PERMISSIONS if p.feature in on)


def by_name(name: str) -> Permission:
    return next(p for p in PERMISSIONS if p.name == name)


def markdown_table() -> str:
    """The documentation's permission table."""
    lines = ["| Permission | Needed for | When |", "|---|---|---|"]
    lines += [f"| `{p.name}` | {p.needed_for} | {WHEN[p.feature]} |" for p in PERMISSIONS]
    return "\n".join(lines) + "\n"
