"""Recognising slotguard's own events in a calendar read, and finding one by its key,
whatever Graph does with the marker ``$expand`` on a collection.

learn.microsoft.com/graph/api/singlevaluelegacyextendedproperty-get documents two reads:
a single event expanded with its properties (``GET /events/{id}?$expand=...``), and the
events of a mailbox carrying a property (``GET /events?$filter=singleValueExtendedProperties
/Any(ep: ep/id eq '...' and startswith(ep/value, '...'))``), whose answer "does not include
the extended property". The same ``$expand`` on calendarView or on /events — one request
for a window with every marker — is not documented. slotguard asks for it and checks the
answer (``Support``):

- answered with markers: honoured, nothing more to do;
- refused with 400: read again without it, and from then on never sent;
- ignored: an event slotguard knows as its own (from the ledger, or because the key filter
  returned it) came back without its marker; before that is known, an event that could be
  ours (no attendees, organised by the seller) is checked against the documented filter.

Once it is not honoured, a window's own events are found with the filter (one request per
seller and read, giving the ids of every single event and series master slotguard wrote)
and each marker is read once with the documented single-event $expand, then kept for the
process: markers never change once written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import replace
from enum import StrEnum

from slotguard.domain.model import CalendarEvent, OwnMarker
from slotguard.errors import GraphError
from slotguard.graph.fallbacks import Fallback, Fallbacks
from slotguard.graph.marker import EXPAND_MARKER, KEY_PROPERTY_ID, quote

# Markers by event id (single events and series masters), kept this many at most.
_CACHE_LIMIT = 200_000


class Support(StrEnum):
    UNKNOWN = "unknown"
    HONOURED = "honoured"
    IGNORED = "ignored"
    REFUSED = "refused"


def own_prefix_filter(upn: str) -> str:
    """Every event carrying one of ``upn``'s keys: all keys start with the seller's UPN in
    lower case and "|" (domain/keys.py); Graph compares values without case."""
    return (f"singleValueExtendedProperties/Any(ep: ep/id eq '{KEY_PROPERTY_ID}'"
            f" and startswith(ep/value, '{quote(upn.lower() + '|')}'))")


def could_be_own(event: CalendarEvent, upn: str, organized: Collection[str]) -> bool:
    """slotguard's events have no attendees and are organised by the seller (Graph's
    isOrganizer, else the organizer's address: the UPN or the primary SMTP address)."""
    if event.attendees:
        return False
    return event.id in organized or not event.organizer or event.organizer == upn.lower()


class OwnEvents:
    """The marker $expand's support in this tenant, and the documented way round it.

    ``ids`` reads the ids of a seller's own events (the documented $filter) and ``single``
    one event with its marker (the documented $expand); the gateway provides both."""

    def __init__(self, fallbacks: Fallbacks,
                 ids: Callable[[str], Awaitable[set[str]]],
                 single: Callable[[str, str], Awaitable[CalendarEvent | None]]) -> None:
        self.fallbacks = fallbacks
        self.support = Support.UNKNOWN
        self._ids = ids
        self._single = single
        self._markers: dict[str, OwnMarker | None] = {}

    @property
    def expand(self) -> list[str] | None:
        """The $expand for a collection read: None once Graph is known not to honour it."""
        return None if self.support in (Support.IGNORED, Support.REFUSED) else [EXPAND_MARKER]

    def saw(self, events: Sequence[CalendarEvent]) -> None:
        """Events of a collection read that asked for the $expand."""
        if self.support is Support.UNKNOWN and any(e.marker is not None for e in events):
            self.support = Support.HONOURED

    def refused(self, error: GraphError, where: str) -> None:
        """A collection read with the $expand met a 400 that the same read without it
        did not."""
        self.support = Support.REFUSED
        self.fallbacks.take(Fallback.LIST_EXPAND_REFUSED, where=where, code=error.code)

    def ignored(self, where: str) -> None:
        if self.support is Support.UNKNOWN or self.support is Support.HONOURED:
            self.support = Support.IGNORED
            self.fallbacks.take(Fallback.LIST_EXPAND_IGNORED, where=where)

    async def complete(self, upn: str, events: list[CalendarEvent], organized: Collection[str],
                       known: Mapping[str, OwnMarker],
                       ) -> tuple[list[CalendarEvent], frozenset[str] | None]:
        """``events`` of a calendar read with every own event's marker, whether or not
        Graph sent it. ``known``: markers the ledger holds by event id (no request). Also
        the ids of all the seller's own events in Graph when they had to be looked up
        (None otherwise): an empty set spares the seller's writes their lookups."""
        self.saw(events)
        missing = [e for e in events if e.marker is None and could_be_own(e, upn, organized)]
        if not missing:
            return events, None
        own: frozenset[str] | None = None
        found: dict[str, OwnMarker] = {}
        for event in missing:
            marker = known.get(event.id) or known.get(_root(event)) or self._markers.get(
                _root(event))
            if marker is not None:
                found[event.id] = marker
        if found and self.support is Support.UNKNOWN:
            self.ignored("calendarView")  # the ledger's own event came back without it
        if self.support is not Support.HONOURED and any(e.id not in found for e in missing):
            own = frozenset(await self._ids(upn))
            rest = [e for e in missing if e.id not in found and _root(e) in own]
            if rest:
                self.ignored("calendarView")
            markers = await self._read(upn, {_root(e) for e in rest})
            for event in rest:
                marker = markers.get(_root(event))
                if marker is not None:
                    found[event.id] = marker
        if not found:
            return events, own
        return [replace(e, marker=found[e.id]) if e.id in found else e for e in events], own

    async def confirm(self, upn: str, events: list[CalendarEvent]) -> list[CalendarEvent]:
        """Events the key filter returned: they carry a key, so one without its marker
        means the $expand was dropped; its marker is read by id."""
        missing = {_root(e) for e in events if e.marker is None}
        if not missing:
            self.saw(events)
            return events
        self.ignored("/events")
        markers = await self._read(upn, missing)
        return [e if e.marker is not None else replace(e, marker=markers.get(_root(e)))
                for e in events]

    async def _read(self, upn: str, roots: set[str]) -> dict[str, OwnMarker | None]:
        todo = sorted(r for r in roots if r not in self._markers)
        events = await asyncio.gather(*(self._single(upn, r) for r in todo))
        if len(self._markers) + len(todo) > _CACHE_LIMIT:
            self._markers.clear()
        for root, event in zip(todo, events, strict=True):
            self._markers[root] = event.marker if event is not None else None
        return {r: self._markers.get(r) for r in roots}


def _root(event: CalendarEvent) -> str:
    """The id carrying the marker: a series' occurrences carry their master's."""
    return event.series_master_id or event.id

