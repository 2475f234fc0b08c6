"""The weekly job: every seller's blocks as a visible recurring series (created when missing)
and this week's habit tasks. ``claim_once("weekly", ISO week)`` in the ledger makes it run
once per week across all replicas; a replica dying mid-job lets another take the claim over
after its ttl, and every write is keyed, so a second run only completes what is missing.
A dry run (its adapters record instead of writing) claims nothing and writes nothing: it
counts what a real run would create.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

import structlog

from slotguard.domain.blocks import expand_blocks
from slotguard.domain.followup import habit_tasks
from slotguard.domain.model import IsoWeek, ListedSeller, Seller
from slotguard.errors import AuthError, GraphError
from slotguard.service import compose
from slotguard.service.apply import PLANNED, WRITTEN, Applier
from slotguard.service.context import Cycle
from slotguard.service.scan import Scanner

log = structlog.get_logger("slotguard.weekly")

JOB = "weekly"
# What counts as created: written now, or (dry run) what a real run would write. A series
# or task found in Graph that the ledger did not know (RECOVERED) was not created now.
CREATED = frozenset({WRITTEN, PLANNED})


@dataclass
class WeeklyResult:
    week: str
    ran: bool
    series_created: int = 0
    habits_created: int = 0
    problems: int = 0


async def run_weekly(scanner: Scanner, *, week: IsoWeek | None = None,
                     stop: asyncio.Event | None = None,
                     claim_ttl: float = 3600.0) -> WeeklyResult:
    week = week or scanner.week_of_now()
    ledger = scanner.ledger
    result = WeeklyResult(str(week), ran=False)
    if not ledger.claim_once(JOB, str(week), scanner.replica, ttl_seconds=claim_ttl):
        log.debug("weekly.claimed_elsewhere", week=str(week))
        return result
    result.ran = True
    log.info("weekly.started", week=str(week))
    listed, _problems = await scanner.roster()
    cycle = Cycle(scanner.gateway, ledger, scanner.rules, scanner.texts, week,
                  scanner.clock.now(), scanner.settled, b"", None, scanner.tasks_enabled,
                  scanner.personal_data, scanner.concurrency, stop)
    limit = asyncio.Semaphore(max(1, cycle.concurrency))

    async def guarded(one: ListedSeller) -> None:
        async with limit:
            if cycle.stopping:
                return
            try:
                mailbox = await cycle.gateway.mailbox(one.upn)
                await _seller(cycle, one.seller(mailbox.zone, mailbox.working_hours), result)
            except AuthError:
                raise
            except (GraphError, ValueError) as error:
                result.problems += 1
                log.warning("weekly.seller_skipped", seller=one.upn,
                            error=type(error).__name__, code=getattr(error, "code", None))

    await asyncio.gather(*(guarded(one) for one in listed))
    # Unfinished (stopped, or a seller failed): the claim stays ours, so the next hourly
    # check resumes it; keyed writes make the second pass cheap.
    if not cycle.stopping and not result.problems:
        ledger.finish_claim(JOB, str(week), scanner.replica)
    log.info("weekly.finished", week=str(week), series_created=result.series_created,
             habits_created=result.habits_created, problems=result.problems)
    return result


async def _seller(cycle: Cycle, seller: Seller, result: WeeklyResult) -> None:
    upn = seller.upn
    known = {r.key: r for r in cycle.ledger.actions(seller=upn)}
    applier = Applier(cycle.gateway, cycle.recorder(upn), known, wrote=cycle.wrote)
    texts, policy = cycle.texts_of(seller.language), cycle.rules.policy
    for rule in seller.blocks:
        first = expand_blocks(replace(seller, blocks=(rule,)), cycle.week)
        if not first:
            continue
        request = compose.block_series_event(upn, rule, first[0], seller.zone, policy, texts)
        status, _ = await applier.event("block_series", request)
        if status in CREATED:
            result.series_created += 1
            log.info("weekly.block_series_created", seller=upn, rule=rule.id,
                     dry_run=cycle.ledger.dry_run)
    if not cycle.tasks_enabled:
        return
    for task in habit_tasks(seller, cycle.week, cycle.rules):
        status, _ = await applier.task(task, compose.task_request(task, policy, texts),
                                       compose.task_list(texts), "habit")
        if status in CREATED:
            result.habits_created += 1
            log.info("weekly.habit_created", seller=upn, key=task.key)
