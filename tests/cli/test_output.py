"""The scan report as people and scripts get it: plain tables that cut nothing, the rule
for which sellers are listed, the totals line, and JSON times with offset and zone."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from rich.console import Console
from rich.table import Table

from slotguard.entrypoints.cli import output
from slotguard.service import report as rpt

UPN = "a.very.long.seller.address.that.does.not.fit@sales.contoso.com"
T0 = datetime(2026, 12, 1, 7, tzinfo=UTC)
T1 = datetime(2026, 12, 1, 9, tzinfo=UTC)


def table() -> Table:
    t = Table(title="sellers \\[dry run]")
    t.add_column("seller", no_wrap=True)
    t.add_column("blocks", justify="right")
    t.add_column("make-up")
    t.add_row(UPN, "2", "Mon 07 Dec\nThu 10 Dec [b]planned[/]")
    t.add_row("b@contoso.com", "10", "—")
    return t


def test_plain_table_keeps_every_cell_whole_and_aligned() -> None:
    lines = output.plain_table(table()).splitlines()
    assert lines[0] == "sellers [dry run]"  # escaped brackets are text
    assert lines[1].split() == ["seller", "blocks", "make-up"]
    assert lines[2].startswith(UPN + "  ")
    assert lines[3].strip() == "Thu 10 Dec planned"  # markup removed, second line aligned
    assert lines[3].index("Thu") == lines[2].index("Mon")
    assert lines[4].startswith("b@contoso.com ") and lines[4][len(UPN) + 2:].startswith("    10")
    assert all(line == line.rstrip() for line in lines)


def terminal(width: int) -> Console:
    return Console(file=io.StringIO(), width=width, force_terminal=True, color_system=None)


def test_a_table_goes_to_a_terminal_only_when_it_fits_as_it_is() -> None:
    assert output.fits(terminal(200), table())
    assert not output.fits(terminal(len(UPN) + 10), table())
    narrow = terminal(40)
    output.show(narrow, table())
    text = narrow.file.getvalue()  # type: ignore[attr-defined]
    assert UPN in text.splitlines()[2] and "│" not in text


def test_sellers_that_need_a_look() -> None:
    quiet = rpt.SellerReport("q@contoso.com", "T", blocks=2)
    seen = rpt.SellerReport("v@contoso.com", "T", violations=[
        rpt.ViolationLine("k", "Tue 08:00–10:00", "internal", ())])
    skipped = rpt.SellerReport("s@contoso.com", "T", status=rpt.SKIPPED)
    existing = rpt.SellerReport("e@contoso.com", "T", compensations=[
        rpt.ActionLine("k#comp1", "compensation", "x", "existing")])
    assert [s.needs_look() for s in (quiet, seen, skipped, existing)] == [
        False, True, True, False]


def report() -> rpt.ScanReport:
    seller = rpt.SellerReport(
        "anna@contoso.com", "T", zone="Europe/Berlin",
        violations=[rpt.ViolationLine("v", "Tue 01 Dec 08:00–10:00", "customer",
                                      (rpt.MeetingLine("m", "Deal", T0, T1),),
                                      start=T0, end=T1)],
        compensations=[rpt.ActionLine("v#comp1", "compensation", "Mon 07 Dec 08:00–10:00",
                                      "planned", "v", start=T0, end=T1)],
        tasks=[rpt.ActionLine("v#task", "task", "Thu 03 Dec", "planned", "v", "Follow up",
                              due=date(2026, 12, 3))])
    quiet = rpt.SellerReport("quiet@contoso.com", "T", zone="UTC")
    return rpt.ScanReport("2026-W49", "2026-W50", True, T0, sellers=[seller, quiet])


def test_json_times_are_local_with_offset_and_zone_and_no_display_strings() -> None:
    data = report().to_json(list_all=False)
    (anna,) = data["sellers"]
    violation, = anna["violations"]
    assert (violation["start"], violation["zone"]) == ("2026-12-01T08:00:00+01:00",
                                                       "Europe/Berlin")
    assert "block" not in violation
    assert violation["meetings"][0]["end"] == "2026-12-01T10:00:00+01:00"
    assert violation["meetings"][0]["subject"] is None  # personal data only when asked
    assert "when" not in anna["compensations"][0]
    assert anna["tasks"][0]["due"] == "2026-12-03" and anna["tasks"][0]["title"] is None
    assert data["started_at"] == "2026-12-01T07:00:00+00:00"
    assert data["totals"]["sellers"] == 2 and data["listing"] == "need_a_look"
    assert len(report().to_json(list_all=True)["sellers"]) == 2


def test_the_totals_line() -> None:
    line = rpt.totals_line(report(), 1)
    assert line == ("totals: 2 sellers, 1 violations, 1 compensations, 1 tasks — 1 listed; "
                    "the other 1 had nothing to look at (--all lists them)")
    assert rpt.totals_line(report(), 2).endswith("— every seller listed")


def test_a_packed_report_keeps_the_times() -> None:
    seller = report().sellers[0]
    assert rpt.unpack(rpt.pack(seller)) == seller
