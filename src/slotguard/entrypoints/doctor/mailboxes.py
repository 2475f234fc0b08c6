"""Each seller's mailbox as the scan needs it: its settings (time zone, working hours), its
calendar, its To Do — read for every seller at once, a bounded number in flight, and
reported as one row per aspect with the failing sellers grouped by cause."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TypeGuard

from slotguard.config.permissions import Permission, by_name
from slotguard.config.rules import RulesFile
from slotguard.domain.model import BlockRule
from slotguard.entrypoints.doctor.denials import Denials
from slotguard.entrypoints.doctor.directory import Sellers
from slotguard.entrypoints.doctor.report import Check, Findings, Status
from slotguard.errors import BadGraphData, MailboxUnavailable, SlotguardError
from slotguard.graph import reach
from slotguard.graph.gateway import GraphGateway
from slotguard.graph.zones import graph_zone
from slotguard.ports import Mailbox

SETTINGS, CALENDAR, TASKS = (by_name("MailboxSettings.Read"), by_name("Calendars.ReadWrite"),
                             by_name("Tasks.ReadWrite.All"))
# A mailbox that does not exist answers every read the same way: read it once.
_GONE = frozenset({"missing", "not_found"})
TIME_ZONE_FIX = ("set the mailbox's time zone in Outlook (Settings → General → Language and "
                 "time) or with Set-MailboxRegionalConfiguration -TimeZone")
HOURS_FIX = ("set the work hours in Outlook (Settings → Calendar → Work hours and location) "
             "or with Set-MailboxCalendarConfiguration")


@dataclass
class Seen:
    """Per seller: the mailbox settings (or why not), and None for a read that worked."""

    settings: dict[str, Mailbox | SlotguardError]
    calendar: dict[str, SlotguardError | None] = field(default_factory=dict)
    tasks: dict[str, SlotguardError | None] = field(default_factory=dict)

    def worked(self) -> dict[str, int]:
        """How many reads worked, per permission they need (for the roles check)."""
        # Settings Graph sent that slotguard cannot use were read all the same.
        return {SETTINGS.name: sum(isinstance(r, Mailbox | BadGraphData)
                                   for r in self.settings.values()),
                CALENDAR.name: sum(e is None for e in self.calendar.values()),
                TASKS.name: sum(e is None for e in self.tasks.values())}


async def read_sellers(gateway: GraphGateway, upns: list[str], *, tasks: bool,
                       in_flight: int, now: datetime) -> Seen:
    seen = Seen(await gateway.mailboxes(upns))
    reachable = [u for u in upns if not _gone(seen.settings[u])]
    slots = asyncio.Semaphore(max(1, in_flight))

    async def attempt(read: Callable[..., Awaitable[None]], upn: str,
                      *args: datetime) -> SlotguardError | None:
        async with slots:
            try:
                await read(gateway, upn, *args)
            except SlotguardError as error:
                return error
            return None

    day = (now, now + timedelta(days=1))
    calendar = asyncio.gather(*(attempt(reach.read_calendar, u, *day) for u in reachable))
    lists = asyncio.gather(*(attempt(reach.read_task_lists, u)
                             for u in (reachable if tasks else [])))
    calendars, task_lists = await asyncio.gather(calendar, lists)
    seen.calendar = dict(zip(reachable, calendars, strict=True))
    seen.tasks = dict(zip(reachable if tasks else [], task_lists, strict=True))
    for upn in upns:
        gone = seen.settings[upn]
        if _gone(gone):  # every read fails the same way
            seen.calendar[upn] = gone
            if tasks:
                seen.tasks[upn] = gone
    return seen


def _gone(result: object) -> TypeGuard[MailboxUnavailable]:
    return isinstance(result, MailboxUnavailable) and result.reason in _GONE


def mailbox_checks(seen: Seen, sellers: Sellers, denials: Denials,
                   rules_file: RulesFile) -> list[Check]:
    checks = [
        _reads("mailboxes", "Mailboxes (settings)", seen.settings, SETTINGS, denials),
        _reads("calendars", "Calendars", seen.calendar, CALENDAR, denials),
        _time_zones(seen.settings),
        _working_hours(seen.settings, sellers),
    ]
    if rules_file.follow_up_enabled:
        checks.append(_reads("todo", "Microsoft To Do", seen.tasks, TASKS, denials))
    return checks


def _reads(id: str, title: str, results: Mapping[str, object], need: Permission,
           denials: Denials) -> Check:
    findings = Findings()
    ok = 0
    for upn, result in results.items():
        # Settings Graph sent but slotguard cannot use were read: the rows below say why.
        if isinstance(result, SlotguardError) and not isinstance(result, BadGraphData):
            findings.add(*denials.explain(result, need), upn)
        else:
            ok += 1
    return Check(id, title, f"{ok} of {len(results)} seller(s) readable",
                 findings=findings.all()).settle()


def _time_zones(results: dict[str, Mailbox | SlotguardError]) -> Check:
    findings = Findings()
    zones: dict[str, int] = {}
    for upn, result in results.items():
        if isinstance(result, Mailbox):
            if graph_zone(result.zone) is None:
                findings.add(f"zone {result.zone} has no Windows name, and Graph takes only "
                             "those from slotguard", TIME_ZONE_FIX, upn)
            else:
                zones[result.zone] = zones.get(result.zone, 0) + 1
        elif isinstance(result, BadGraphData) and "timezone" in (result.code or "").lower():
            findings.add("no usable time zone in the mailbox settings", TIME_ZONE_FIX, upn)
    summary = (f"{sum(zones.values())} seller(s) in {len(zones)} zone(s): "
               f"{', '.join(sorted(zones))}" if zones else "no seller's zone could be read")
    return Check("time_zones", "Time zones", summary, findings=findings.all()).settle()


def _working_hours(results: dict[str, Mailbox | SlotguardError], sellers: Sellers) -> Check:
    findings = Findings()
    usable = 0
    for upn, result in results.items():
        if isinstance(result, BadGraphData) and "workinghours" in (result.code or "").lower():
            findings.add(f"working hours unusable ({result.code})", HOURS_FIX, upn)
        if not isinstance(result, Mailbox):
            continue
        hours = result.working_hours
        span = _minutes(hours.end) - _minutes(hours.start)
        longest = max(_block_minutes(sellers[upn].blocks_for(upn)), default=0) \
            if upn in sellers else 0
        if span < longest:
            findings.add(f"working day shorter than the seller's longest block ({longest} "
                         "min): no make-up block fits in it", HOURS_FIX,
                         f"{upn} ({hours.start:%H:%M}–{hours.end:%H:%M})", Status.WARN)
        usable += 1
    return Check("working_hours", "Working hours",
                 f"{usable} seller(s) with working hours compensations can go into",
                 findings=findings.all()).settle()


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _block_minutes(blocks: Iterable[BlockRule]) -> list[int]:
    return [_minutes(b.end) - _minutes(b.start) for b in blocks]


async def senders_check(gateway: GraphGateway, rules_file: RulesFile,
                        denials: Denials) -> Check | None:
    """The mailboxes escalation mail goes out from (the sender, else each manager's own):
    reachable means inside the app's scope. Sending itself is not tried: it would mail
    someone."""
    rules = rules_file.rules.escalation
    if not rules.enabled:
        return None
    senders = sorted({rules.sender.lower()} if rules.sender else
                     {t.manager.lower() for t in rules_file.teams if t.manager})
    if not senders:
        return Check("senders", "Escalation senders", "no team names a manager: no "
                     "escalation mail goes out", Status.WARN,
                     "name each team's manager, or set [escalation] enabled = false")
    findings = Findings()
    for upn, result in (await gateway.mailboxes(senders)).items():
        if isinstance(result, SlotguardError) and not isinstance(result, BadGraphData):
            findings.add(*denials.explain(result, SETTINGS), upn)
    failed = sum(len(f.items) for f in findings.all())
    return Check("senders", "Escalation senders",
                 f"{len(senders) - failed} of {len(senders)} sending mailbox(es) reachable "
                 "(sending itself is not tried)", findings=findings.all()).settle()
