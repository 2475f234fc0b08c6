"""Reading a wave of sellers' mailboxes and calendar windows for one scan cycle.

A gateway that offers bulk reads (``ports.BulkReads``: the Graph adapter) reads calendars
through calendarView delta: the deltaLink and the snapshot of the window's events live in
the ledger per seller and window, the first page of every seller's read goes out in $batch
round trips, and an unchanged calendar costs one batch item. Link and snapshot are saved
only when the round reported changes (an unchanged round's new link describes the same
state as the stored one), and mailbox settings come in $batch too (cached by the gateway,
an hour by default, so a steady cycle reads none). Other gateways (the in-memory one) are
read seller by seller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, partial

import structlog

from slotguard.domain.model import CalendarEvent, OwnMarker, Purpose
from slotguard.errors import AuthError, SlotguardError
from slotguard.ports import BulkReads, CalendarGateway, Mailbox, WindowRead, WindowRequest
from slotguard.store.ledger import Ledger
from slotguard.store.records import ActionRecord

log = structlog.get_logger("slotguard.scan")

_OWN_KINDS = {"compensation": Purpose.COMPENSATION, "block_series": Purpose.BLOCK}


@dataclass(frozen=True)
class Window:
    # The events, or where to get them: an unchanged delta round's events stay encoded in
    # the snapshot until someone asks (a settled seller never does).
    source: tuple[CalendarEvent, ...] | Callable[[], Sequence[CalendarEvent]]
    # The ledger's snapshot of these events (None when read in full without delta): equal
    # bytes mean equal events, which lets a digest of them be reused.
    snapshot: bytes | None = None
    # Ids of all the seller's events carrying a slotguard key, when the read looked them up
    # (ports.WindowRead.own_ids): an empty set spares this cycle's writes their lookups.
    own_ids: frozenset[str] | None = None

    @cached_property
    def events(self) -> tuple[CalendarEvent, ...]:
        return self.source if isinstance(self.source, tuple) else tuple(self.source())


def window_key(week: str, weeks_after: int) -> str:
    """The ledger's name for a seller's window: the judged week and how many weeks follow."""
    return f"{week}+{weeks_after}"


def known_markers(actions: Sequence[ActionRecord]) -> dict[str, OwnMarker]:
    """Graph ids of events slotguard wrote, with their markers: the ledger's side of
    recognising own events, so a new compensation seen by delta needs no lookup."""
    return {r.graph_id: OwnMarker(_OWN_KINDS[r.kind], r.key) for r in actions
            if r.graph_id and r.kind in _OWN_KINDS and r.state == "done"}


async def read_mailboxes(gateway: CalendarGateway, upns: Sequence[str],
                         limit: int) -> dict[str, Mailbox | Exception]:
    if isinstance(gateway, BulkReads):
        return dict(await gateway.mailboxes(list(upns)))
    gate = asyncio.Semaphore(max(1, limit))

    async def one(upn: str) -> Mailbox | Exception:
        async with gate:
            try:
                return await gateway.mailbox(upn)
            except AuthError:
                raise
            except SlotguardError as error:
                return error

    return dict(zip(upns, await asyncio.gather(*(one(u) for u in upns)), strict=True))


async def read_windows(
    gateway: CalendarGateway, ledger: Ledger, upns: Sequence[str], start: datetime,
    end: datetime, key: str, actions: Mapping[str, Sequence[ActionRecord]], *,
    save: bool, limit: int,
) -> dict[str, Window | Exception]:
    """Every seller's events in [start, end), or the error that stopped their read."""
    if isinstance(gateway, BulkReads):
        return await _delta(gateway, ledger, upns, start, end, key, actions, save)
    gate = asyncio.Semaphore(max(1, limit))

    async def one(upn: str) -> Window | Exception:
        async with gate:
            try:
                events = await gateway.events(upn, start, end)
            except AuthError:
                raise
            except SlotguardError as error:
                return error
        return Window(tuple(events))

    return dict(zip(upns, await asyncio.gather(*(one(u) for u in upns)), strict=True))


async def _delta(
    gateway: BulkReads, ledger: Ledger, upns: Sequence[str], start: datetime, end: datetime,
    key: str, actions: Mapping[str, Sequence[ActionRecord]], save: bool,
) -> dict[str, Window | Exception]:
    stored = ledger.delta_states(upns, key)  # one query for the wave, not two per seller
    requests = []
    for upn in upns:
        link, snapshot = stored.get(upn.lower(), (None, None))
        requests.append(WindowRequest(upn, start, end, snapshot, link,
                                      known_markers(actions.get(upn.lower(), ()))))
    del stored
    states = await gateway.windows(requests)
    del requests
    out: dict[str, Window | Exception] = {}
    full = 0
    to_save: list[tuple[str, str, bytes | None]] = []
    for upn in upns:
        state = states[upn]
        if isinstance(state, AuthError):
            raise state
        if isinstance(state, Exception):
            out[upn] = state
            continue
        full += state.full_read
        if save and (state.changed or state.full_read):
            to_save.append((upn, state.delta_link, state.snapshot))
        out[upn] = Window(partial(_events_of, state), state.snapshot or None, state.own_ids)
    # Saved together, after every read of the wave answered: a crash before this point
    # only means the next cycle reads these windows again.
    ledger.save_delta_links(key, to_save)
    saved = len(to_save)
    log.debug("scan.windows_read", sellers=len(upns), full_reads=full, saved=saved)
    return out


def _events_of(read: WindowRead) -> Sequence[CalendarEvent]:
    return read.events
