"""What one scan found and did, per seller — the thing ``slotguard scan`` prints (a rich
table or JSON) and the demo walks through.

Meeting subjects are personal data: the report carries them so the seller's own make-up
event can name the meeting, but renderers show them only when asked (``personal=True``,
the operator's LOG_PERSONAL_DATA choice, or the demo's simulated tenant).
"""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

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
    block: str  # "Tue 08:00–10:00" in the seller's zone
    kind: str
    meetings: tuple[MeetingLine, ...]


@dataclass(frozen=True, slots=True)
class ActionLine:
    """A compensation, task, withdrawal or mail; ``status`` says what happened to it."""

    key: str
    kind: str
    when: str  # seller-local, e.g. "Tue 2026-12-01 08:00–10:00" or a due date
    status: str  # planned | written | existing | failed
    violation_key: str | None = None
    title: str = ""
    graph_id: str | None = None
    error: str | None = None  # failed: Graph's error code ("TimeZoneNotSupportedException")


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
        a problem or a shortfall — and the rest are only counted, in ``folded``: the
        listed reports of a first cycle over 10,000 sellers were some 30 MB."""
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

    def to_json(self, *, personal: bool = False) -> dict[str, Any]:
        data = asdict(self)
        del data["folded"]  # in the totals
        data["totals"] = self.totals()
        if not personal:
            for seller in data["sellers"]:
                for violation in seller["violations"]:
                    for meeting in violation["meetings"]:
                        meeting["subject"] = None
                for line in seller["tasks"]:
                    line["title"] = None
        return _jsonable(data)


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
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def summary_table(report: ScanReport) -> Any:
    """One row per seller: the table ``slotguard scan`` prints."""
    from rich.table import Table

    mode = "plan (dry run — nothing written)" if report.dry_run else "applied"
    table = Table(title=f"slotguard scan {report.week} → make-up in {report.target_week}: {mode}")
    for name in ("seller", "team", "blocks", "violations", "compensations", "tasks", "problems"):
        table.add_column(name, justify="right" if name in {"blocks", "violations"} else "left")
    for s in sorted(report.sellers, key=lambda s: (s.team, s.upn)):
        comp = f"{s.placed()}" + (f" (+{len(s.withdrawals)} withdrawn)" if s.withdrawals else "")
        new_tasks = sum(1 for t in s.tasks if t.status not in {"existing", FAILED})
        # the code only ("access_denied", "missing", ...): the JSON output has the messages
        codes = [p.partition(":")[0] for p in s.problems]
        gaps = [f"{len(s.shortfalls)} shortfall(s)"] if s.shortfalls else []
        problems = "; ".join([*codes, *gaps]) or ("" if s.status == OK else s.status)
        table.add_row(s.upn, s.team, str(s.blocks), str(len(s.violations)), comp,
                      f"{new_tasks}/{len(s.tasks)}", problems)
    return table


def detail_tables(report: ScanReport, *, personal: bool) -> list[Any]:
    """Per seller with violations: which meetings took which blocks, where the make-up
    blocks and the tasks went."""
    from rich.markup import escape
    from rich.table import Table

    tables = []
    for s in sorted(report.sellers, key=lambda s: (s.team, s.upn)):
        if not (s.violations or s.withdrawals or s.shortfalls):
            continue
        table = Table(title=f"{s.upn} ({s.zone})", title_justify="left", show_lines=True)
        table.add_column("block taken")
        table.add_column("by")
        table.add_column("make-up blocks")
        table.add_column("follow-up tasks")
        for v in s.violations:
            meetings = "\n".join(
                (m.subject if personal else f"meeting {m.id[-8:]}") for m in v.meetings
            ) or v.kind
            comps = "\n".join(f"{c.when} [{_status(c)}]" for c in s.compensations
                              if c.violation_key == v.key) or "—"
            tasks = "\n".join((t.title if personal else t.key.rsplit(":", 1)[-1][-8:])
                              + f" (due {t.when}) [{_status(t)}]"
                              for t in s.tasks if t.violation_key == v.key) or "—"
            # Escaped: "[failed: ...]" and subjects in brackets are text, not rich markup.
            table.add_row(v.block, escape(meetings), escape(comps), escape(tasks))
        for w in s.withdrawals:
            table.add_row(w.when, "meeting moved out",
                          escape(f"withdrawn {w.key} [{w.status}]"), "—")
        for gap in s.shortfalls:
            table.add_row("—", "—", f"shortfall: {gap}", "—")
        tables.append(table)
    return tables


def _status(line: ActionLine) -> str:
    return f"{line.status}: {line.error}" if line.error else line.status
