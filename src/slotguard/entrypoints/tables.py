"""What the commands print as tables (rich): a scan's report — one row per seller, then
the details of sellers with violations — and ``slotguard ledger``'s totals and sellers."""

from __future__ import annotations

from typing import Any

from slotguard.service.report import FAILED, OK, ActionLine, ScanReport, SellerReport


def ledger_tables(summary: dict[str, Any], sellers: list[dict[str, Any]], where: str) -> list[Any]:
    """The totals, then one row per seller (whose address never wraps)."""
    from rich.table import Table

    totals = Table(title="slotguard ledger", caption=where, show_header=False)
    totals.add_column("what")
    totals.add_column("value")
    v, a = summary["violations"], summary["actions"]
    totals.add_row("scan runs", str(summary["runs"]))
    totals.add_row("violations", f"{v['total']} " + _counts(v["by_state"]))
    totals.add_row("actions", f"{a['total']} " + _counts(a["by_kind"]))
    totals.add_row("action states", _counts(a["by_state"]))
    totals.add_row("missing compensations", str(summary["shortfalls"]["missing"]))
    totals.add_row("seller problems", str(summary["seller_problems"]))
    totals.add_row("escalations", str(summary["escalations"]))
    totals.add_row("leases held", str(summary["leases_held"]))
    last = summary.get("last_run")
    if last:
        totals.add_row("last run", f"{last['started_at']} week {last['week']} by "
                       f"{last['replica']}" + (f" — error: {last['error']}" if last["error"]
                                               else ""))
    table = Table(title="per seller")
    for name in ("seller", "team", "violations", "open", "compensations", "tasks", "pending",
                 "missing", "problems"):
        table.add_column(name, justify="left" if name in {"seller", "team"} else "right",
                         no_wrap=name == "seller")
    for row in sellers:
        table.add_row(row["seller"], row["team"] or "—", *(str(row[k]) for k in (
            "violations", "open", "compensations", "tasks", "pending", "missing", "problems")))
    return [totals, table]


def _counts(counts: dict[str, int]) -> str:
    return "(" + ", ".join(f"{k}: {n}" for k, n in counts.items()) + ")" if counts else ""


def summary_table(report: ScanReport, sellers: list[SellerReport] | None = None) -> Any:
    """One row per seller (of ``sellers``, default all): the table ``slotguard scan``
    prints. The address column never wraps: an address is whole or not shown as a table."""
    from rich.table import Table

    mode = "plan (dry run — nothing written)" if report.dry_run else "applied"
    table = Table(title=f"slotguard scan {report.week} → make-up in {report.target_week}: {mode}")
    for name in ("seller", "team", "blocks", "violations", "compensations", "tasks", "problems"):
        table.add_column(name, justify="right" if name in {"blocks", "violations"} else "left",
                         no_wrap=name == "seller")
    for s in sorted(report.sellers if sellers is None else sellers, key=lambda s: (s.team, s.upn)):
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
