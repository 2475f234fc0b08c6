"""The report's figures: what is consistent, how Friday numbers add up, and how a seller's
weeks and a team's report are put together."""

from __future__ import annotations

from datetime import datetime

import pytest

from slotguard.domain.adherence import (
    BlockFigures,
    CompensationFigures,
    FollowUpFigures,
    FridayNumber,
    FridayStatus,
    FridaySum,
    SellerWeek,
    WeekFigures,
)
from slotguard.domain.model import IsoWeek
from slotguard.domain.weekly_report import (
    OrganisationReport,
    SellerReport,
    TeamReport,
    seller_report,
    seller_view,
    trend_weeks,
)

WEEK = IsoWeek(2026, 49)
ANNA = "anna.berg@contoso.com"


def row(week: IsoWeek = WEEK, seller: str = ANNA, kept: int = 3,
        friday: FridayNumber | None = None) -> SellerWeek:
    figures = WeekFigures(BlockFigures(4, kept, 1, 0), CompensationFigures(2, 1, 1, 0, 1), 2,
                          FollowUpFigures(1, 2))
    return SellerWeek(seller, week, figures, friday or FridayNumber.answered(7))


def test_blocks_kept_and_taken_cannot_be_more_than_planned() -> None:
    assert BlockFigures(4, 2, 1, 1).unaccounted == 0
    assert BlockFigures(4, 2, 1, 0).unaccounted == 1  # still ahead, or gone from the calendar
    with pytest.raises(ValueError, match=r"kept \(3\) and taken \(2\) are more than planned"):
        BlockFigures(4, 3, 1, 1)
    with pytest.raises(ValueError, match=r"BlockFigures.kept: must be 0 or more \(got -1\)"):
        BlockFigures(4, -1)


def test_make_up_blocks_lost_and_replaced_are_consistent() -> None:
    figures = CompensationFigures(booked=4, kept=2, lost_to_meetings=1, declined=1, replaced=1)
    assert figures.lost == 2
    with pytest.raises(ValueError, match=r"kept \(2\) and lost \(3\) are more than booked"):
        CompensationFigures(4, 2, 2, 1)
    with pytest.raises(ValueError, match=r"re-placed \(2\) are more than lost to meetings"):
        CompensationFigures(4, 1, 1, 0, 2)
    with pytest.raises(ValueError, match="debt_outstanding: must be 0 or more"):
        WeekFigures(debt_outstanding=-2)


def test_figures_add_up_field_by_field() -> None:
    one, two = row().figures, row(kept=2).figures
    both = one + two
    assert both.blocks == BlockFigures(8, 5, 2, 0)
    assert both.compensations == CompensationFigures(4, 2, 2, 0, 2)
    assert both.debt_outstanding == 4 and both.follow_ups == FollowUpFigures(2, 4)
    assert one + WeekFigures() == one


def test_a_friday_number_is_a_whole_number_or_says_why_not() -> None:
    assert FridayNumber.answered(0).count == 0
    assert FridayNumber.unreadable().count is None
    with pytest.raises(ValueError, match="0 or more"):
        FridayNumber.answered(-1)
    with pytest.raises(ValueError, match="exactly when it was answered"):
        FridayNumber(FridayStatus.NO_ANSWER, 3)
    with pytest.raises(ValueError, match="exactly when it was answered"):
        FridayNumber(FridayStatus.ANSWERED)


def test_friday_numbers_sum_the_answers_and_count_the_rest() -> None:
    numbers = [FridayNumber.answered(7), FridayNumber.unreadable(), FridayNumber.no_answer(),
               FridayNumber.answered(5), FridayNumber.answered(0)]
    assert FridaySum.of(numbers) == FridaySum(total=12, answered=3, unreadable=1, no_answer=1)
    assert FridaySum.of([]) == FridaySum()


def test_trend_weeks_cross_the_year_oldest_first() -> None:
    assert [str(w) for w in trend_weeks(IsoWeek(2027, 2))] == [
        "2026-W48", "2026-W49", "2026-W50", "2026-W51", "2026-W52", "2026-W53",
        "2027-W01", "2027-W02"]


def test_a_sellers_report_keeps_the_trends_weeks_in_order() -> None:
    rows = [row(WEEK), row(WEEK.shift(-8)), row(WEEK.shift(-2)), row(WEEK, "erik@contoso.com")]
    report = seller_report(ANNA, WEEK, rows)
    assert [r.week for r in report.rows] == [WEEK.shift(-2), WEEK]  # -8 is outside the trend
    assert report.current.week == WEEK
    assert [p.row is not None for p in report.trend] == [False] * 5 + [True, False, True]
    with pytest.raises(ValueError, match="no figures for 2026-W49"):
        seller_report(ANNA, WEEK, [row(WEEK.shift(-1))])
    with pytest.raises(ValueError, match="distinct weeks of the trend, oldest first"):
        SellerReport(ANNA, (row(WEEK), row(WEEK.shift(-1))))
    with pytest.raises(ValueError, match="distinct weeks"):
        SellerReport(ANNA, (row(WEEK.shift(-9)), row(WEEK)))


def test_a_team_lists_each_seller_once_and_reports_one_week() -> None:
    anna = seller_report(ANNA, WEEK, [row()])
    with pytest.raises(ValueError, match="listed twice"):
        TeamReport("Nordics", WEEK, "sv", (anna, seller_report(ANNA.upper(), WEEK, [
            row(seller=ANNA.upper())])))
    with pytest.raises(ValueError, match="must be for 2026-W50"):
        TeamReport("Nordics", WEEK.shift(1), "sv", (anna,))
    with pytest.raises(ValueError, match="as_of must carry its time zone"):
        TeamReport("Nordics", WEEK, "sv", (anna,), as_of=datetime(2026, 12, 4, 15))
    team = TeamReport("Nordics", WEEK, "sv", (anna,))
    with pytest.raises(ValueError, match="a team is listed twice"):
        OrganisationReport(WEEK, (team, TeamReport("NORDICS", WEEK, "da", ())))


def test_only_the_teams_sellers_have_a_copy() -> None:
    team = TeamReport("Nordics", WEEK, "sv", (seller_report(ANNA, WEEK, [row()]),))
    with pytest.raises(ValueError, match=r"erik@contoso\.com is not a seller of team Nordics"):
        seller_view(team, "erik@contoso.com")
