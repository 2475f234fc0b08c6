"""What one scan found and did, per seller — the thing ``slotguard scan`` prints (a rich
table or JSON) and the demo walks through.

Meeting subjects are personal data: the report carries them so the seller's own make-up
event can name the meeting, but renderers show them only when asked (``personal=True``,
the operator's LOG_PERSONAL_DATA choice, or the demo's simulated tenant).
"""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from slotguard import exit_codes

SKIPPED = "skipped"  # the seller could not be read (no mailbox, access policy, bad data)
LEASED = "leased"  # another replica holds the seller's lease this cycle
# The seller's lease lapsed and another replica took it while this one was at work: its
# writes were left to that replica.
LEASE_LOST = "lease_lost"
OK = "ok"
FAILED = "failed"  # an action line: Graph refused the write, or it failed after retries


@dataclass(frozen=True, slots=True)
class MeetingLine:
    id: str
    subject: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class ViolationLine:
    key: str
    block: str  # "Tue 08:00–10:00" in the seller's zone, for tables
    kind: str
    meetings: tuple[MeetingLine, ...]
    start: datetime | None = None  # the block taken
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class ActionLine:
    """A compensation, task, withdrawal or mail; ``status`` says what happened to it."""

    key: str
    kind: str
    when: str  # seller-local, e.g. "Tue 2026-12-01 08:00–10:00" or a due date, for tables
    status: str  # planned | written | existing | failed
    violation_key: str | None = None
    title: str = ""
    graph_id: str | None = None
    error: str | None = None  # failed: Graph's error code ("TimeZoneNotSupportedException")
    start: datetime | None = None  # an event's times
    end: datetime | None = None
    due: date | None = None  # a task's due date, seller-local


@dataclass(slots=True)
class SellerReport:
    upn: str
    team: str
    status: str = OK
    zone: str = ""
    blocks: int = 0
    violations: list[ViolationLine] = field(default_factory=list)
    compensations: list[ActionLine] = field(default_factory=list)
    tasks: list[ActionLine] = field(default_factory=list)
    withdrawals: list[ActionLine] = field(default_factory=list)
    shortfalls: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    escalated: bool = False
    # Inputs identical to a cycle that found nothing to do: that cycle's result stands and
    # the seller was not decided again.
    unchanged: bool = False

    def placed(self) -> int:
        return sum(1 for c in self.compensations if c.status in {"written", "planned"})

    def needs_look(self) -> bool:
        """Whether a scan's listing shows the seller without ``--all``: something was found,
        written (planned, in a dry run) or went wrong. At 1,000 sellers the rest is only
        counted in the totals."""
        return bool(self.status != OK or self.problems or self.shortfalls or self.violations
                    or self.withdrawals or self.escalated
                    or any(line.status != "existing"
                           for line in (*self.compensations, *self.tasks)))


_PACK = msgspec.msgpack.Encoder()
_UNPACK = msgspec.msgpack.Decoder(SellerReport)


def pack(report: SellerReport) -> bytes:
    """A report as compact bytes, for holding many between cycles (msgpack, compressed:
    ~0.6 KB against a few kilobytes of objects); ``unpack`` gives an equal report back."""
    return zlib.compress(_PACK.encode(report), 1)


def unpack(raw: bytes) -> SellerReport:
    return _UNPACK.decode(zlib.decompress(raw))


@dataclass(slots=True)
class ScanReport:
    week: str
    target_week: str
    dry_run: bool
    started_at: datetime
    finished_at: datetime | None = None
    sellers: list[SellerReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # scan-wide (a group that failed)
    # Totals of sellers counted but not listed (``fold(..., list_all=False)``).
    folded: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0  # sellers whose earlier result stood, listed or not

    def fold(self, reports: list[SellerReport], *, list_all: bool = True) -> list[SellerReport]:
        """The reports to list. Without ``list_all`` (the daemon, whose reports nobody
        reads) only sellers that need a look are listed — skipped, leased elsewhere, with
        a problem or a shortfall — and the rest are only counted, in ``folded``, so a large
        tenant's reports are not all held in memory."""
        self.unchanged += sum(1 for seller in reports if seller.unchanged)
        if list_all:
            return reports
        listed = []
        for seller in reports:
            if seller.status == OK and not seller.problems and not seller.shortfalls:
                for key, value in _totals([seller]).items():
                    self.folded[key] = self.folded.get(key, 0) + value
            else:
                listed.append(seller)
        return listed

    def exit_status(self) -> int:
        """The cycle's exit status (``slotguard.exit_codes``): incomplete when anything is
        on a problem line — a seller or an event not read, a write not done."""
        totals = self.totals()
        if totals["sellers"] and totals["leased"] == totals["sellers"]:
            return exit_codes.NOTHING_DONE
        if (totals["skipped"] or totals["failed_writes"] or totals["problems"]
                or totals["lease_lost"] or self.problems):
            return exit_codes.INCOMPLETE
        return exit_codes.OK

    def status_lines(self) -> list[str]:
        """What a one-shot scan says on stderr besides its table: sellers it left alone
        because another process holds them, and leases it lost along the way."""
        totals = self.totals()
        lines = []
        if totals["leased"]:
            everyone = totals["leased"] == totals["sellers"]
            lines.append(
                f"{'nothing done: all' if everyone else 'left alone:'} {totals['leased']} of "
                f"{totals['sellers']} sellers are held by another slotguard process (a running "
                "daemon or replica, or one that died and whose leases have not lapsed); "
                "`slotguard ledger` shows the leases")
        if totals["lease_lost"]:
            lines.append(f"{totals['lease_lost']} sellers lost their lease to another process "
                         "mid-scan and were left to it; it or the next cycle completes them")
        return lines

    def totals(self) -> dict[str, int]:
        totals = _totals(self.sellers)
        for key, value in self.folded.items():
            totals[key] += value
        return totals

    def to_json(self, *, personal: bool = False, list_all: bool = True) -> dict[str, Any]:
        """The report for scripts. Times are ISO 8601 in the seller's zone, with the offset,
        and the zone's name beside them (``"zone": "Europe/Stockholm"``); the display
        strings ("Tue 24 Nov 08:00–10:00") are the tables' alone. Without ``list_all``
        only the sellers that need a look are listed; the totals count everyone."""
        listed = [s for s in self.sellers if list_all or s.needs_look()]
        data = {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in {"sellers", "folded"}}  # folded: in the totals
        data["sellers"] = [_seller_json(s, personal) for s in listed]
        data["listing"] = "all" if list_all else "need_a_look"
        data["totals"] = self.totals()
        jsonable: dict[str, Any] = _jsonable(data)
        return jsonable


def _seller_json(seller: SellerReport, personal: bool) -> dict[str, Any]:
    zone = seller.zone
    data = asdict(seller)
    data["violations"] = [
        {**_timed(asdict(v), zone, drop="block"),
         "meetings": [_timed(m, zone) for m in asdict(v)["meetings"]]}
        for v in seller.violations]
    for name in ("compensations", "tasks", "withdrawals"):
        data[name] = [_timed(asdict(line), zone, drop="when") for line in getattr(seller, name)]
    if not personal:
        for violation in data["violations"]:
            for meeting in violation["meetings"]:
                meeting["subject"] = None
        for line in data["tasks"]:
            line["title"] = None
    return data


def _timed(item: dict[str, Any], zone: str, *, drop: str | None = None) -> dict[str, Any]:
    """``start``/``end`` as the seller's local time with its offset, and the zone named."""
    if drop is not None:
        item.pop(drop, None)
    for key in ("start", "end"):
        if isinstance(item.get(key), datetime):
            item[key] = _local(item[key], zone)
    item["zone"] = zone or None
    return item


def _local(instant: datetime, zone: str) -> datetime:
    try:
        return instant.astimezone(ZoneInfo(zone)) if zone else instant
    except (ValueError, KeyError):  # not a zone name zoneinfo knows: UTC offsets stay right
        return instant


def totals_line(report: ScanReport, listed: int) -> str:
    """The line under a scan's tables: what the whole cycle did, and how much is listed."""
    totals = report.totals()
    parts = [f"{totals['sellers']} sellers", f"{totals['violations']} violations",
             f"{totals['compensations']} compensations", f"{totals['tasks']} tasks"]
    for key, label in (("withdrawals", "withdrawn"), ("shortfalls", "shortfalls"),
                       ("skipped", "sellers skipped"),
                       ("leased", "sellers held by another process"),
                       ("lease_lost", "leases lost"), ("failed_writes", "failed writes"),
                       ("problems", "problems")):
        if totals[key]:
            parts.append(f"{totals[key]} {label}")
    if listed >= totals["sellers"]:
        shown = "every seller listed"
    else:
        shown = (f"{listed} listed; the other {totals['sellers'] - listed} had nothing to "
                 "look at (--all lists them)")
    return "totals: " + ", ".join(parts) + f" — {shown}"


def _totals(sellers: list[SellerReport]) -> dict[str, int]:
    return {
        "sellers": len(sellers),
        "skipped": sum(1 for s in sellers if s.status == SKIPPED),
        "leased": sum(1 for s in sellers if s.status == LEASED),
        "lease_lost": sum(1 for s in sellers if s.status == LEASE_LOST),
        "violations": sum(len(s.violations) for s in sellers),
        "compensations": sum(s.placed() for s in sellers),
        "tasks": sum(1 for s in sellers for t in s.tasks
                     if t.status not in {"existing", FAILED}),
        "withdrawals": sum(len(s.withdrawals) for s in sellers),
        "shortfalls": sum(len(s.shortfalls) for s in sellers),
        "failed_writes": sum(1 for s in sellers for line in (*s.compensations, *s.tasks)
                             if line.status == FAILED),
        "problems": sum(len(s.problems) for s in sellers),
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
