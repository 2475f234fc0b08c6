"""Properties of the weekly report over random teams: sums are the rows added up, a seller's
copy holds no colleague's row the team did not agree to share, and the trend is the eight
weeks ending with the report week, oldest first.

The checks add figures up their own way — every number field of the rows' ``asdict``,
leaf by leaf — so they do not share a bug with the report's ``+``.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import asdict
from datetime import timedelta
from itertools import pairwise
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from slotguard.domain.adherence import FridayStatus, SellerWeek
from slotguard.domain.weekly_report import (
    TREND_WEEKS,
    OrganisationReport,
    TeamReport,
    manager_view,
    seller_view,
)

from .report_data import WEEKS, organisation_reports, team_reports

# An example is a whole organisation (some 200 figures): fewer examples than elsewhere
# still try every visibility, history gap and Friday answer many times over.
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("SLOTGUARD_EXAMPLES", "150")) // 2, deadline=None)


def leaves(record: dict[str, Any], prefix: str = "") -> dict[str, int]:
    out: dict[str, int] = {}
    for name, value in record.items():
        if isinstance(value, dict):
            out.update(leaves(value, f"{prefix}{name}."))
        elif isinstance(value, int):
            out[f"{prefix}{name}"] = value
    return out


def added_up(rows: list[SellerWeek]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for row in rows:
        total.update(leaves(asdict(row.figures)))
    return dict(total)


def friday_counts(rows: list[SellerWeek]) -> tuple[int, int, int, int]:
    answered = [row.friday.count for row in rows if row.friday.count is not None]
    statuses = Counter(row.friday.status for row in rows)
    return (sum(answered), statuses[FridayStatus.ANSWERED], statuses[FridayStatus.UNREADABLE],
            statuses[FridayStatus.NO_ANSWER])


def current_rows(team: TeamReport) -> list[SellerWeek]:
    return [report.current for report in team.sellers]


def with_zeros(record: dict[str, int], like: dict[str, int]) -> dict[str, int]:
    return {name: record.get(name, 0) for name in like}


@PROPERTY_SETTINGS
@given(organisation_reports())
def test_totals_are_the_rows_added_up(report: OrganisationReport) -> None:
    every_row: list[SellerWeek] = []
    for team in report.teams:
        rows = current_rows(team)
        every_row += rows
        totals = team.totals
        fields = leaves(asdict(totals.figures))
        assert fields == with_zeros(added_up(rows), fields)
        assert totals.sellers == len(rows)
        friday = totals.friday
        assert (friday.total, friday.answered, friday.unreadable, friday.no_answer) == (
            friday_counts(rows))
    org = report.totals
    fields = leaves(asdict(org.figures))
    assert fields == with_zeros(added_up(every_row), fields)
    assert org.sellers == len(every_row)
    assert (org.friday.total, org.friday.answered, org.friday.unreadable,
            org.friday.no_answer) == friday_counts(every_row)


@PROPERTY_SETTINGS
@given(organisation_reports())
def test_the_organisation_is_its_teams_added_up(report: OrganisationReport) -> None:
    teams = [leaves(asdict(team.totals)) for team in report.teams]
    summed: Counter[str] = Counter()
    for team in teams:
        summed.update(team)
    org = leaves(asdict(report.totals))
    assert org == with_zeros(dict(summed), org)


@PROPERTY_SETTINGS
@given(st.data(), WEEKS)
def test_a_sellers_copy_shows_colleagues_only_when_the_team_shares(
        data: st.DataObject, week: Any) -> None:
    team = data.draw(team_reports(week))
    reader = data.draw(st.sampled_from([report.seller for report in team.sellers]))
    view = seller_view(team, reader.upper() if data.draw(st.booleans()) else reader)
    shown = [report.seller for report in view.sellers]
    assert shown[0] == reader  # their own row, first
    if team.team_sees_each_other:
        assert sorted(shown) == sorted(report.seller for report in team.sellers)
    else:
        assert shown == [reader]
    assert view.reader == reader
    assert view.totals == team.totals  # the whole team's sums, whoever reads
    assert view.trend == team.trend
    assert view.colleagues_not_shown == len(team.sellers) - len(shown)
    manager = manager_view(team)
    assert manager.reader is None and manager.sellers == team.sellers


@PROPERTY_SETTINGS
@given(organisation_reports())
def test_the_trend_is_the_eight_weeks_ending_with_the_report_week(
        report: OrganisationReport) -> None:
    for team in report.teams:
        trend = team.trend
        weeks = [point.week for point in trend]
        assert len(weeks) == TREND_WEEKS
        assert weeks[-1] == report.week
        mondays = [week.monday() for week in weeks]
        assert all(b - a == timedelta(weeks=1) for a, b in pairwise(mondays))
        assert trend[-1].totals == team.totals
        for point in trend:
            rows = [row for seller in team.sellers for row in seller.rows
                    if row.week == point.week]
            fields = leaves(asdict(point.totals.figures))
            assert fields == with_zeros(added_up(rows), fields)
            assert point.totals.sellers == len(rows)
        for seller in team.sellers:
            points = seller.trend
            assert [point.week for point in points] == weeks
            assert all(point.row is None or point.row.week == point.week for point in points)
            assert [point.row for point in points if point.row] == list(seller.rows)
