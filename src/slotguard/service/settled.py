"""Which sellers can be left alone: those whose last decision wrote nothing, remembered
with a digest of the inputs it was made on.

``decide`` is a pure function of the seller (team, blocks, manager, mailbox zone and
working hours), the calendar span's events, the judged week, the rules, the ledger's
actions for the seller and ``now``. A cycle that decided a seller and had nothing to write,
withdraw, report short or mail leaves the calendar and the ledger as it read them, so the
next cycle reads the same inputs: equal digests then mean the same no-op decision, and
the seller is not decided again (no planning, no lookups, no ledger writes). A cycle that
wrote something is not remembered: the next one reads its writes back and decides once
more — writing nothing — and remembers that. Correctness never rests on the shortcut: any
changed input changes the digest, and the seller is decided in full.

``now`` enters through two ways only:
- the date (UTC) is part of the digest, so every seller is decided afresh at least once a
  day (escalation windows, the ledger's last-seen dates) and on every new judged week;
- between those, time passing can only take options away, never add them: a withdrawal is
  only allowed before its lost block starts, and ``not_before`` only removes free slots.
  A no-op decision therefore stays a no-op as the clock moves on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date

import msgspec

from slotguard.domain.model import CalendarEvent, IsoWeek, ListedSeller
from slotguard.domain.retention import decision_inputs
from slotguard.ports import ActionRecord, Mailbox
from slotguard.ports.records import PENDING_ACTION_STATES
from slotguard.service import report as rpt


def rules_digest(*parts: object) -> bytes:
    """A digest of the scan-wide inputs (the rules, switches): repr of frozen dataclasses,
    compared only within one process."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).digest()


def seller_fingerprint(
    *, scan_digest: bytes, listed: ListedSeller, mailbox: Mailbox, events_digest: bytes,
    week: IsoWeek, today: date, actions: Iterable[ActionRecord],
) -> bytes | None:
    """The digest of one seller's inputs, or None when a write is pending in the ledger
    (intended or failed: only a full decision may look after it)."""
    h = hashlib.blake2b(digest_size=20)
    h.update(scan_digest)
    h.update(repr((listed, mailbox.zone, mailbox.working_hours, str(week), today)).encode())
    h.update(events_digest)
    for record in sorted(actions, key=lambda r: r.key):
        if record.state in PENDING_ACTION_STATES:
            return None
        h.update(repr((record.key, record.kind, record.state, record.graph_id,
                       record.attempts)).encode())
    return h.digest()


_ENCODER = msgspec.msgpack.Encoder()


def events_digest(events: Iterable[CalendarEvent]) -> bytes:
    """The events as ``decide`` sees them. slotguard's own count by id, marker and time;
    others in their stored form (domain/retention.py): an event read from Graph and the
    same event from the ledger's snapshot give the same digest."""
    h = hashlib.blake2b(digest_size=16)
    for event in sorted(events, key=lambda e: e.id):
        if event.marker is not None:
            h.update(_ENCODER.encode(("own", event.id, event.marker.purpose.value,
                                      event.marker.key, event.start, event.end)))
        else:
            h.update(_ENCODER.encode(decision_inputs(event)))
    return h.digest()


class Settled:
    """Per seller: the fingerprint of a cycle that wrote nothing and its report (packed:
    report.pack), and the digest of the last snapshot read, so an unchanged calendar (the
    same snapshot bytes) is not digested again. ``enabled=False`` (a dry run) remembers
    nothing: every cycle decides everyone."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._reports: dict[str, tuple[bytes, bytes]] = {}
        self._digests: dict[str, tuple[bytes, bytes]] = {}

    def __len__(self) -> int:
        return len(self._reports)

    def unchanged(self, upn: str, fingerprint: bytes | None) -> rpt.SellerReport | None:
        """The report to show again when ``fingerprint`` is the one remembered."""
        remembered = self._reports.get(upn.lower())
        if remembered is None or fingerprint is None or remembered[0] != fingerprint:
            return None
        return replace(rpt.unpack(remembered[1]), unchanged=True)

    def remember(self, upn: str, fingerprint: bytes | None, report: rpt.SellerReport) -> None:
        if self.enabled and fingerprint is not None:
            self._reports[upn.lower()] = (fingerprint, rpt.pack(report))

    def forget(self, upn: str) -> None:
        self._reports.pop(upn.lower(), None)

    def has(self, upn: str) -> bool:
        return upn.lower() in self._reports

    def calendar_digest(self, upn: str, snapshot: bytes | None,
                        events: Callable[[], Iterable[CalendarEvent]]) -> bytes:
        """The digest of the seller's events, reused while the stored snapshot they came
        from stays the same bytes (an unchanged delta round: most sellers of a steady
        cycle), so those events are never decoded."""
        # The snapshot's own hash is kept, not the snapshot (~15 KB a seller).
        seen = None if snapshot is None else hashlib.blake2b(snapshot, digest_size=16).digest()
        remembered = self._digests.get(upn.lower())
        if seen is not None and remembered is not None and remembered[0] == seen:
            return remembered[1]
        digest = events_digest(events())
        if seen is not None:
            self._digests[upn.lower()] = (seen, digest)
        return digest
