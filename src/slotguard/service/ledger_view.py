"""``slotguard ledger`` as tables: totals, then one row per seller."""

from __future__ import annotations

from typing import Any


def tables(summary: dict[str, Any], sellers: list[dict[str, Any]], where: str) -> list[Any]:
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
