"""``slotguard demo``: the Microsoft 365 simulator with a demo sales org, and slotguard run on
it through the real msal + msgraph-sdk stack — one scan visibly, what it did per seller, then
a second scan that writes nothing new.

Nothing outside a temporary folder is touched: settings point at the simulator (its own
HTTPS certificate authority, tenant and app registration), the ledger is a SQLite file in
the temporary folder, and the rules are the example that ships with the package.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from slotguard.entrypoints.tables import detail_tables, summary_table
from slotguard.service.report import ScanReport


def _writes(sim: Any) -> int:
    return len(sim.writes())


async def run_demo(*, show_subjects: bool = True) -> int:
    from rich.console import Console

    from slotguard.config.rules import load_rules
    from slotguard.config.settings import settings_from
    from slotguard.entrypoints.bootstrap import bootstrap
    from slotguard.service.weekly import run_weekly
    from slotguard.sim.server import SimServer

    console = Console()
    console.rule("[bold]slotguard demo[/] — a simulated Microsoft 365 tenant")
    with tempfile.TemporaryDirectory(prefix="slotguard-demo-") as tmp:
        state = Path(tmp)
        with console.status("Starting the Microsoft Graph + Entra ID simulator…"):
            sim = SimServer(scenario="demo")
            sim.__enter__()
        try:
            env = {**sim.env(), "SLOTGUARD_STATE_DIR": str(state),
                   "SLOTGUARD_DATABASE_URL": f"sqlite:///{state / 'ledger.db'}",
                   "SLOTGUARD_LOG_LEVEL": "warning", "SLOTGUARD_LOG_PERSONAL_DATA": "false"}
            # The simulator's settings only: nothing the operator has set points elsewhere.
            settings = settings_from(env)
            from slotguard.logging import configure_logging

            configure_logging(settings)  # warnings only: the tables tell the story
            rules_file = load_rules(None, example_fallback=True)
            sellers = sum(len(t.sellers) for t in rules_file.teams)
            console.print(f"Simulator at [cyan]{settings.graph_root}[/]; rules: "
                          f"{rules_file.source} ({len(rules_file.teams)} teams, {sellers} "
                          "listed sellers plus Entra group members)")
            service = bootstrap(settings, rules_file)
            try:
                scanner = service.scanner
                started = time.perf_counter()
                with console.status("Weekly job: making every seller's blocks visible…"):
                    weekly = await run_weekly(scanner)
                console.print(f"Weekly job: {weekly.series_created} recurring block series "
                              f"created, {weekly.habits_created} habit tasks.")
                with console.status("Scan 1: reading calendars, deciding, writing…"):
                    first = await scanner.scan()
                console.print(summary_table(first))
                for table in detail_tables(first, personal=show_subjects):
                    console.print(table)
                _explain(console, first, rules_file.rules.policy.compensation_count)
                before = _writes(sim)
                with console.status("Scan 2: the same calendars again…"):
                    second = await scanner.scan()
                new = _writes(sim) - before
                totals = second.totals()
                console.print(
                    f"Scan 2: {totals['violations']} violations seen again, "
                    f"{totals['compensations']} new compensations, {totals['tasks']} new "
                    f"tasks, [bold]{new} write requests[/] to Graph — nothing is done twice."
                )
                console.print(f"Done in {time.perf_counter() - started:.1f} s. Try "
                              "`slotguard sim` to keep the simulator running and explore.")
                return 0 if new == 0 else 1
            finally:
                await service.aclose()
        finally:
            sim.__exit__(None, None, None)


def _explain(console: Any, report: ScanReport, count: int) -> None:
    totals = report.totals()
    skipped = [s for s in report.sellers if s.status != "ok"]
    console.print(
        f"Scan 1 judged {report.week}: {totals['violations']} blocks taken, "
        f"{totals['compensations']} make-up blocks booked in {report.target_week} ({count} per "
        f"customer meeting, inside working hours, over no busy time), {totals['tasks']} "
        "recurring follow-up tasks."
    )
    for problem in report.problems:
        console.print(f"  [yellow]problem:[/] {problem}")
    for seller in skipped:
        console.print(f"  [yellow]{seller.upn}[/]: {seller.status} — "
                      f"{'; '.join(seller.problems)}")
