"""A write Graph refuses is never silent: the seller's report line and problems carry
Graph's error code, the ledger holds the action as failed with the error, one warning is
logged per write, and the scan exits INCOMPLETE. Through msal + msgraph-sdk against the
simulator, which refuses one seller's event creates the way Graph refuses a time zone."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from structlog.testing import capture_logs
from tests.e2e.conftest import Live
from typer.testing import CliRunner

from slotguard import exit_codes
from slotguard.config.rules import example_rules_text
from slotguard.entrypoints.cli import live_cmd
from slotguard.service import report as rpt
from slotguard.sim.faults import FaultOptions, FaultRule
from slotguard.store.ledger import Ledger

CODE = "TimeZoneNotSupportedException"


def refuse_event_creates(live: Live) -> rpt.SellerReport:
    """A seller with customer violations, whose event POSTs Graph now refuses."""
    plan = live.scan(dry_run=True)
    seller = next(s for s in plan.sellers if any(v.kind == "customer" for v in s.violations))
    live.sim.set_faults(FaultOptions(rules=(FaultRule(
        status=400, method="POST", path_contains="/events", mailbox=seller.upn, times=None,
        code=CODE, message="A valid TimeZone value must be specified. The following "
                           "TimeZone value is not supported: 'Asia/Calcutta'."),)))
    return seller


def test_a_refused_create_is_on_the_report_in_the_ledger_and_the_log(live: Live) -> None:
    planned = refuse_event_creates(live)
    with capture_logs() as logs:
        report = live.scan()
    seller = next(s for s in report.sellers if s.upn == planned.upn)
    customer = [v for v in seller.violations if v.kind == "customer"]
    failed = [c for c in seller.compensations if c.status == rpt.FAILED]
    # Per write, with Graph's code; the seller was read and decided, not skipped.
    assert seller.status == rpt.OK
    assert {c.key for c in failed} == {f"{v.key}#comp{i}" for v in customer for i in (1, 2)}
    assert all(c.error == CODE for c in failed)
    assert sum(p.startswith(f"{CODE}: compensation ") for p in seller.problems) == len(failed)
    # The seller's To Do is not refused: its follow-up tasks are written all the same.
    assert seller.tasks and all(t.status == "written" for t in seller.tasks)
    warnings = [e for e in logs if e["event"] == "scan.write_failed"]
    assert sorted(e["key"] for e in warnings) == sorted(c.key for c in failed)
    assert all(e["log_level"] == "warning" and e["code"] == CODE and e["status"] == 400
               for e in warnings)
    with Ledger.open(live.settings.database_url_resolved) as ledger:
        for line in failed:
            action = ledger.action(line.key)
            assert action is not None and action.state == "failed"
            assert action.error and CODE in action.error
        problems = ledger.seller_problems(seller=seller.upn)
        assert sorted(p.code for p in problems) == [CODE] * len(failed)
    totals = report.totals()
    assert totals["failed_writes"] == len(failed) and totals["skipped"] == 0
    assert report.exit_status() == exit_codes.INCOMPLETE
    others = [s for s in report.sellers if s.upn != seller.upn]
    assert others and all(not s.problems for s in others)

    # Graph takes the writes again: the next scan completes them and exits clean.
    live.sim.set_faults(FaultOptions())
    again = live.scan()
    redone = next(s for s in again.sellers if s.upn == seller.upn)
    assert sorted(c.key for c in redone.compensations if c.status == "written") == \
        sorted(c.key for c in failed)
    assert again.exit_status() == exit_codes.OK


def test_scan_once_prints_the_code_and_exits_incomplete(live: Live, tmp_path: Path) -> None:
    planned = refuse_event_creates(live)
    rules = tmp_path / "slotguard.toml"
    rules.write_text(example_rules_text())
    app = typer.Typer()
    live_cmd.register(app)
    args = ["scan", "--once", "--rules", str(rules), "--week", str(live.week)]
    result = CliRunner().invoke(app, [*args, "--json"], env={"COLUMNS": "200"})
    assert result.exit_code == exit_codes.INCOMPLETE, result.output
    data = json.loads(result.stdout)
    seller = next(s for s in data["sellers"] if s["upn"] == planned.upn)
    assert {c["error"] for c in seller["compensations"] if c["status"] == "failed"} == {CODE}
    assert data["totals"]["failed_writes"] > 0
    # The table names the code per seller, and per write in the seller's detail table.
    live.sim.set_faults(FaultOptions(rules=(FaultRule(
        status=400, method="POST", path_contains="/events", mailbox=planned.upn,
        times=None, code=CODE),)))
    table = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert table.exit_code == exit_codes.INCOMPLETE
    assert CODE in table.stdout and f"[failed: {CODE}]" in table.stdout
