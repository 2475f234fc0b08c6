"""When a seller can be left alone: the inputs of their last decision, as a digest.

``decide`` is a pure function of the seller (team, blocks, manager, mailbox zone and
working hours), the window's events, the judged week, the rules, the ledger's actions for
the seller and ``now``. A seller whose digest equals the one remembered from a cycle whose
decision was a no-op (nothing to write, withdraw or report short) would get the same no-op
again, so the cycle skips planning and every lookup for them. Correctness never rests on
the shortcut: any changed input changes the digest, and the seller is decided in full.

``now`` enters through two ways only:
- the date (UTC) is part of the digest, so every seller is decided afresh at least once a
  day (escalation windows, the ledger's last-seen dates) and on every new judged week;
- between those, time passing can only take options away, never add them: a withdrawal is
  only allowed before its lost block starts, and ``not_before`` only removes free slots.
  A no-op decision therefore stays a no-op as the clock moves on, and a decision that was
  not a no-op (a shortfall, a pending write) is never remembered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date

import msgspec

from slotguard.domain.model import CalendarEvent, IsoWeek
from slotguard.domain.retention import decision_inputs
from slotguard.ports import Mailbox
from slotguard.store.records import PENDING_ACTION_STATES, ActionRecord


def rules_digest(*parts: object) -> bytes:
    """A digest of the scan-wide inputs (the rules, switches): repr of frozen dataclasses,
    compared only within one process."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).digest()


def seller_fingerprint(
    *, scan_digest: bytes, target: object, mailbox: Mailbox, window_digest: bytes,
    week: IsoWeek, today: date, actions: Iterable[ActionRecord],
) -> bytes | None:
    """The digest of one seller's inputs, or None when a write is pending in the ledger
    (intended or failed: only a full decision may look after it)."""
    h = hashlib.blake2b(digest_size=20)
    h.update(scan_digest)
    h.update(repr((target, mailbox.zone, mailbox.working_hours, str(week), today)).encode())
    h.update(window_digest)
    for record in sorted(actions, key=lambda r: r.key):
        if record.state in PENDING_ACTION_STATES:
            return None
        h.update(repr((record.key, record.kind, record.state, record.graph_id,
                       record.attempts)).encode())
    return h.digest()


_ENCODER = msgspec.msgpack.Encoder()


def window_digest(events: Iterable[CalendarEvent]) -> bytes:
    """The window's events as ``decide`` sees them. slotguard's own events count by id,
    marker and time only: that much is known the moment they are written, so the digest
    of the calendar after a cycle's writes can be worked out before Graph shows them.
    Others count in their stored form (domain/retention.py): an event read from Graph
    and the same event from the ledger's snapshot give the same digest."""
    h = hashlib.blake2b(digest_size=16)
    for event in sorted(events, key=lambda e: e.id):
        if event.marker is not None:
            h.update(_ENCODER.encode(("own", event.id, event.marker.purpose.value,
                                      event.marker.key, event.start, event.end)))
        else:
            h.update(_ENCODER.encode(decision_inputs(event)))
    return h.digest()
