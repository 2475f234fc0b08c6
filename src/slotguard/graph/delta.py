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

import asyncio
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
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
from slotguard.errors import AuthError, GraphError, SlotguardError, SyncStateExpired
from slotguard.graph.batch import BatchCall, BatchResult, send_batch
from slotguard.graph.decode import (
    EventPage,
    decode_event_page,
    decode_page_links,
    page_links_only,
)
from slotguard.graph.errors import Target
from slotguard.graph.fallbacks import Fallback
from slotguard.graph.own import could_be_own
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


@dataclass(slots=True)
class DeltaRound:
    changed: list[CalendarEvent] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # Ids of changed events the mailbox owner organised (Graph's isOrganizer).
    organized: set[str] = field(default_factory=set)
    delta_link: str = ""

    def read(self, gateway: GraphGateway, upn: str, body: bytes) -> Links:
        page = decode_event_page(body)
        self.changed.extend(page.events)
        self.removed.extend(page.removed)
        self.organized |= page.organized
        gateway.note_skipped(upn, page)
        if page.next_link and not page.delta_link and not (page.events or page.removed
                                                            or page.skipped):
            gateway.fallbacks.take(Fallback.DELTA_EMPTY_PAGES)
        return page.next_link, page.delta_link


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
    # The ids of every event of the seller's carrying a slotguard key, when the read had
    # to look them up (own.py); None when it did not.
    own_ids: frozenset[str] | None = None

    @cached_property
    def events(self) -> list[CalendarEvent]:
        if self.decoded is not None:
            return self.decoded
        events = _load(self.snapshot)
        if events is None:  # checked readable before the round was sent
            raise ValueError("stored calendar snapshot could not be read")
        return events


Links = tuple[str | None, str | None]  # a page's (nextLink, deltaLink)
Read = Callable[[str, bytes], Links]


async def delta_round(
    gateway: GraphGateway, upn: str, start: datetime, end: datetime, delta_link: str | None
) -> DeltaRound:
    """One delta round to its deltaLink: the first from the window, later ones from the
    stored link (which encodes the window and must not be given parameters again)."""
    delta = DeltaRound()
    delta.delta_link = await _one_round(gateway, upn, start, end, delta_link,
                                        lambda who, body: delta.read(gateway, who, body))
    return delta


async def _one_round(gateway: GraphGateway, upn: str, start: datetime, end: datetime,
                     link: str | None, read: Read) -> str:
    """One seller's round from ``link`` (None: the window's first page) to its deltaLink."""
    first = await gateway.pipeline.send(lambda: delta_request(gateway, upn, start, end, link),
                                        mailbox=upn, target=Target.MAILBOX)
    request = WindowRequest(upn, start, end, delta_link=link)
    found = (await follow(gateway, {upn: (request, first or b"{}")}, read))[upn]
    if isinstance(found, SlotguardError):
        raise found
    return found


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


async def follow(gateway: GraphGateway, first: Mapping[str, tuple[WindowRequest, bytes]],
                 read: Read, keep: Callable[[bytes], bytes] | None = None,
                 ) -> dict[str, str | SlotguardError]:
    """Every seller's delta round to its deltaLink, from the first page in hand (``first``,
    by UPN); ``read`` takes each page and gives its links. The pages after the first go
    out together, in $batch round trips shared by all rounds still short of a deltaLink
    (a tenant may start every round with empty pages that only link onwards), so that
    many sellers' rounds cost round trips, not requests one after another."""
    links: dict[str, str | SlotguardError] = {}
    current = dict(first)
    while current:
        calls: list[BatchCall] = []
        waiting: dict[str, tuple[WindowRequest, str]] = {}
        for upn, (r, body) in current.items():
            try:
                next_link, delta_link = read(upn, body)
            except SlotguardError as error:
                links[upn] = error
                continue
            if delta_link:
                links[upn] = delta_link
            elif not next_link:
                links[upn] = SyncStateExpired(
                    f"calendarView delta for {upn} ended without a deltaLink")
            else:
                call = BatchCall(f"n{len(calls)}", delta_request(gateway, r.upn, r.start,
                                                                r.end, next_link),
                                 mailbox=r.upn, keep=keep)
                calls.append(call)
                waiting[call.id] = (r, next_link)
        current = {}
        for call_id, result in (await _send(gateway, calls, waiting, keep)).items():
            r, _ = waiting[call_id]
            if result.error is not None:
                links[r.upn] = result.error
            else:
                current[r.upn] = (r, result.body)
    return links


async def _send(gateway: GraphGateway, calls: list[BatchCall],
                waiting: Mapping[str, tuple[WindowRequest, str]],
                keep: Callable[[bytes], bytes] | None) -> Mapping[str, BatchResult]:
    """``calls`` in $batch round trips; a single one on its own (no envelope)."""
    if len(calls) != 1:
        return await send_batch(gateway.pipeline, calls) if calls else {}
    (call,) = calls
    r, link = waiting[call.id]
    try:
        body = await gateway.pipeline.send(
            lambda: delta_request(gateway, r.upn, r.start, r.end, link),
            mailbox=r.upn, target=Target.MAILBOX) or b"{}"
    except AuthError:
        raise
    except GraphError as error:
        return {call.id: BatchResult(call.id, error.status or 0, error=error)}
    return {call.id: BatchResult(call.id, 200, keep(body) if keep else body)}


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
        link = await _one_round(self.gateway, upn, start, end, None,
                                lambda _upn, body: decode_page_links(body))
        events = await self.gateway.events(upn, start, end)
        return WindowState(events, _dump(events), link, full_read=True)

    async def sync_many(
        self, requests: Sequence[WindowRequest]
    ) -> dict[str, WindowState | SlotguardError]:
        """``sync`` for many sellers, with the first page of every read sent in $batch
        round trips: an unchanged calendar costs one batch item, not one request. Further
        pages of all sellers share round trips too; marker lookups and fallbacks go out on
        their own. Every seller gets its state or the error that stopped its read."""
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
        expired = await self._rounds(incremental, calls, results, out)
        await self._full_results(fresh, results, out)
        if expired:
            results = await send_batch(self.gateway.pipeline, self._full_calls(expired))
            await self._full_results(expired, results, out)
        return out

    async def _rounds(self, requests: Sequence[WindowRequest], calls: Sequence[BatchCall],
                      results: Mapping[str, BatchResult],
                      out: dict[str, WindowState | SlotguardError]) -> list[WindowRequest]:
        """The delta rounds whose first pages came back in ``results``; returns the
        requests whose stored state had expired (to be read in full)."""
        rounds = {r.upn: DeltaRound() for r in requests}
        first: dict[str, tuple[WindowRequest, bytes]] = {}
        links: dict[str, str | SlotguardError] = {}
        for call, r in zip(calls, requests, strict=True):
            result = results[call.id]
            if result.error is not None:
                links[r.upn] = result.error
            else:
                first[r.upn] = (r, result.body)
        links.update(await follow(self.gateway, first,
                                  lambda upn, body: rounds[upn].read(self.gateway, upn, body)))
        expired: list[WindowRequest] = []
        changed: list[WindowRequest] = []
        for r in requests:
            link = links[r.upn]
            if isinstance(link, SyncStateExpired):
                log.info("graph.delta_expired", seller=r.upn)
                expired.append(r)
            elif isinstance(link, SlotguardError):
                out[r.upn] = link
            elif not (rounds[r.upn].changed or rounds[r.upn].removed):
                # Nothing happened: the stored events and snapshot stand as they are (no
                # merge, no new encoding; the caller keeps the stored link).
                out[r.upn] = WindowState(None, r.snapshot or b"", link, False, False)
            else:
                rounds[r.upn].delta_link = link
                changed.append(r)

        async def merge(r: WindowRequest) -> None:
            delta = rounds[r.upn]
            try:
                events = await self._merge(r.upn, _load(r.snapshot) or [], delta, r.start,
                                           r.end, r.known)
            except SlotguardError as error:
                out[r.upn] = error
                return
            out[r.upn] = WindowState(events, _dump(events), delta.delta_link, False)

        await asyncio.gather(*(merge(r) for r in changed))
        return expired

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
        first: dict[str, tuple[WindowRequest, bytes]] = {}
        links: dict[str, str | SlotguardError] = {}
        pages: dict[str, EventPage | SlotguardError] = {}
        for i, r in enumerate(requests):
            head, view = results[f"f{i}d"], results[f"f{i}v"]
            if head.error is not None:
                links[r.upn] = head.error
            else:
                first[r.upn] = (r, head.body)
            if view.error is not None:
                pages[r.upn] = view.error
                continue
            try:
                page = decode_event_page(view.body or b"{}")
            except SlotguardError as error:
                pages[r.upn] = error
                continue
            self.gateway.note_skipped(r.upn, page)
            pages[r.upn] = page
        links.update(await follow(self.gateway, first, lambda _upn, body: decode_page_links(body),
                                  keep=page_links_only))
        # Markers seen anywhere in the wave settle whether Graph honours the $expand,
        # before any seller's own events are looked for the long way.
        self.gateway.own.saw([e for p in pages.values() if isinstance(p, EventPage)
                              for e in p.events])

        async def one(r: WindowRequest) -> None:
            link, page = links[r.upn], pages[r.upn]
            try:
                if isinstance(link, SlotguardError):
                    raise link
                refusal = page if isinstance(page, GraphError) and page.status == 400 else None
                if isinstance(page, SlotguardError) and refusal is None:
                    raise page
                if refusal is not None or (isinstance(page, EventPage) and page.next_link):
                    # Refused with the $expand, or more than a page: the usual way.
                    events, own = await self.gateway.read_view(r.upn, r.start, r.end,
                                                               r.known, refusal=refusal)
                else:
                    assert isinstance(page, EventPage)
                    events, own = await self.gateway.own.complete(r.upn, page.events,
                                                                  page.organized, r.known)
            except SlotguardError as error:
                out[r.upn] = error
                return
            out[r.upn] = WindowState(events, _dump(events), link, full_read=True, own_ids=own)

        await asyncio.gather(*(one(r) for r in requests))

    async def _merge(
        self, upn: str, previous: list[CalendarEvent], delta: DeltaRound,
        start: datetime, end: datetime, known_markers: Mapping[str, OwnMarker] | None = None,
    ) -> list[CalendarEvent]:
        known = {e.id: e for e in previous}
        markers: dict[str, OwnMarker | None] = {e.id: e.marker for e in previous}
        for event_id, remembered in (known_markers or {}).items():
            if markers.get(event_id) is None:
                markers[event_id] = remembered
        for event_id in delta.removed:
            known.pop(event_id, None)
        for event in delta.changed:
            marker = event.marker or await self._marker(upn, event, markers, delta.organized)
            known[event.id] = replace(event, marker=marker) if marker else event
        # Delta also reports changes outside the window; keep the window only.
        return sorted(
            (e for e in known.values() if e.start < end and e.end > start),
            key=lambda e: (e.start, e.id),
        )

    async def _marker(
        self, upn: str, event: CalendarEvent, markers: dict[str, OwnMarker | None],
        organized: Collection[str],
    ) -> OwnMarker | None:
        if event.id in markers:  # markers never change once written
            return markers[event.id]
        if not could_be_own(event, upn, organized):
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
