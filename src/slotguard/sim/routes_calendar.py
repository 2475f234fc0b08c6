"""GET calendarView and GET /events/{id}/instances: the expanded view of a calendar."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from slotguard.sim import recurrence as rec
from slotguard.sim.event_views import collection_options, page, window
from slotguard.sim.events import find
from slotguard.sim.model import Mailbox, StoredEvent
from slotguard.sim.recurrence import Instance
from slotguard.sim.router import GraphRequest, GraphResponse, json_response, route

if TYPE_CHECKING:
    from slotguard.sim.context import SimContext


def instances_in(
    box: Mailbox, start: datetime, end: datetime
) -> list[tuple[StoredEvent, Instance]]:
    """Occurrences, exceptions and single instances overlapping the window, by start time;
    series masters themselves never appear (as in Graph's calendarView). The expansion is
    kept until the mailbox changes (its version): a scan reads each window twice, and a
    delta round expands it whether or not anything changed."""
    cached = box.views.get((start, end))
    if cached is not None and cached[0] == box.version:
        return list(cached[1])
    out = [(event, inst) for event in box.events.values() for inst in rec.expand(event, start, end)]
    out.sort(key=lambda pair: (pair[1].start, pair[1].id))
    if len(box.views) >= 4:
        box.views.clear()
    box.views[(start, end)] = (box.version, tuple(out))
    return out


@route("GET", "/users/{user}/calendarView")
@route("GET", "/users/{user}/calendar/calendarView")
def calendar_view(ctx: SimContext, req: GraphRequest, user: str) -> GraphResponse:
    owner, box = ctx.tenant.mailbox(user)
    start, end = window(req)
    opts = collection_options(req, ctx.tenant.quirks)
    body, headers = page(
        req,
        owner,
        instances_in(box, start, end),
        opts,
        req.context_url(f"users('{owner.upn}')/calendarView"),
    )
    return json_response(body, headers=headers)


@route("GET", "/users/{user}/events/{event_id}/instances")
@route("GET", "/users/{user}/calendar/events/{event_id}/instances")
def instances(ctx: SimContext, req: GraphRequest, user: str, event_id: str) -> GraphResponse:
    owner, box = ctx.tenant.mailbox(user)
    start, end = window(req)
    opts = collection_options(req, ctx.tenant.quirks)
    event, _ = find(box, event_id)
    entries = [(event, inst) for inst in rec.expand(event, start, end)]
    body, headers = page(
        req,
        owner,
        entries,
        opts,
        req.context_url(f"users('{owner.upn}')/events('{event.id}')/instances"),
    )
    return json_response(body, headers=headers)
