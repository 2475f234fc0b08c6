"""The scan's exit status is the interface cron and Kubernetes read (exit_codes.py and
docs/configuration.md): anything on a problem line makes the cycle incomplete."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from slotguard import exit_codes
from slotguard.service import report as rpt


def scan_of(*sellers: rpt.SellerReport, problems: tuple[str, ...] = ()) -> rpt.ScanReport:
    report = rpt.ScanReport("2027-W12", "2027-W13", False, datetime(2027, 3, 22, tzinfo=UTC))
    report.sellers.extend(sellers)
    report.problems.extend(problems)
    return report


def line(status: str, error: str | None = None) -> rpt.ActionLine:
    return rpt.ActionLine("k#comp1", "compensation", "Mon 29 Mar 08:00–10:00", status,
                          error=error)


def test_a_clean_cycle_exits_ok() -> None:
    seller = rpt.SellerReport("a@contoso.com", "T", compensations=[line("written")])
    assert scan_of(seller).exit_status() == exit_codes.OK


@pytest.mark.parametrize("seller", [
    rpt.SellerReport("a@contoso.com", "T", compensations=[
        line("written"), line(rpt.FAILED, "TimeZoneNotSupportedException")]),
    rpt.SellerReport("a@contoso.com", "T", tasks=[line(rpt.FAILED, "invalidRequest")]),
    rpt.SellerReport("a@contoso.com", "T", problems=["escalation mail not sent: X"]),
    rpt.SellerReport("a@contoso.com", "T", problems=["bad_data: event 1: no start"]),
    rpt.SellerReport("a@contoso.com", "T", status=rpt.SKIPPED, problems=["missing: x"]),
], ids=["refused-write", "refused-task", "mail", "unreadable-event", "skipped"])
def test_work_left_undone_exits_incomplete(seller: rpt.SellerReport) -> None:
    assert scan_of(seller).exit_status() == exit_codes.INCOMPLETE


def test_failed_writes_are_counted_and_not_as_tasks_created() -> None:
    seller = rpt.SellerReport("a@contoso.com", "T", tasks=[line(rpt.FAILED, "x"),
                                                           line("written")])
    totals = scan_of(seller).totals()
    assert (totals["failed_writes"], totals["tasks"]) == (1, 1)


def test_a_scan_wide_problem_or_all_sellers_leased() -> None:
    ok = rpt.SellerReport("a@contoso.com", "T")
    assert scan_of(ok, problems=("team T: group g unreadable",)).exit_status() == \
        exit_codes.INCOMPLETE
    leased = rpt.SellerReport("a@contoso.com", "T", status=rpt.LEASED)
    assert scan_of(leased).exit_status() == exit_codes.NOTHING_DONE
