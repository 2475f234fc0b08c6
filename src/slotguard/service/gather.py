"""Gathering one wave of sellers' inputs: what the ledger remembers of them, their
mailboxes and their calendar spans, read together.

Calendars are read through calendarView delta: the deltaLink and the snapshot of the span's
events live in the ledger per seller and span, the first page of every seller's read goes
out in $batch round trips, and an unchanged calendar costs one batch item. Link and snapshot
are saved only when the round reported changes (an unchanged round's new link describes the
same state as the stored one); mailbox settings come in $batch too (cached by the adapter,
an hour by default, so a steady cycle reads none).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, partial

import structlog

from slotguard.domain.decision import Remembered, WrittenCompensation
from slotguard.domain.model import CalendarEvent, OwnMarker, Purpose
from slotguard.errors import AuthError
from slotguard.ports import (
    ActionRecord,
    CalendarGateway,
    Ledger,
    Mailbox,
    WindowRead,
    WindowRequest,
)

log = structlog.get_logger("slotguard.scan")

_OWN_KINDS = {"compensation": Purpose.COMPENSATION, "block_series": Purpose.BLOCK}


@dataclass(frozen=True)
class CalendarRead:
    """One seller's calendar span as read."""

    # The events, or where to get them: an unchanged delta round's events stay encoded in
    # the snapshot until someone asks (a settled seller never does).
    source: tuple[CalendarEvent, ...] | Callable[[], Sequence[CalendarEvent]]
    # The ledger's snapshot of these events: equal bytes mean equal events, which lets a
    # digest of them be reused.
    snapshot: bytes | None = None
    # Ids of all the seller's events carrying a slotguard key, when the read looked them up
    # (ports.WindowRead.own_ids): an empty set spares this cycle's writes their lookups.
    own_ids: frozenset[str] | None = None

    @cached_property
    def events(self) -> tuple[CalendarEvent, ...]:
        return self.source if isinstance(self.source, tuple) else tuple(self.source())


@dataclass
class WaveInputs:
    """What a wave's sellers are decided on, per seller (lower-cased UPN for the ledger's
    part, as the roster spells it for the reads)."""

    mailboxes: dict[str, Mailbox | Exception]
    reads: dict[str, CalendarRead | Exception]
    actions: dict[str, list[ActionRecord]] = field(default_factory=dict)
    # Violation days already in the escalation window: with a cycle's own, a bound that
    # spares most sellers the per-seller query.
    history: dict[str, set[date]] = field(default_factory=dict)


def remembered(records: Sequence[ActionRecord]) -> Remembered:
    """The ledger's actions for a seller as the decision reads them."""
    compensations = []
    for record in records:
        if record.kind != "compensation" or record.state != "done" or not record.payload:
            continue
        try:
            start = datetime.fromisoformat(record.payload["start"])
            end = datetime.fromisoformat(record.payload["end"])
        except (KeyError, TypeError, ValueError):
            continue
        compensations.append(WrittenCompensation(record.key, record.graph_id or record.key,
                                                 start, end))
    return Remembered(tuple(compensations),
                      frozenset(r.key for r in records if r.state == "withdrawn"))


def known_markers(actions: Sequence[ActionRecord]) -> dict[str, OwnMarker]:
    """Graph ids of events slotguard wrote, with their markers: the ledger's side of
    recognising own events, so a new compensation seen by delta needs no lookup."""
    return {r.graph_id: OwnMarker(_OWN_KINDS[r.kind], r.key) for r in actions
            if r.graph_id and r.kind in _OWN_KINDS and r.state == "done"}


async def gather(gateway: CalendarGateway, ledger: Ledger, upns: Sequence[str],
                 span: tuple[datetime, datetime], span_key: str, *,
                 history_since: date | None) -> WaveInputs:
    """Every input of the wave's sellers; ``history_since``: the escalation window's first
    day, None when escalation is off."""
    actions: dict[str, list[ActionRecord]] = defaultdict(list)
    for record in ledger.actions(sellers=upns):
        actions[record.seller].append(record)
    history = ledger.violation_days(upns, history_since) if history_since else {}
    mailboxes = dict(await gateway.mailboxes(list(upns)))
    readable = [u for u in upns if isinstance(mailboxes.get(u), Mailbox)]
    reads = await _read_calendars(gateway, ledger, readable, span, span_key, actions)
    return WaveInputs(mailboxes, reads, dict(actions), history)


async def _read_calendars(
    gateway: CalendarGateway, ledger: Ledger, upns: Sequence[str],
    span: tuple[datetime, datetime], key: str, actions: Mapping[str, Sequence[ActionRecord]],
) -> dict[str, CalendarRead | Exception]:
    stored = ledger.delta_states(upns, key)  # one query for the wave, not two per seller
    requests = []
    for upn in upns:
        link, snapshot = stored.get(upn.lower(), (None, None))
        requests.append(WindowRequest(upn, *span, snapshot, link,
                                      known_markers(actions.get(upn.lower(), ()))))
    del stored
    states = await gateway.windows(requests)
    del requests
    out: dict[str, CalendarRead | Exception] = {}
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
        if state.changed or state.full_read:
            to_save.append((upn, state.delta_link, state.snapshot))
        out[upn] = CalendarRead(partial(_events_of, state), state.snapshot or None,
                                state.own_ids)
    # Saved together, after every read of the wave answered: a crash before this point
    # only means the next cycle reads these calendars again.
    ledger.save_delta_links(key, to_save)
    log.debug("scan.windows_read", sellers=len(upns), full_reads=full, saved=len(to_save))
    return out


def _events_of(read: WindowRead) -> Sequence[CalendarEvent]:
    return read.events
