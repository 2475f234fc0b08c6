"""Every team's sellers and groups: the listed sellers as the rules file names them, each
team's Entra group read as the scan reads it (transitive members, accountEnabled). Who
the sellers are is what the mailbox checks then look at."""

from __future__ import annotations

import asyncio

from slotguard.config.permissions import by_name
from slotguard.config.rules import RulesFile, TeamSpec
from slotguard.entrypoints.doctor.report import Check, Findings, Status
from slotguard.errors import AuthError, GraphError
from slotguard.graph.gateway import GraphGateway
from slotguard.ports import GroupMembers

Sellers = dict[str, TeamSpec]  # lower-case UPN -> the first team that lists it


async def directory_check(gateway: GraphGateway, rules_file: RulesFile,
                          ) -> tuple[Check, Sellers]:
    sellers: Sellers = {}
    for team in rules_file.teams:
        for upn in team.sellers:
            sellers.setdefault(upn.lower(), team)
    listed = len(sellers)
    groups = sorted({t.group_id for t in rules_file.teams if t.group_id})
    found = dict(zip(groups, await asyncio.gather(*(_members(gateway, g) for g in groups)),
                     strict=True))
    findings = Findings()
    members = disabled = 0
    for i, team in enumerate(rules_file.teams):
        if not team.group_id:
            continue
        where = f"{team.group_id} (teams[{i}], team {team.name})"
        result = found[team.group_id]
        if isinstance(result, GraphError):
            findings.add(*_unreadable(result), where)
            continue
        members += len(result.upns)
        disabled += result.disabled
        for upn in result.upns:
            sellers.setdefault(upn, team)
        _unclear(result, where, findings)
    summary = f"{listed} listed seller(s)"
    if groups:
        summary += (f"; {len(groups)} Entra group(s) with {members} member(s)"
                    f"{f' ({disabled} disabled, left out)' if disabled else ''}")
    summary += f"; {len(sellers)} seller(s) in all"
    check = Check("directory", "Teams, sellers and groups", summary,
                  findings=findings.all())
    return check.settle(), sellers


async def _members(gateway: GraphGateway, group_id: str) -> GroupMembers | GraphError:
    try:
        return await gateway.group_members(group_id)
    except AuthError as error:
        if error.status == 403:  # the token works; the directory permission is missing
            return error
        raise
    except GraphError as error:
        return error


def _unreadable(error: GraphError) -> tuple[str, str]:
    code = error.code or type(error).__name__
    if error.status == 404:
        return (f"no such group ({code})",
                "copy the Object ID of the team's Entra group into teams[].group_id")
    if error.status == 403:
        return (f"group unreadable ({code})",
                f"grant {by_name('GroupMember.Read.All').name} (see Application roles)")
    return f"group unreadable ({code}: {error})", "run slotguard doctor again"


def _unclear(found: GroupMembers, where: str, findings: Findings) -> None:
    user_read = by_name("User.Read.All").name
    if found.unknown_state:
        findings.add("member(s) of unknown account state: disabled ones would be scanned too",
                     f"grant {user_read}", f"{where}: {found.unknown_state}", Status.WARN)
    if found.unnamed:
        findings.add("member(s) without a user principal name: they cannot be scanned",
                     f"grant {user_read}", f"{where}: {found.unnamed}")
