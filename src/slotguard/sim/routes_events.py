"""/users/{id}/events and /users/{id}/calendar/events: list, create (with transactionId),
get, update and delete; ids of occurrences address one instance of a series."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from slotguard.sim import events as ev
from slotguard.sim import recurrence as rec
from slotguard.sim.event_views import (
    ViewOptions,
    collection_options,
    entity_options,
    page,
    single,
)
from slotguard.sim.graph_errors import GraphProblem, not_found
from slotguard.sim.model import StoredEvent, User, occurrence_id
from slotguard.sim.recurrence import Instance
from slotguard.sim.router import GraphRequest, GraphResponse, json_response, route
from slotguard.sim.timezones import resolve_zone

if TYPE_CHECKING:
    from slotguard.sim.context import SimContext


def _body(req: GraphRequest) -> dict[str, Any]:
    if not isinstance(req.body, dict):
        raise GraphProblem(400, "BadRequest", "Empty Payload. JSON content expected.")
    return req.body


def instance_for(event: StoredEvent, day: Any) -> Instance | None:
    """The occurrence/exception instance of ``event`` on original local date ``day``."""
    if day is None:
        return None
    zone = resolve_zone(rec.series_zone(event))
    lo = datetime.combine(day, datetime.min.time(), zone) - timedelta(days=370)
    hi = datetime.combine(day, datetime.min.time(), zone) + timedelta(days=370)
    wanted = occurrence_id(event.id, day)
    for inst in rec.expand(event, lo, hi):
        if inst.id == wanted:
            return inst
    raise not_found()


def _entity(req: GraphRequest, owner: User, opts: ViewOptions, event: StoredEvent,
            day: Any) -> GraphResponse:
    """One event (or one occurrence of a series) as Graph answers GET and PATCH."""
    body, headers = single(
        owner,
        event,
        instance_for(event, day),
        opts,
        req.context_url(f"users('{owner.upn}')/events/$entity"),
    )
    return json_response(body, headers=headers)


@route("GET", "/users/{user}/events")
@route("GET", "/users/{user}/calendar/events")
def list_events(ctx: SimContext, req: GraphRequest, user: str) -> GraphResponse:
    owner, box = ctx.tenant.mailbox(user)
    opts = collection_options(req, ctx.tenant.quirks)
    events = sorted(box.events.values(), key=lambda e: (e.created, e.id))
    body, headers = page(
        req,
        owner,
        [(e, None) for e in events],
        opts,
        req.context_url(f"users('{owner.upn}')/events"),
    )
    return json_response(body, headers=headers)


@route("POST", "/users/{user}/events")
@route("POST", "/users/{user}/calendar/events")
def create_event(ctx: SimContext, req: GraphRequest, user: str) -> GraphResponse:
    owner, box = ctx.tenant.mailbox(user)
    opts = entity_options(req, ctx.tenant.quirks)
    event, _created = ev.create_event(owner, box, _body(req), ctx.tenant.quirks)
    # The create response leaves out singleValueExtendedProperties, as documented.
    opts.expand = type(opts.expand)()
    body, headers = single(
        owner, event, None, opts, req.context_url(f"users('{owner.upn}')/events/$entity")
    )
    headers["Location"] = f"{req.base_url}/users/{owner.id}/events/{event.id}"
    return json_response(body, 201, headers)


@route("GET", "/users/{user}/events/{event_id}")
@route("GET", "/users/{user}/calendar/events/{event_id}")
def get_event(ctx: SimContext, req: GraphRequest, user: str, event_id: str) -> GraphResponse:
    owner, box = ctx.tenant.mailbox(user)
    # A bad query is refused before any lookup.
    opts = entity_options(req, ctx.tenant.quirks, allow_filter=False)
    return _entity(req, owner, opts, *ev.find(box, event_id))


@route("PATCH", "/users/{user}/events/{event_id}")
@route("PATCH", "/users/{user}/calendar/events/{event_id}")
def update_event(ctx: SimContext, req: GraphRequest, user: str, event_id: str) -> GraphResponse:
    owner, box = ctx.tenant.mailbox(user)
    # A bad query is refused before the update.
    opts = entity_options(req, ctx.tenant.quirks, allow_filter=False)
    return _entity(req, owner, opts, *ev.update_event(box, event_id, _body(req)))


@route("DELETE", "/users/{user}/events/{event_id}")
@route("DELETE", "/users/{user}/calendar/events/{event_id}")
def delete_event(ctx: SimContext, req: GraphRequest, user: str, event_id: str) -> GraphResponse:
    _, box = ctx.tenant.mailbox(user)
    ev.delete_event(box, event_id)
    return GraphResponse(204)


@route("GET", "/users/{user}/outlook/masterCategories")
def master_categories(ctx: SimContext, req: GraphRequest, user: str) -> GraphResponse:
    owner, box = ctx.tenant.mailbox(user)
    return json_response(
        {
            "@odata.context": req.context_url(f"users('{owner.id}')/outlook/masterCategories"),
            "value": [
                {"id": f"cat-{i}", "displayName": name, "color": "preset0"}
                for i, name in enumerate(box.categories)
            ],
        }
    )


@route("POST", "/users/{user}/outlook/masterCategories")
def add_master_category(ctx: SimContext, req: GraphRequest, user: str) -> GraphResponse:
    _, box = ctx.tenant.mailbox(user)
    name = str(_body(req).get("displayName") or "")
    if not name:
        raise GraphProblem(400, "ErrorInvalidRequest", "displayName is required.")
    if name.lower() in (c.lower() for c in box.categories):
        raise GraphProblem(409, "ErrorItemSave", "An object with the same key already exists.")
    box.categories.append(name)
    return json_response(
        {
            "id": f"cat-{len(box.categories) - 1}",
            "displayName": name,
            "color": str(_body(req).get("color") or "preset0"),
        },
        201,
    )
