"""The hot path: Graph event pages (calendarView, delta, /events) from raw bytes straight
into domain ``CalendarEvent``s.

The SDK's Event models cost ~5 ms of CPU per event to build; msgspec Structs shaped like
Graph's documented JSON do the same in microseconds (bench/graph_decode.py). A page is
decoded in one typed pass; if that fails because one item is malformed, the page is decoded
again item by item so one bad event costs that event, not the seller-week.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import msgspec

from slotguard.domain.model import (
    Attendee,
    AttendeeType,
    CalendarEvent,
    Response,
    Sensitivity,
    ShowAs,
)
from slotguard.errors import BadGraphData
from slotguard.graph.marker import marker_from_properties
from slotguard.graph.zones import zone_info


class _DateTimeTimeZone(msgspec.Struct):
    dateTime: str | None = None  # Graph's wire names
    timeZone: str | None = None


class _EmailAddress(msgspec.Struct):
    address: str | None = None


class _Recipient(msgspec.Struct):
    emailAddress: _EmailAddress | None = None


class _ResponseStatus(msgspec.Struct):
    response: str | None = None


class _Attendee(msgspec.Struct):
    type: str | None = None
    emailAddress: _EmailAddress | None = None


class _ExtendedProperty(msgspec.Struct):
    id: str
    value: str | None = None


class _Removed(msgspec.Struct):
    reason: str | None = None


class _Event(msgspec.Struct):
    id: str | None = None
    subject: str | None = None
    start: _DateTimeTimeZone | None = None
    end: _DateTimeTimeZone | None = None
    showAs: str | None = None
    responseStatus: _ResponseStatus | None = None
    isCancelled: bool | None = None
    isAllDay: bool | None = None
    attendees: list[_Attendee] | None = None
    organizer: _Recipient | None = None
    isOrganizer: bool | None = None
    categories: list[str] | None = None
    sensitivity: str | None = None
    seriesMasterId: str | None = None
    webLink: str | None = None
    singleValueExtendedProperties: list[_ExtendedProperty] | None = None
    removed: _Removed | None = msgspec.field(default=None, name="@removed")


class _Page(msgspec.Struct):
    value: list[_Event] = msgspec.field(default_factory=list)
    next_link: str | None = msgspec.field(default=None, name="@odata.nextLink")
    delta_link: str | None = msgspec.field(default=None, name="@odata.deltaLink")


class _RawPage(msgspec.Struct):
    value: list[msgspec.Raw] = msgspec.field(default_factory=list)
    next_link: str | None = msgspec.field(default=None, name="@odata.nextLink")
    delta_link: str | None = msgspec.field(default=None, name="@odata.deltaLink")


class _Links(msgspec.Struct):
    """A page's links alone: its items are walked over (so a page that is not JSON still
    fails) but none is built."""

    next_link: str | None = msgspec.field(default=None, name="@odata.nextLink")
    delta_link: str | None = msgspec.field(default=None, name="@odata.deltaLink")


_PAGE = msgspec.json.Decoder(_Page)
_RAW_PAGE = msgspec.json.Decoder(_RawPage)
_LINKS = msgspec.json.Decoder(_Links)
_EVENT = msgspec.json.Decoder(_Event)

_SHOW_AS = {s.value: s for s in ShowAs}
_RESPONSE = {r.value: r for r in Response}
_ATTENDEE_TYPE = {t.value: t for t in AttendeeType}
_SENSITIVITY = {s.value: s for s in Sensitivity}


@dataclass(frozen=True, slots=True)
class SkippedItem:
    """An item of a page that could not be used, named without personal data."""

    event_id: str | None
    field: str | None
    reason: str


@dataclass(slots=True)
class EventPage:
    events: list[CalendarEvent] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # ids reported as @removed (delta)
    skipped: list[SkippedItem] = field(default_factory=list)
    # Ids of events the mailbox owner organised (Graph's isOrganizer): such an event may be
    # slotguard's own whichever address names the organizer (UPN or primary SMTP).
    organized: set[str] = field(default_factory=set)
    next_link: str | None = None
    delta_link: str | None = None


def decode_event_page(raw: bytes) -> EventPage:
    """Decode one page of events. Raises BadGraphData only when the page itself is not a
    Graph collection; bad items land in ``skipped``."""
    try:
        page = _PAGE.decode(raw)
    except msgspec.ValidationError:
        return _decode_item_by_item(raw)
    except msgspec.DecodeError as exc:
        raise BadGraphData(f"event page is not JSON: {exc}") from exc
    out = EventPage(next_link=page.next_link, delta_link=page.delta_link)
    for item in page.value:
        _collect(out, item)
    return out


def decode_page_links(raw: bytes) -> tuple[str | None, str | None]:
    """(nextLink, deltaLink) of a page whose items are not needed."""
    try:
        page = _LINKS.decode(raw)
    except msgspec.MsgspecError as exc:
        raise BadGraphData(f"event page is not a Graph collection: {exc}") from exc
    return page.next_link, page.delta_link


def page_links_only(raw: bytes) -> bytes:
    """A page reduced to its links (``decode_page_links`` reads the same from both); a
    body that is not a page is kept whole, so that reading it fails as it would have."""
    try:
        page = _LINKS.decode(raw)
    except msgspec.MsgspecError:
        return raw
    return msgspec.json.encode(page)


def decode_event(raw: bytes) -> CalendarEvent:
    """Decode a single event (GET /events/{id}); malformed data raises BadGraphData."""
    try:
        item = _EVENT.decode(raw)
    except msgspec.MsgspecError as exc:
        raise BadGraphData(f"event is not a Graph event: {exc}") from exc
    return to_domain(item)


def _decode_item_by_item(raw: bytes) -> EventPage:
    try:
        page = _RAW_PAGE.decode(raw)
    except msgspec.MsgspecError as exc:
        raise BadGraphData(f"event page is not a Graph collection: {exc}") from exc
    out = EventPage(next_link=page.next_link, delta_link=page.delta_link)
    for item_raw in page.value:
        try:
            item = _EVENT.decode(item_raw)
        except msgspec.ValidationError as exc:
            # "Expected `str`, got `int` - at `$.start.dateTime`" names the field itself.
            out.skipped.append(SkippedItem(_peek_id(item_raw), _path(str(exc)), str(exc)))
            continue
        _collect(out, item)
    return out


def _collect(out: EventPage, item: _Event) -> None:
    if item.removed is not None:
        if item.id:
            out.removed.append(item.id)
        return
    try:
        out.events.append(to_domain(item))
    except BadGraphData as exc:
        out.skipped.append(SkippedItem(item.id, exc.code, str(exc)))
        return
    if item.isOrganizer:
        out.organized.add(out.events[-1].id)


def to_domain(item: _Event) -> CalendarEvent:
    """One Graph event in our terms; the first unusable field raises BadGraphData with
    the field's JSON name as ``code``."""
    if not item.id:
        raise _bad(item, "id", "missing")
    is_all_day = bool(item.isAllDay)
    start = _instant(item, "start", item.start)
    end = _instant(item, "end", item.end)
    if end < start:
        raise _bad(item, "end", f"{end.isoformat()} is before start {start.isoformat()}")
    props = item.singleValueExtendedProperties
    marker = (
        marker_from_properties({p.id: p.value or "" for p in props}) if props else None
    )
    organizer = item.organizer.emailAddress if item.organizer else None
    return CalendarEvent(
        id=item.id,
        start=start,
        end=end,
        subject=item.subject or "",
        show_as=_SHOW_AS.get(item.showAs or "busy", ShowAs.UNKNOWN),
        response=_RESPONSE.get(
            item.responseStatus.response or "none" if item.responseStatus else "none",
            Response.NONE,
        ),
        is_cancelled=bool(item.isCancelled),
        is_all_day=is_all_day,
        attendees=tuple(
            Attendee(
                address=a.emailAddress.address.lower(),
                type=_ATTENDEE_TYPE.get(a.type or "required", AttendeeType.REQUIRED),
            )
            for a in item.attendees or ()
            if a.emailAddress is not None and a.emailAddress.address
        ),
        organizer=organizer.address.lower() if organizer and organizer.address else None,
        categories=tuple(item.categories or ()),
        sensitivity=_SENSITIVITY.get(item.sensitivity or "normal", Sensitivity.NORMAL),
        marker=marker,
        series_master_id=item.seriesMasterId,
        web_link=item.webLink,
    )


def _instant(item: _Event, name: str, value: _DateTimeTimeZone | None) -> datetime:
    """An aware UTC datetime from Graph's dateTimeTimeZone. We ask for UTC, but all-day
    events keep their own zone, so any zone Graph names is honoured."""
    if value is None or not value.dateTime:
        raise _bad(item, name, "missing")
    try:
        local = datetime.fromisoformat(value.dateTime)  # 3.11 reads the 7-digit fraction
    except ValueError as exc:
        raise _bad(item, f"{name}.dateTime", f"{value.dateTime!r} is not ISO 8601") from exc
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    zone = zone_info(value.timeZone or "UTC")
    if zone is None:
        raise _bad(item, f"{name}.timeZone", f"unknown time zone {value.timeZone!r}")
    return local.replace(tzinfo=zone).astimezone(UTC)


def _bad(item: _Event, field_name: str, problem: str) -> BadGraphData:
    return BadGraphData(f"event {item.id or '?'}: {field_name} {problem}", code=field_name)


def _peek_id(raw: msgspec.Raw) -> str | None:
    try:
        return msgspec.json.decode(raw, type=_IdOnly).id
    except msgspec.MsgspecError:
        return None


class _IdOnly(msgspec.Struct):
    id: str | None = None


def _path(message: str) -> str | None:
    _, sep, path = message.rpartition("at `$.")
    return path.rstrip("`") if sep else None
