"""Who gets scanned: the sellers a rules file lists, plus the members of each team's Entra
group. A group that cannot be read is a scan-wide problem line, not a failed scan: the
team's listed sellers are still scanned."""

from __future__ import annotations

import structlog

from slotguard.config.rules import RulesFile
from slotguard.errors import AuthError, GraphError
from slotguard.ports import CalendarGateway
from slotguard.service.plan import Target
from slotguard.service.scan import Roster

log = structlog.get_logger("slotguard.scan")


def roster_from(rules_file: RulesFile, gateway: CalendarGateway) -> Roster:
    """A ``Roster`` callable for ``Scanner``, resolving groups on every call (the adapter
    caches group membership with its own refresh)."""

    async def roster() -> tuple[list[Target], list[str]]:
        targets: list[Target] = []
        problems: list[str] = []
        for team in rules_file.teams:
            upns = list(team.sellers)
            if team.group_id:
                try:
                    upns.extend(upn.lower() for upn in await gateway.group_members(team.group_id))
                except AuthError:
                    raise
                except GraphError as error:
                    problems.append(f"team {team.name}: group {team.group_id} unreadable "
                                    f"({error.code or type(error).__name__}); check "
                                    "GroupMember.Read.All and User.ReadBasic.All consent")
                    log.warning("scan.group_unreadable", team=team.name, group=team.group_id,
                                error=error.code or type(error).__name__)
            for upn in upns:
                targets.append(Target(upn, team.name, team.blocks_for(upn), team.manager))
        return targets, problems

    return roster
