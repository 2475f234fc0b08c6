"""Who gets scanned: the sellers a rules file lists, plus the members of each team's Entra
group. A group that cannot be read is a scan-wide problem line, not a failed scan: the
team's listed sellers are still scanned.

Group members whose account is disabled are not sellers. Where Graph does not say (the app
lacks User.Read.All, so accountEnabled is not readable; or it lacks any user permission,
so members come without a name), the roster says so on a problem line naming the fix:
members of unknown state are still scanned (they are in the group the admin named), and
unnamed ones cannot be. Sellers the rules file lists are taken as listed: a departed one
shows as a skipped seller (its mailbox or account is gone) until it is removed there.
"""

from __future__ import annotations

import asyncio

import structlog

from slotguard.config.rules import RulesFile
from slotguard.domain.model import ListedSeller
from slotguard.errors import AuthError, GraphError
from slotguard.ports import CalendarGateway, GroupMembers
from slotguard.service.scan import Roster

log = structlog.get_logger("slotguard.scan")


def roster_from(rules_file: RulesFile, gateway: CalendarGateway) -> Roster:
    """A ``Roster`` callable for ``Scanner``, resolving groups on every call (the adapter
    caches group membership with its own refresh)."""

    async def members(group_id: str) -> GroupMembers | GraphError:
        try:
            return await gateway.group_members(group_id)
        except AuthError as error:
            if error.status == 403:  # the token works, the directory permission is missing
                return error
            raise
        except GraphError as error:
            return error

    async def roster() -> tuple[list[ListedSeller], list[str]]:
        targets: list[ListedSeller] = []
        problems: list[str] = []
        # Every team's group at once: the adapter batches them, and a tenant of hundreds
        # of teams must not read its groups one round trip after another.
        groups = sorted({t.group_id for t in rules_file.teams if t.group_id})
        found = dict(zip(groups, await asyncio.gather(*(members(g) for g in groups)),
                         strict=True))
        for i, team in enumerate(rules_file.teams):
            upns = list(team.sellers)
            if team.group_id:
                result = found[team.group_id]
                if isinstance(result, GraphError):
                    problems.append(_group_problem(i, team.name, team.group_id, result))
                    log.warning("scan.group_unreadable", team=team.name, group=team.group_id,
                                error=result.code or type(result).__name__)
                else:
                    upns.extend(result.upns)
                    problems.extend(_unclear(team.name, team.group_id, result))
            for upn in upns:
                targets.append(ListedSeller(upn, team.name, team.blocks_for(upn), team.manager,
                                      team.language))
        return targets, problems

    return roster


def _unclear(team: str, group_id: str, found: GroupMembers) -> list[str]:
    """Problem lines for members Graph did not fully describe (one warning each)."""
    if found.disabled:
        log.info("scan.group_members_disabled", team=team, group=group_id,
                 count=found.disabled)
    gaps = [
        (found.unknown_state, "scan.group_state_unreadable",
         "member(s) of unknown account state are scanned, disabled ones among them too; "
         "grant User.Read.All so accountEnabled can be read"),
        (found.unnamed, "scan.group_members_unnamed",
         "member(s) came without a user principal name and cannot be scanned; grant "
         "User.Read.All"),
    ]
    lines = []
    for count, event, text in gaps:
        if count:
            lines.append(f"team {team}: group {group_id}: {count} {text}")
            log.warning(event, team=team, group=group_id, count=count)
    return lines


def _group_problem(index: int, team: str, group_id: str, error: GraphError) -> str:
    """A team's group that cannot be read, named by its place in the rules file."""
    where = f"teams[{index}].group_id (team {team})"
    code = error.code or type(error).__name__
    if error.status == 404:
        return (f"{where}: no group {group_id} in the directory ({code}); copy the Object ID "
                "of the Entra group")
    return (f"{where}: group {group_id} unreadable ({code}); check GroupMember.Read.All and "
            "User.Read.All consent")
