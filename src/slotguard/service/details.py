"""The meetings a write names, looked up in Graph when the calendar came from the ledger.

The ledger's snapshot keeps events in their stored form (domain/retention.py): enough to
decide, not enough to write. A make-up block's body and a follow-up task's title name the
meeting, and a task links to it, so before a seller's writes the meetings they name are
read again by id — only those, only when a write is due (a steady cycle writes nothing and
looks nothing up). The details only word the writes: the decision was made without them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping

from slotguard.domain.decision import SellerPlan
from slotguard.domain.model import CalendarEvent
from slotguard.domain.retention import lacks_details
from slotguard.ports import ActionRecord, CalendarGateway


def _named(plan: SellerPlan, actions: Iterable[ActionRecord]) -> set[str]:
    """Ids of meetings a due write of ``plan`` names whose details are not at hand."""
    done = {r.key for r in actions if r.state == "done"}
    compensated = {p.violation_key for p in plan.placements if p.key not in done}
    wanted = {m.id for v in plan.violations if v.key in compensated for m in v.meetings
              if lacks_details(m)}
    for task in plan.tasks:
        if task.key not in done and task.meeting is not None and lacks_details(task.meeting):
            wanted.add(task.meeting.id)
    return wanted


async def meeting_details(gateway: CalendarGateway, upn: str, plan: SellerPlan,
                          actions: Iterable[ActionRecord]) -> Mapping[str, CalendarEvent]:
    """The meetings due writes name, by id, as Graph has them now (none when no write
    needs a lookup)."""
    wanted = sorted(_named(plan, actions))
    if not wanted:
        return {}
    found = await asyncio.gather(*(gateway.event(upn, event_id) for event_id in wanted))
    return {e.id: e for e in found if e is not None and e.marker is None}
