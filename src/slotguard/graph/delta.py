"""calendarView delta per seller and window: after the first read, an unchanged calendar
costs one small request per cycle.

``WindowSync.sync`` takes what the caller stored last time (a snapshot of the window's
events and the deltaLink) and returns the window's events now, plus the new snapshot and
link to store. The snapshot is msgpack of domain ``CalendarEvent``s, so markers learnt
from a full read survive rounds of delta, which cannot ``$expand`` extended properties.
Only each event's stored form goes into the snapshot (domain/retention.py): no subject, no
link, attendees as their domains — what the merge and the decisions need, nothing personal.
A new event that could be slotguard's (no attendees, organised by the seller) has its
marker looked up by id; customer meetings never cost that extra request. An expired or
unknown delta state (410, syncStateNotFound) falls back to a full read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

import msgspec
import structlog
from kiota_abstractions.request_information import RequestInformation
from msgraph.generated.users.item.calendar_view.delta.delta_request_builder import (
    DeltaRequestBuilder,
)

from slotguard.domain.model import CalendarEvent, OwnMarker
from slotguard.domain.retention import stored_form
from slotguard.errors import SlotguardError, SyncStateExpired
from slotguard.graph.batch import BatchCall, BatchResult, send_batch
from slotguard.graph.decode import (
    decode_event_page,
    decode_page_links,
    page_links_only,
)
from slotguard.graph.errors import Target
from slotguard.graph.pipeline import request_config, utc_param
from slotguard.ports import WindowRequest

if TYPE_CHECKING:
    from slotguard.graph.gateway import GraphGateway

log = structlog.get_logger("slotguard.graph")

# 2: events in their stored form. A snapshot of another version is a full read.
SNAPSHOT_VERSION = 2
DELTA_PAGE_SIZE = 1000


class _Snapshot(msgspec.Struct):
    version: int
    events: list[CalendarEvent]


class _Head(msgspec.Struct):
    """A snapshot's version alone: decoding it walks the bytes (so damaged ones fail) but
    builds no events."""

    version: int


_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(_Snapshot)
_HEAD = msgspec.msgpack.Decoder(_Head)


@dataclass(frozen=True, slots=True)
class DeltaRound:
    changed: list[CalendarEvent]
    removed: list[str]
    delta_link: str


@dataclass(frozen=True)
class WindowState:
    # None when the round reported nothing: the events are the snapshot's, decoded only
    # when asked for (a settled seller of a steady cycle never asks).
    decoded: list[CalendarEvent] | None
    snapshot: bytes
    delta_link: str
    full_read: bool  # True when this sync read the whole window
    # False when the round reported nothing: the stored link and snapshot still describe
    # the window, so the caller need not write them again.
    changed: bool = True

    @cached_property
    def events(self) -> list[CalendarEvent]:
        if self.decoded is not None:
            return self.decoded
        events = _load(self.snapshot)
        if events is None:  # checked readable before the round was sent
            raise ValueError("stored calendar snapshot could not be read")
        return events


async def delta_round(
    gateway: GraphGateway, upn: str, start: datetime, end: datetime, delta_link: str | None
) -> DeltaRound:
    """One delta round to its deltaLink: the first from the window, later ones from the
    stored link (which encodes the window and must not be given parameters again)."""
    return await _follow(gateway, upn, start, end, delta_link, None)


def delta_request(gateway: GraphGateway, upn: str, start: datetime, end: datetime,
                  link: str | None) -> RequestInformation:
    """A delta page's request: the window's first page, or the page ``link`` names."""
    root = gateway.client.users.by_user_id(upn).calendar_view.delta
    prefer = f'outlook.timezone="UTC", odata.maxpagesize={DELTA_PAGE_SIZE}'
    if link:
        return root.with_url(link).to_get_request_information(request_config(prefer=prefer))
    params = DeltaRequestBuilder.DeltaRequestBuilderGetQueryParameters(
        start_date_time=utc_param(start), end_date_time=utc_param(end)
    )
    return root.to_get_request_information(request_config(params, prefer=prefer))


async def _follow(gateway: GraphGateway, upn: str, start: datetime, end: datetime,
                  link: str | None, raw: bytes | None) -> DeltaRound:
    """Read delta pages to the deltaLink, from ``link`` or from a first page already in
    hand (``raw``), with their events."""
    changed: list[CalendarEvent] = []
    removed: list[str] = []

    def read(body: bytes) -> tuple[str | None, str | None]:
        page = decode_event_page(body)
        changed.extend(page.events)
        removed.extend(page.removed)
        gateway.note_skipped(upn, page)
        return page.next_link, page.delta_link

    delta_link = await _walk(gateway, upn, start, end, link, raw, read)
    return DeltaRound(changed, removed, delta_link)


async def _walk(gateway: GraphGateway, upn: str, start: datetime, end: datetime,
                link: str | None, raw: bytes | None,
                read: Callable[[bytes], tuple[str | None, str | None]]) -> str:
    """Delta pages from ``link`` (or from ``raw``, a first page already in hand) to the
    deltaLink, which is returned; ``read`` takes each page and gives its links."""
    while True:
        if raw is None:
            raw = await gateway.pipeline.send(
                lambda lk=link: delta_request(gateway, upn, start, end, lk),  # type: ignore[misc]
                mailbox=upn, target=Target.MAILBOX,
            )
        next_link, delta_link = read(raw or b"{}")
        if delta_link:
            return delta_link
        if not next_link:
            raise SyncStateExpired(f"calendarView delta for {upn} ended without a deltaLink")
        link, raw = next_link, None


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
        # The events come from calendarView: the delta pages' items are skipped over.
        link = await _walk(self.gateway, upn, start, end, None, None, decode_page_links)
        events = await self.gateway.events(upn, start, end)
        return WindowState(events, _dump(events), link, full_read=True)

    async def sync_many(
        self, requests: Sequence[WindowRequest]
    ) -> dict[str, WindowState | SlotguardError]:
        """``sync`` for many sellers, with the first page of every read sent in $batch
        round trips: an unchanged calendar costs one batch item, not one request. Further
        pages, marker lookups and fallbacks go out on their own. Every seller gets its
        state or the error that stopped its read."""
        out: dict[str, WindowState | SlotguardError] = {}
        # Snapshots are checked, not decoded: most windows of a steady cycle are unchanged
        # and their events are decoded only if the caller asks for them.
        usable = {r.upn: bool(r.delta_link) and _readable(r.snapshot) for r in requests}
        incremental = [r for r in requests if usable[r.upn]]
        fresh = [r for r in requests if not usable[r.upn]]
        calls = [BatchCall(f"d{i}", delta_request(self.gateway, r.upn, r.start, r.end,
                                                  r.delta_link), mailbox=r.upn)
                 for i, r in enumerate(incremental)]
        results = await send_batch(self.gateway.pipeline, calls + self._full_calls(fresh))
        expired: list[WindowRequest] = []
        for call, r in zip(calls, incremental, strict=True):
            try:
                delta = await self._round(r, results[call.id])
                if not (delta.changed or delta.removed):
                    # Nothing happened: the stored events and snapshot stand as they are
                    # (no merge, no new encoding; the caller keeps the stored link).
                    out[r.upn] = WindowState(None, r.snapshot or b"", delta.delta_link,
                                             False, False)
                    continue
                events = await self._merge(r.upn, _load(r.snapshot) or [], delta, r.start,
                                           r.end, r.known)
            except SyncStateExpired:
                log.info("graph.delta_expired", seller=r.upn)
                expired.append(r)
                continue
            except SlotguardError as error:
                out[r.upn] = error
                continue
            out[r.upn] = WindowState(events, _dump(events), delta.delta_link, False)
        await self._full_results(fresh, results, out)
        if expired:
            results = await send_batch(self.gateway.pipeline, self._full_calls(expired))
            await self._full_results(expired, results, out)
        return out

    def _full_calls(self, requests: Sequence[WindowRequest]) -> list[BatchCall]:
        """Per seller a first delta page (for the link) and a calendarView page (for the
        markers), as in ``full``."""
        calls = []
        for i, r in enumerate(requests):
            calls.append(BatchCall(f"f{i}d", delta_request(self.gateway, r.upn, r.start, r.end,
                                                           None), mailbox=r.upn,
                                   keep=page_links_only))
            calls.append(BatchCall(f"f{i}v", self.gateway.calendar_view_request(
                r.upn, r.start, r.end), mailbox=r.upn))
        return calls

    async def _full_results(self, requests: Sequence[WindowRequest],
                            results: Mapping[str, BatchResult],
                            out: dict[str, WindowState | SlotguardError]) -> None:
        for i, r in enumerate(requests):
            try:
                first = results[f"f{i}d"]
                if first.error is not None:
                    raise first.error
                link = await _walk(self.gateway, r.upn, r.start, r.end, None, first.body,
                                   decode_page_links)
                view = results[f"f{i}v"]
                if view.error is not None:
                    raise view.error
                page = decode_event_page(view.body or b"{}")
                self.gateway.note_skipped(r.upn, page)
                events = page.events
                if page.next_link:  # more than a page: read the window the usual way
                    events = await self.gateway.events(r.upn, r.start, r.end)
            except SlotguardError as error:
                out[r.upn] = error
                continue
            out[r.upn] = WindowState(events, _dump(events), link, full_read=True)

    async def _round(self, r: WindowRequest, result: BatchResult) -> DeltaRound:
        """The rest of a delta round whose first page came back in a batch."""
        if result.error is not None:
            raise result.error
        return await _follow(self.gateway, r.upn, r.start, r.end, None, result.body)

    async def _merge(
        self, upn: str, previous: list[CalendarEvent], delta: DeltaRound,
        start: datetime, end: datetime, known_markers: Mapping[str, OwnMarker] | None = None,
    ) -> list[CalendarEvent]:
        known = {e.id: e for e in previous}
        markers: dict[str, OwnMarker | None] = {e.id: e.marker for e in previous}
        for event_id, marker in (known_markers or {}).items():
            if markers.get(event_id) is None:
                markers[event_id] = marker
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


def _readable(snapshot: bytes | None) -> bool:
    """Whether ``_load`` would give events, without building them."""
    if not snapshot:
        return False
    try:
        return _HEAD.decode(snapshot).version == SNAPSHOT_VERSION
    except msgspec.MsgspecError:
        return False


def _load(snapshot: bytes | None) -> list[CalendarEvent] | None:
    if not snapshot:
        return None
    try:
        state = _DECODER.decode(snapshot)
    except msgspec.MsgspecError:
        return None  # an unreadable snapshot is just a full read
    return state.events if state.version == SNAPSHOT_VERSION else None


def _dump(events: list[CalendarEvent]) -> bytes:
    return _ENCODER.encode(_Snapshot(SNAPSHOT_VERSION, [stored_form(e) for e in events]))
