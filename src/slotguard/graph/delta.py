"""calendarView delta per seller and window: after the first read, an unchanged calendar
costs one small request per cycle.

``WindowSync.sync`` takes what the caller stored last time (a snapshot of the window's
events and the deltaLink) and returns the window's events now, plus the new snapshot and
link to store. The snapshot is msgpack of domain ``CalendarEvent``s, so markers learnt
from a full read survive rounds of delta, which cannot ``$expand`` extended properties.
A new event that could be slotguard's (no attendees, organised by the seller) has its
marker looked up by id; customer meetings never cost that extra request. An expired or
unknown delta state (410, syncStateNotFound) falls back to a full read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

import msgspec
import structlog
from msgraph.generated.users.item.calendar_view.delta.delta_request_builder import (
    DeltaRequestBuilder,
)

from slotguard.domain.model import CalendarEvent, OwnMarker
from slotguard.errors import SyncStateExpired
from slotguard.graph.decode import EventPage, decode_event_page
from slotguard.graph.errors import Target
from slotguard.graph.pipeline import request_config, utc_param

if TYPE_CHECKING:
    from slotguard.graph.gateway import GraphGateway

log = structlog.get_logger("slotguard.graph")

SNAPSHOT_VERSION = 1
DELTA_PAGE_SIZE = 1000


class _Snapshot(msgspec.Struct):
    version: int
    events: list[CalendarEvent]


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(_Snapshot)


@dataclass(frozen=True, slots=True)
class DeltaRound:
    changed: list[CalendarEvent]
    removed: list[str]
    delta_link: str


@dataclass(frozen=True, slots=True)
class WindowState:
    events: list[CalendarEvent]
    snapshot: bytes
    delta_link: str
    full_read: bool  # True when this sync read the whole window


async def delta_round(
    gateway: GraphGateway, upn: str, start: datetime, end: datetime, delta_link: str | None
) -> DeltaRound:
    """One delta round to its deltaLink: the first from the window, later ones from the
    stored link (which encodes the window and must not be given parameters again)."""
    root = gateway.client.users.by_user_id(upn).calendar_view.delta
    params = DeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters(
        start_date_time=utc_param(start), end_date_time=utc_param(end)
    )
    prefer = f'outlook.timezone="UTC", odata.maxpagesize={DELTA_PAGE_SIZE}'
    changed: list[CalendarEvent] = []
    removed: list[str] = []
    link = delta_link
    first = delta_link is None
    while True:
        builder = root.with_url(link) if link else root
        use_params = params if first else None
        raw = await gateway.pipeline.send(
            lambda b=builder, p=use_params: b.to_get_request_information(  # type: ignore[misc]
                request_config(p, prefer=prefer)
            ),
            mailbox=upn, target=Target.MAILBOX,
        )
        first = False
        page: EventPage = decode_event_page(raw or b"{}")
        changed.extend(page.events)
        removed.extend(page.removed)
        for item in page.skipped:
            log.warning("graph.event_skipped", seller=upn, event_id=item.event_id, field=item.field)
        if page.delta_link:
            return DeltaRound(changed, removed, page.delta_link)
        if not page.next_link:
            raise SyncStateExpired(f"calendarView delta for {upn} ended without a deltaLink")
        link = page.next_link


class WindowSync:
    def __init__(self, gateway: GraphGateway) -> None:
        self.gateway = gateway

    async def sync(
        self, upn: str, start: datetime, end: datetime,
        snapshot: bytes | None, delta_link: str | None,
    ) -> WindowState:
        previous = _load(snapshot)
        if previous is not None and delta_link:
            try:
                delta = await delta_round(self.gateway, upn, start, end, delta_link)
            except SyncStateExpired:
                log.info("graph.delta_expired", seller=upn)
            else:
                events = await self._merge(upn, previous, delta, start, end)
                return WindowState(events, _dump(events), delta.delta_link, full_read=False)
        return await self.full(upn, start, end)

    async def full(self, upn: str, start: datetime, end: datetime) -> WindowState:
        """Delta first (for the link), then calendarView (for the markers): a change made
        between the two is in the read and replayed by the next round, harmlessly."""
        delta = await delta_round(self.gateway, upn, start, end, None)
        events = await self.gateway.events(upn, start, end)
        return WindowState(events, _dump(events), delta.delta_link, full_read=True)

    async def _merge(
        self, upn: str, previous: list[CalendarEvent], delta: DeltaRound,
        start: datetime, end: datetime,
    ) -> list[CalendarEvent]:
        known = {e.id: e for e in previous}
        markers: dict[str, OwnMarker | None] = {e.id: e.marker for e in previous}
        for event_id in delta.removed:
            known.pop(event_id, None)
        for event in delta.changed:
            marker = event.marker or await self._marker(upn, event, markers)
            known[event.id] = replace(event, marker=marker) if marker else event
        # Delta also reports changes outside the window; keep the window only.
        return sorted(
            (e for e in known.values() if e.start < end and e.end > start),
            key=lambda e: (e.start, e.id),
        )

    async def _marker(
        self, upn: str, event: CalendarEvent, markers: dict[str, OwnMarker | None]
    ) -> OwnMarker | None:
        if event.id in markers:  # markers never change once written
            return markers[event.id]
        if event.attendees or (event.organizer and event.organizer != upn.lower()):
            return None  # slotguard's events have no attendees and are the seller's own
        lookup_id = event.series_master_id or event.id
        if lookup_id not in markers:
            own = await self.gateway.own_event(upn, lookup_id)
            markers[lookup_id] = own.marker if own else None
        markers[event.id] = markers[lookup_id]
        return markers[event.id]


def _load(snapshot: bytes | None) -> list[CalendarEvent] | None:
    if not snapshot:
        return None
    try:
        state = _DECODER.decode(snapshot)
    except msgspec.MsgspecError:
        return None  # an unreadable snapshot is just a full read
    return state.events if state.version == SNAPSHOT_VERSION else None


def _dump(events: list[CalendarEvent]) -> bytes:
    return _ENCODER.encode(_Snapshot(SNAPSHOT_VERSION, events))
