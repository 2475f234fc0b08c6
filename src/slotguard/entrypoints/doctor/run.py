"""The order of the checks, and what each needs of the ones before: without a token
nothing else can be asked; the roles are judged last, with what the mailboxes showed."""

from __future__ import annotations

from datetime import datetime

from slotguard.config.permissions import needed
from slotguard.config.rules import RulesFile
from slotguard.config.settings import ENV_PREFIX, Settings
from slotguard.entrypoints.bootstrap import sellers_in_flight
from slotguard.entrypoints.doctor.denials import Denials
from slotguard.entrypoints.doctor.directory import directory_check
from slotguard.entrypoints.doctor.mailboxes import mailbox_checks, read_sellers, senders_check
from slotguard.entrypoints.doctor.report import Check, DoctorReport, Status, skipped
from slotguard.entrypoints.doctor.roles import roles_check
from slotguard.entrypoints.doctor.signin import credential_check, sign_in
from slotguard.entrypoints.doctor.write_check import write_check
from slotguard.errors import SlotguardError
from slotguard.graph import probes
from slotguard.graph.claims import read_claims
from slotguard.graph.client import build_gateway

_NEED_TOKEN = (("roles", "Application roles"), ("directory", "Teams, sellers and groups"),
               ("mailboxes", "Mailboxes (settings)"))


async def diagnose(settings: Settings, rules_file: RulesFile, *, now: datetime,
                   write_test: str | None = None) -> DoctorReport:
    """Every check, in order. ``write_test``: the test mailbox to write into, if any."""
    report = DoctorReport([settings_check(settings, rules_file),
                           credential_check(settings, now)])
    signed_in, token = await sign_in(settings)
    report.checks.append(signed_in)
    if token is None:
        needs = [*_NEED_TOKEN, *([("write_test", "Write test")] if write_test else [])]
        report.checks += [skipped(id, title, "needs a token") for id, title in needs]
        return report
    try:
        report.checks += await _tenant_checks(settings, rules_file, token, now, write_test)
    except SlotguardError as error:  # Graph itself failed, not one seller's mailbox
        report.checks.append(Check(
            "graph", "Microsoft Graph", str(error), Status.FAIL,
            f"check {ENV_PREFIX}GRAPH_URL, the network and any proxy; run slotguard "
            "doctor again"))
    return report


async def _tenant_checks(settings: Settings, rules_file: RulesFile, token: str,
                         now: datetime, write_test: str | None) -> list[Check]:
    claims = read_claims(token)
    gateway = build_gateway(settings)
    try:
        directory, sellers = await directory_check(gateway, rules_file)
        seen = await read_sellers(gateway, list(sellers), tasks=rules_file.follow_up_enabled,
                                  in_flight=sellers_in_flight(settings, gateway), now=now)
        worked = seen.worked()
        denials = Denials(str(settings.client_id), claims.roles if claims else None, worked)
        checks = [directory, *mailbox_checks(seen, sellers, denials, rules_file)]
        senders = await senders_check(gateway, rules_file, denials)
        checks += [senders] if senders else []
    finally:
        await gateway.aclose()
    if write_test is not None:
        result = await _write_test(settings, write_test, now)
        checks.append(write_check(result, denials))
        for wrote, name in (("event", "Calendars.ReadWrite"), ("task", "Tasks.ReadWrite.All")):
            worked[name] = worked.get(name, 0) + (wrote in result.wrote)
    return [roles_check(claims, needed(rules_file), worked), *checks]


async def _write_test(settings: Settings, upn: str, now: datetime) -> probes.WriteTest:
    # A gateway of its own: the fallbacks it takes are the test's alone.
    gateway = build_gateway(settings)
    try:
        return await probes.write_test(gateway, upn, now)
    finally:
        await gateway.aclose()


def settings_check(settings: Settings, rules_file: RulesFile) -> Check:
    teams = rules_file.teams
    groups = sum(1 for t in teams if t.group_id)
    mode = (f"dry run ({ENV_PREFIX}DRY_RUN): scans write nothing" if settings.dry_run
            else "live: scans write")
    return Check("settings", "Settings and rules",
                 f"{rules_file.source}: {len(teams)} team(s), {groups} with an Entra group; "
                 f"{settings.cloud.value} cloud ({settings.graph_root}); {mode}")
