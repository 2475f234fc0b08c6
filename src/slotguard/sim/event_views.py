"""Turning stored events into the JSON pages of calendarView, /events and /instances:
time-zone preference, $select, $expand, $filter and paging with @odata.nextLink."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from slotguard.sim.graph_errors import GraphProblem
from slotguard.sim.model import StoredEvent, User
from slotguard.sim.odata import (
    Expand,
    Predicate,
    apply_select,
    parse_expand,
    parse_filter,
    parse_select,
    parse_top,
    prefer_values,
)
from slotguard.sim.quirks import Quirks, unsupported_query
from slotguard.sim.recurrence import Instance
from slotguard.sim.router import GraphRequest
from slotguard.sim.serialize import event_json, extended_properties
from slotguard.sim.timezones import UnknownTimeZone, parse_query_instant, resolve_zone
from slotguard.sim.zone_names import require, unsupported

EVENT_PROPERTIES = {
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "categories",
    "transactionId",
    "originalStartTimeZone",
    "originalEndTimeZone",
    "iCalUId",
    "reminderMinutesBeforeStart",
    "isReminderOn",
    "hasAttachments",
    "subject",
    "bodyPreview",
    "importance",
    "sensitivity",
    "isAllDay",
    "isCancelled",
    "isOrganizer",
    "responseRequested",
    "seriesMasterId",
    "showAs",
    "type",
    "webLink",
    "onlineMeetingUrl",
    "isOnlineMeeting",
    "onlineMeetingProvider",
    "allowNewTimeProposals",
    "isDraft",
    "hideAttendees",
    "responseStatus",
    "body",
    "start",
    "end",
    "location",
    "locations",
    "recurrence",
    "attendees",
    "organizer",
    "onlineMeeting",
    "originalStart",
}


@dataclass(slots=True)
class ViewOptions:
    out_zone: str | None
    select: list[str] | None
    expand: Expand
    predicate: Predicate | None
    page_size: int
    skip: int
    preference_applied: list[str]
    smtp_organizer: bool = False  # the tenant's organizer_address switch (quirks.py)


def view_options(
    req: GraphRequest, *, allow_filter: bool = True, default_top: int = 10
) -> ViewOptions:
    prefer = prefer_values(req.headers.get("prefer"))
    applied: list[str] = []
    out_zone = None
    if "outlook.timezone" in prefer:
        # The names dateTimeTimeZone takes; Graph refuses others (zone_names.py).
        out_zone = require(prefer["outlook.timezone"])
        try:
            resolve_zone(out_zone)
        except UnknownTimeZone:
            raise unsupported(out_zone) from None
        applied.append(f'outlook.timezone="{out_zone}"')
    if prefer.get("idtype", "").lower() == "immutableid":
        # Ids here never change when items move, so immutable ids are what every id already is.
        applied.append('IdType="ImmutableId"')
    select = parse_select(req.query.get("$select"), EVENT_PROPERTIES)
    expand = parse_expand(
        req.query.get("$expand"),
        {"singleValueExtendedProperties", "multiValueExtendedProperties", "extensions"},
    )
    predicate = None
    if req.query.get("$filter"):
        if not allow_filter:
            raise GraphProblem(
                400, "ErrorInvalidUrlQuery", "$filter is not supported on this resource."
            )
        predicate = parse_filter(req.query["$filter"])
    page_size = parse_top(req.query.get("$top"), default=default_top, maximum=1000)
    if "odata.maxpagesize" in prefer and "$top" not in req.query:
        try:
            page_size = max(1, min(1000, int(prefer["odata.maxpagesize"])))
            applied.append(f"odata.maxpagesize={page_size}")
        except ValueError:
            pass
    try:
        skip = int(req.query.get("$skip", "0"))
    except ValueError:
        raise GraphProblem(
            400, "BadRequest", "Invalid value for $skip: expected an integer."
        ) from None
    return ViewOptions(out_zone, select, expand, predicate, page_size, skip, applied)


def entity_options(req: GraphRequest, quirks: Quirks, *, allow_filter: bool = True,
                   ) -> ViewOptions:
    """``view_options`` with the tenant's switches that change how events render."""
    opts = view_options(req, allow_filter=allow_filter)
    opts.smtp_organizer = quirks.organizer_address == "primary_smtp"
    return opts


def collection_options(req: GraphRequest, quirks: Quirks) -> ViewOptions:
    """``view_options`` for a collection of events (calendarView, /events, /instances),
    where what Graph does with the extended-property $expand is a switch (quirks.py)."""
    opts = entity_options(req, quirks)
    if opts.expand.extended and quirks.collection_extended_expand == "refused":
        raise unsupported_query("$expand=singleValueExtendedProperties on a collection")
    if opts.expand.extended and quirks.collection_extended_expand == "ignored":
        opts.expand = replace(opts.expand, extended=False, extended_ids=None)
    return opts


def window(req: GraphRequest) -> tuple[datetime, datetime]:
    start_text = _ci(req.query, "startDateTime")
    end_text = _ci(req.query, "endDateTime")
    if not start_text or not end_text:
        raise GraphProblem(
            400,
            "ErrorInvalidParameter",
            "This request requires a time window "
            "specified by the query string parameters StartDateTime and EndDateTime.",
        )
    try:
        return parse_query_instant(start_text), parse_query_instant(end_text)
    except ValueError:
        raise GraphProblem(
            400,
            "ErrorInvalidParameter",
            "The value of the parameter "
            "'StartDateTime' or 'EndDateTime' is not a valid date and time.",
        ) from None


def _ci(query: dict[str, str], name: str) -> str | None:
    for key, value in query.items():
        if key.lower() == name.lower():
            return value
    return None


def render(
    owner: User,
    event: StoredEvent,
    instance: Instance | None,
    opts: ViewOptions,
    with_props_for_filter: bool = False,
) -> dict[str, Any]:
    item = event_json(owner, event, instance, opts.out_zone, opts.smtp_organizer)
    if opts.expand.extended or with_props_for_filter:
        item["singleValueExtendedProperties"] = extended_properties(event, opts.expand.extended_ids)
    return item


def page(
    req: GraphRequest,
    owner: User,
    entries: Iterable[tuple[StoredEvent, Instance | None]],
    opts: ViewOptions,
    context: str,
) -> tuple[dict[str, Any], dict[str, str]]:
    """One page of rendered events plus the response headers (Preference-Applied)."""
    needs_props = opts.predicate is not None and "singleValueExtendedProperties" in (
        req.query.get("$filter") or ""
    )
    items: list[dict[str, Any]] = []
    for event, instance in entries:
        item = render(owner, event, instance, opts, needs_props)
        if opts.predicate is not None and not opts.predicate(item):
            continue
        if needs_props and not opts.expand.extended:
            item.pop("singleValueExtendedProperties", None)
        items.append(item)
    chunk = items[opts.skip : opts.skip + opts.page_size]
    keep = _kept(opts)
    body: dict[str, Any] = {"@odata.context": context,
                            "value": [apply_select(i, keep) for i in chunk]}
    if opts.skip + opts.page_size < len(items):
        body["@odata.nextLink"] = req.url({**req.query, "$skip": str(opts.skip + opts.page_size)})
    return body, headers_for(opts)


def _kept(opts: ViewOptions) -> frozenset[str] | None:
    if opts.select is None:
        return None
    extra = ("singleValueExtendedProperties",) if opts.expand.extended else ()
    return frozenset((*opts.select, *extra))


def _project(item: dict[str, Any], opts: ViewOptions) -> dict[str, Any]:
    return apply_select(item, _kept(opts))


def single(
    owner: User, event: StoredEvent, instance: Instance | None, opts: ViewOptions, context: str
) -> tuple[dict[str, Any], dict[str, str]]:
    item = _project(render(owner, event, instance, opts), opts)
    return {"@odata.context": context, **item}, headers_for(opts)


def headers_for(opts: ViewOptions) -> dict[str, str]:
    return (
        {"Preference-Applied": ", ".join(opts.preference_applied)}
        if opts.preference_applied
        else {}
    )
