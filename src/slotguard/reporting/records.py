"""The report for scripts and spreadsheets: JSON and CSV, in stable English names.

JSON names ISO weeks as "2026-W49" and gives every figure as a number; the Friday number is
``{"status": "answered", "number": 7}`` (``number`` is null unless answered). CSV has one
row per seller and week of the trend (oldest first), its columns the JSON's figures with
their names joined by "_" (``blocks_kept``); docs/report.md lists them.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from slotguard.domain.adherence import FridayNumber, FridaySum, SellerWeek, WeekFigures
from slotguard.domain.weekly_report import (
    OrganisationReport,
    TeamReport,
    Totals,
    trend_weeks,
)

CSV_COLUMNS = (
    "team", "seller", "week",
    "blocks_planned", "blocks_kept", "blocks_taken_by_customer", "blocks_taken_by_internal",
    "compensations_booked", "compensations_kept", "compensations_replaced",
    "compensations_lost_to_meetings", "compensations_declined",
    "debt_outstanding", "follow_ups_open", "follow_ups_completed",
    "friday_status", "friday_number",
)


def figures_record(figures: WeekFigures) -> dict[str, Any]:
    blocks, made_up, tasks = figures.blocks, figures.compensations, figures.follow_ups
    return {
        "blocks": {"planned": blocks.planned, "kept": blocks.kept,
                   "taken_by_customer": blocks.taken_by_customer,
                   "taken_by_internal": blocks.taken_by_internal},
        "compensations": {"booked": made_up.booked, "kept": made_up.kept,
                          "replaced": made_up.replaced,
                          "lost_to_meetings": made_up.lost_to_meetings,
                          "declined": made_up.declined},
        "debt_outstanding": figures.debt_outstanding,
        "follow_ups": {"open": tasks.open, "completed": tasks.completed},
    }


def friday_record(friday: FridayNumber) -> dict[str, Any]:
    return {"status": friday.status.value, "number": friday.count}


def friday_sum_record(friday: FridaySum) -> dict[str, int]:
    return {"total": friday.total, "answered": friday.answered,
            "unreadable": friday.unreadable, "no_answer": friday.no_answer}


def row_record(row: SellerWeek) -> dict[str, Any]:
    return {"week": str(row.week), **figures_record(row.figures),
            "friday": friday_record(row.friday)}


def totals_record(totals: Totals) -> dict[str, Any]:
    return {"sellers": totals.sellers, **figures_record(totals.figures),
            "friday": friday_sum_record(totals.friday)}


def team_record(team: TeamReport) -> dict[str, Any]:
    return {
        "team": team.team, "language": team.language,
        "team_sees_each_other": team.team_sees_each_other,
        "as_of": team.as_of.isoformat() if team.as_of else None,
        "sellers": [{"seller": report.seller, "weeks": [row_record(r) for r in report.rows]}
                    for report in team.sellers],
        "totals": totals_record(team.totals),
        "trend": [{"week": str(point.week), **totals_record(point.totals)}
                  for point in team.trend],
    }


def report_record(report: OrganisationReport) -> dict[str, Any]:
    return {
        "week": str(report.week),
        "trend_weeks": [str(week) for week in trend_weeks(report.week)],
        "teams": [team_record(team) for team in report.teams],
        "organisation": totals_record(report.totals),
    }


def render_json(report: OrganisationReport) -> str:
    return json.dumps(report_record(report), ensure_ascii=False, indent=2) + "\n"


def csv_rows(report: OrganisationReport) -> list[dict[str, Any]]:
    rows = []
    for team in report.teams:
        for seller in team.sellers:
            for row in seller.rows:
                flat = _flatten(figures_record(row.figures))
                rows.append({"team": team.team, "seller": row.seller, "week": str(row.week),
                             **flat, "friday_status": row.friday.status.value,
                             "friday_number": "" if row.friday.count is None
                             else row.friday.count})
    return rows


def render_csv(report: OrganisationReport) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(csv_rows(report))
    return out.getvalue()


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in record.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{name}_"))
        else:
            flat[f"{prefix}{name}"] = value
    return flat
