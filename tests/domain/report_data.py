"""Hypothesis strategies for the weekly report: consistent figures, sellers with gaps in
their history, teams with either visibility policy, organisations of several teams."""

from __future__ import annotations

from hypothesis import strategies as st

from slotguard.domain.adherence import (
    BlockFigures,
    CompensationFigures,
    FollowUpFigures,
    FridayNumber,
    SellerWeek,
    WeekFigures,
)
from slotguard.domain.model import IsoWeek
from slotguard.domain.weekly_report import (
    OrganisationReport,
    TeamReport,
    seller_report,
    trend_weeks,
)

# Report weeks around a year's turn (2026 has 53 ISO weeks) and an ordinary one.
WEEKS = st.sampled_from([IsoWeek(2026, 49), IsoWeek(2027, 2), IsoWeek(2026, 53),
                         IsoWeek(2027, 1), IsoWeek(2026, 20)])


@st.composite
def block_figures(draw: st.DrawFn) -> BlockFigures:
    planned = draw(st.integers(0, 12))
    customer = draw(st.integers(0, planned))
    internal = draw(st.integers(0, planned - customer))
    kept = draw(st.integers(0, planned - customer - internal))
    return BlockFigures(planned, kept, customer, internal)


@st.composite
def compensation_figures(draw: st.DrawFn) -> CompensationFigures:
    booked = draw(st.integers(0, 8))
    lost = draw(st.integers(0, booked))
    declined = draw(st.integers(0, booked - lost))
    kept = draw(st.integers(0, booked - lost - declined))
    return CompensationFigures(booked, kept, lost, declined, draw(st.integers(0, lost)))


def week_figures() -> st.SearchStrategy[WeekFigures]:
    return st.builds(WeekFigures, block_figures(), compensation_figures(),
                     st.integers(0, 30), st.builds(FollowUpFigures, st.integers(0, 9),
                                                   st.integers(0, 9)))


def friday_numbers() -> st.SearchStrategy[FridayNumber]:
    return st.one_of(st.integers(0, 40).map(FridayNumber.answered),
                     st.just(FridayNumber.unreadable()), st.just(FridayNumber.no_answer()))


@st.composite
def seller_rows(draw: st.DrawFn, seller: str, week: IsoWeek) -> list[SellerWeek]:
    """The report week's row and any of the seven weeks before it, in any order."""
    earlier = draw(st.sets(st.sampled_from(trend_weeks(week)[:-1])))
    weeks = draw(st.permutations([*earlier, week]))
    return [SellerWeek(seller, w, draw(week_figures()), draw(friday_numbers())) for w in weeks]


@st.composite
def team_reports(draw: st.DrawFn, week: IsoWeek, name: str = "Nordics") -> TeamReport:
    count = draw(st.integers(1, 4))
    sellers = [f"seller{n}.{name.lower()}@contoso.com" for n in range(count)]
    reports = tuple(seller_report(upn, week, draw(seller_rows(upn, week))) for upn in sellers)
    return TeamReport(name, week, draw(st.sampled_from(["en", "sv", "da"])), reports,
                      draw(st.booleans()))


@st.composite
def organisation_reports(draw: st.DrawFn) -> OrganisationReport:
    week = draw(WEEKS)
    names = draw(st.lists(st.sampled_from(["Nordics", "East", "Danmark", "Suomi"]),
                          min_size=1, max_size=2, unique=True))
    return OrganisationReport(week, tuple(draw(team_reports(week, name)) for name in names))
