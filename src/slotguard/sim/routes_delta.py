"""GET /users/{id}/calendarView/delta: the first round needs startDateTime/endDateTime; later
rounds follow @odata.nextLink ($skiptoken) and @odata.deltaLink ($deltatoken). As documented
(learn.microsoft.com/graph/api/event-delta), $select, $filter, $expand, $orderby and $search
are not supported; page size comes from Prefer: odata.maxpagesize."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from slotguard.sim.delta import PendingPages, SyncState
from slotguard.sim.event_views import window
from slotguard.sim.graph_errors import GraphProblem
from slotguard.sim.odata import prefer_values
from slotguard.sim.router import GraphRequest, GraphResponse, json_response, route
from slotguard.sim.routes_calendar import instances_in
from slotguard.sim.serialize import event_json
from slotguard.sim.zone_names import require

if TYPE_CHECKING:
    from slotguard.sim.context import SimContext

_UNSUPPORTED = ("$select", "$filter", "$expand", "$orderby", "$search", "$top")


def _gone(ctx: SimContext) -> GraphProblem:
    highest = ctx.delta.generation
    return GraphProblem(
        410,
        "SyncStateNotFound",
        f"The sync state generation is not found; generation=0;[highest={highest}].",
    )


@route("GET", "/users/{user}/calendarView/delta")
@route("GET", "/users/{user}/calendarView/delta()")
@route("GET", "/users/{user}/calendar/calendarView/delta")
@route("GET", "/users/{user}/calendar/calendarView/delta()")
def calendar_view_delta(ctx: SimContext, req: GraphRequest, user: str) -> GraphResponse:
    owner, box = ctx.tenant.mailbox(user)
    bad = [p for p in _UNSUPPORTED if p in req.query]
    if bad:
        raise GraphProblem(
            400,
            "ErrorInvalidUrlQuery",
            "The following parameters are not supported "
            "with change tracking over the 'CalendarView' resource: "
            "'$orderby, $filter, $select, $expand, $search, $top'.",
        )
    prefer = prefer_values(req.headers.get("prefer"))
    try:
        page_size = max(1, min(1000, int(prefer.get("odata.maxpagesize", "10"))))
    except ValueError:
        page_size = 10
    out_zone = prefer.get("outlook.timezone")
    if out_zone is not None:
        require(out_zone)  # as calendarView: zone_names.py
    context = req.context_url("Collection(event)")
    if "$skiptoken" in req.query:
        pending = ctx.delta.take_pages(req.query["$skiptoken"])
        if pending is None or pending.state.user_id != owner.id:
            raise _gone(ctx)
        return _emit(ctx, req, pending, context)
    if "$deltatoken" in req.query:
        previous = ctx.delta.state(req.query["$deltatoken"])
        if previous is None or previous.user_id != owner.id:
            raise _gone(ctx)
        start, end, seen_before = previous.start, previous.end, previous.seen
    else:
        start, end = window(req)
        seen_before = {}
    smtp_organizer = ctx.tenant.quirks.organizer_address == "primary_smtp"
    current = instances_in(box, start, end)
    seen_now: dict[str, str] = {}
    changes: list[dict[str, Any]] = []
    for event, inst in current:
        seen_now[inst.id] = inst.change_key
        if seen_before.get(inst.id) != inst.change_key:
            changes.append(event_json(owner, event, inst, out_zone, smtp_organizer))
    for gone_id in seen_before.keys() - seen_now.keys():
        changes.append(
            {
                "@odata.type": "#microsoft.graph.event",
                "id": gone_id,
                "@removed": {"reason": "deleted"},
            }
        )
    state = SyncState(owner.id, start, end, seen_now, 0)
    pending = PendingPages(state, changes, page_size, ctx.tenant.quirks.delta_empty_pages)
    return _emit(ctx, req, pending, context)


def _emit(ctx: SimContext, req: GraphRequest, pending: PendingPages, context: str) -> GraphResponse:
    chunk, rest = pending.remaining[: pending.page_size], pending.remaining[pending.page_size :]
    body: dict[str, Any] = {"@odata.context": context}
    link_base = f"{req.base_url}{req.path}"
    if pending.leading_empty > 0:
        # The tenant's delta_empty_pages switch: nothing yet, only a link onwards.
        token = ctx.delta.save_pages(replace(pending, leading_empty=pending.leading_empty - 1))
        body["@odata.nextLink"] = f"{link_base}?$skiptoken={token}"
        chunk = []
    elif rest:
        token = ctx.delta.save_pages(PendingPages(pending.state, rest, pending.page_size))
        body["@odata.nextLink"] = f"{link_base}?$skiptoken={token}"
    else:
        token = ctx.delta.save_state(pending.state)
        body["@odata.deltaLink"] = f"{link_base}?$deltatoken={token}"
    body["value"] = chunk
    headers = {"Preference-Applied": "odata.track-changes"}
    return json_response(body, headers=headers)
