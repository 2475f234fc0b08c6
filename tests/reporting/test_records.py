"""The report for scripts: CSV with one row per seller and week under stable column names,
JSON with ISO weeks and numbers as numbers; both carry exactly the report's figures."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import given, settings

from domain.report_data import organisation_reports  # tests/domain: pytest's own package
from slotguard.domain.weekly_report import OrganisationReport
from slotguard.reporting import CSV_COLUMNS, render_csv, render_json

from .conftest import ANNA, ERIK, MAJA, organisation

# What scripts and spreadsheets rely on: changing a name breaks them (docs/report.md).
STABLE = ("team,seller,week,blocks_planned,blocks_kept,blocks_taken_by_customer,"
          "blocks_taken_by_internal,compensations_booked,compensations_kept,"
          "compensations_replaced,compensations_lost_to_meetings,compensations_declined,"
          "debt_outstanding,follow_ups_open,follow_ups_completed,friday_status,friday_number")


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_one_row_per_seller_and_week_with_stable_columns() -> None:
    text = render_csv(organisation())
    assert text.splitlines()[0] == STABLE == ",".join(CSV_COLUMNS)
    found = rows(text)
    nordics = [(r["seller"], r["week"]) for r in found if r["team"] == "Nordics"]
    assert nordics == [(ANNA, "2026-W48"), (ANNA, "2026-W49"), (ERIK, "2026-W49"),
                       (MAJA, "2026-W47"), (MAJA, "2026-W49")]
    anna = next(r for r in found if r["seller"] == ANNA and r["week"] == "2026-W49")
    assert anna == {
        "team": "Nordics", "seller": ANNA, "week": "2026-W49", "blocks_planned": "4",
        "blocks_kept": "3", "blocks_taken_by_customer": "1", "blocks_taken_by_internal": "0",
        "compensations_booked": "3", "compensations_kept": "1", "compensations_replaced": "1",
        "compensations_lost_to_meetings": "1", "compensations_declined": "1",
        "debt_outstanding": "2", "follow_ups_open": "1", "follow_ups_completed": "3",
        "friday_status": "answered", "friday_number": "7"}
    erik = next(r for r in found if r["seller"] == ERIK)
    maja = next(r for r in found if r["seller"] == MAJA and r["week"] == "2026-W49")
    assert (erik["friday_status"], erik["friday_number"]) == ("unreadable", "")
    assert (maja["friday_status"], maja["friday_number"]) == ("no_answer", "")


def test_json_names_iso_weeks_and_gives_numbers_as_numbers() -> None:
    data = json.loads(render_json(organisation()))
    assert data["week"] == "2026-W49"
    assert data["trend_weeks"][0] == "2026-W42" and data["trend_weeks"][-1] == "2026-W49"
    nordics = data["teams"][0]
    assert (nordics["team"], nordics["language"], nordics["team_sees_each_other"]) == (
        "Nordics", "sv", False)
    assert nordics["as_of"] == "2026-12-04T15:00:00+01:00"
    erik = nordics["sellers"][1]
    assert erik["seller"] == ERIK
    assert erik["weeks"] == [{
        "week": "2026-W49",
        "blocks": {"planned": 4, "kept": 2, "taken_by_customer": 1, "taken_by_internal": 1},
        "compensations": {"booked": 3, "kept": 2, "replaced": 0, "lost_to_meetings": 0,
                          "declined": 1},
        "debt_outstanding": 5, "follow_ups": {"open": 2, "completed": 1},
        "friday": {"status": "unreadable", "number": None}}]
    assert nordics["totals"]["friday"] == {"total": 7, "answered": 1, "unreadable": 1,
                                           "no_answer": 1}
    assert nordics["totals"]["sellers"] == 3 and nordics["totals"]["debt_outstanding"] == 7
    assert [p["week"] for p in nordics["trend"]] == data["trend_weeks"]
    assert data["organisation"]["blocks"]["planned"] == 20
    assert data["organisation"]["friday"]["total"] == 14


@settings(max_examples=40, deadline=None)
@given(organisation_reports())
def test_csv_and_json_carry_every_row_and_only_numbers(report: OrganisationReport) -> None:
    found = rows(render_csv(report))
    expected = [(team.team, r.seller, str(r.week)) for team in report.teams
                for seller in team.sellers for r in seller.rows]
    assert [(r["team"], r["seller"], r["week"]) for r in found] == expected
    for row in found:
        numbers = [row[c] for c in CSV_COLUMNS[3:-2]]
        assert all(value.isdigit() for value in numbers), row
    data = json.loads(render_json(report))
    assert data["organisation"]["sellers"] == sum(t["totals"]["sellers"] for t in data["teams"])
    assert data["organisation"]["blocks"]["kept"] == sum(
        int(r["blocks_kept"]) for r in found if r["week"] == data["week"])
