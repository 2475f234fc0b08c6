"""The weekly adherence report of a team and of the organisation, and who is shown what.

A team's report holds, per seller, the report week's figures and those of the weeks before
it within the trend (8 ISO weeks, the report week the last). The team's totals and trend
are sums over its sellers, the organisation's totals a sum over its teams: nothing here is
counted twice or estimated.

``manager_view`` and ``seller_view`` build what each reader is given. A seller always sees
their own row and the team's totals; colleagues' rows only when the team's policy says the
team sees each other (``team_sees_each_other``) — sellers see what the manager sees of
them, and never more of a colleague than the team agreed to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from slotguard.domain.adherence import FridaySum, SellerWeek, WeekFigures
from slotguard.domain.model import IsoWeek

TREND_WEEKS = 8


def trend_weeks(week: IsoWeek, count: int = TREND_WEEKS) -> tuple[IsoWeek, ...]:
    """The ``count`` ISO weeks that end with ``week``, oldest first."""
    return tuple(week.shift(n - count + 1) for n in range(count))


@dataclass(frozen=True, slots=True)
class Totals:
    """Sellers' rows added up: every figure summed, the Friday numbers by ``FridaySum``."""

    sellers: int = 0  # rows added up: one per seller with figures for the week
    figures: WeekFigures = field(default_factory=WeekFigures)
    friday: FridaySum = field(default_factory=FridaySum)

    @classmethod
    def of(cls, rows: Iterable[SellerWeek]) -> Totals:
        result = cls()
        for row in rows:
            result += cls(1, row.figures, FridaySum.of([row.friday]))
        return result

    def __add__(self, other: Totals) -> Totals:
        return Totals(self.sellers + other.sellers, self.figures + other.figures,
                      self.friday + other.friday)


@dataclass(frozen=True, slots=True)
class SellerTrendPoint:
    week: IsoWeek
    row: SellerWeek | None  # None: no figures for the seller that week (not a seller yet)


@dataclass(frozen=True, slots=True)
class TeamTrendPoint:
    week: IsoWeek
    totals: Totals  # over the team's sellers with figures that week


@dataclass(frozen=True, slots=True)
class SellerReport:
    """One seller's rows, oldest first; the last is the report week's. Build with
    ``seller_report``."""

    seller: str
    rows: tuple[SellerWeek, ...]

    def __post_init__(self) -> None:
        if not self.rows:
            raise ValueError(f"{self.seller}: the report week's figures are missing")
        window = trend_weeks(self.rows[-1].week)
        weeks = [row.week for row in self.rows]
        if any(row.seller != self.seller for row in self.rows):
            raise ValueError(f"{self.seller}: a row of another seller")
        if any(week not in window for week in weeks) or weeks != sorted(
                set(weeks), key=window.index):
            raise ValueError(f"{self.seller}: rows must be distinct weeks of the trend, oldest "
                             "first")

    @property
    def week(self) -> IsoWeek:
        return self.rows[-1].week

    @property
    def current(self) -> SellerWeek:
        return self.rows[-1]

    @property
    def trend(self) -> tuple[SellerTrendPoint, ...]:
        by_week = {row.week: row for row in self.rows}
        return tuple(SellerTrendPoint(week, by_week.get(week)) for week in trend_weeks(self.week))


def seller_report(seller: str, week: IsoWeek, rows: Iterable[SellerWeek]) -> SellerReport:
    """The seller's report for ``week`` from their rows: those of other sellers or outside the
    trend are left out; the report week's row must be there, and no week twice."""
    window = trend_weeks(week)
    mine = sorted((row for row in rows if row.seller == seller and row.week in window),
                  key=lambda row: window.index(row.week))
    if not mine or mine[-1].week != week:
        raise ValueError(f"{seller}: no figures for {week}")
    return SellerReport(seller, tuple(mine))


@dataclass(frozen=True, slots=True)
class TeamReport:
    """A team's week: its sellers' reports and the team's policy on who sees which row."""

    team: str
    week: IsoWeek
    language: str  # the team's language tag: every word of its report is in it
    sellers: tuple[SellerReport, ...]
    team_sees_each_other: bool = False
    # When the figures were counted, in the manager's zone: blocks after it are still ahead,
    # tasks open then are "open". None: not said.
    as_of: datetime | None = None

    def __post_init__(self) -> None:
        if self.as_of is not None and self.as_of.utcoffset() is None:
            raise ValueError(f"team {self.team}: as_of must carry its time zone")
        if any(report.week != self.week for report in self.sellers):
            raise ValueError(f"team {self.team}: every seller's report must be for {self.week}")
        addresses = [report.seller.casefold() for report in self.sellers]
        if len(set(addresses)) != len(addresses):
            raise ValueError(f"team {self.team}: a seller is listed twice")

    @property
    def totals(self) -> Totals:
        return Totals.of(report.current for report in self.sellers)

    @property
    def trend(self) -> tuple[TeamTrendPoint, ...]:
        return tuple(
            TeamTrendPoint(week, Totals.of(row for report in self.sellers
                                           for row in report.rows if row.week == week))
            for week in trend_weeks(self.week))


@dataclass(frozen=True, slots=True)
class OrganisationReport:
    """Every team's week; the organisation's totals are its teams' totals added up."""

    week: IsoWeek
    teams: tuple[TeamReport, ...]

    def __post_init__(self) -> None:
        if any(team.week != self.week for team in self.teams):
            raise ValueError(f"every team's report must be for {self.week}")
        names = [team.team.casefold() for team in self.teams]
        if len(set(names)) != len(names):
            raise ValueError("a team is listed twice")

    @property
    def totals(self) -> Totals:
        return sum((team.totals for team in self.teams), Totals())


@dataclass(frozen=True, slots=True)
class TeamView:
    """What one reader is shown of a team's week: only the rows they may see, and the
    whole team's totals and trend (sums name no one)."""

    team: str
    week: IsoWeek
    language: str
    reader: str | None  # the seller whose copy this is; None: the manager's
    sellers: tuple[SellerReport, ...]  # the reader's own row first in a seller's copy
    totals: Totals
    trend: tuple[TeamTrendPoint, ...]
    as_of: datetime | None = None

    @property
    def colleagues_not_shown(self) -> int:
        return self.totals.sellers - len(self.sellers)


def manager_view(report: TeamReport) -> TeamView:
    """The manager's view: every seller's row."""
    return TeamView(report.team, report.week, report.language, None, report.sellers,
                    report.totals, report.trend, report.as_of)


def seller_view(report: TeamReport, seller: str) -> TeamView:
    """``seller``'s own copy: their row first, colleagues' rows only when the team sees
    each other. A seller who is not in the team has no copy (ValueError)."""
    wanted = seller.casefold()
    own = tuple(r for r in report.sellers if r.seller.casefold() == wanted)
    if not own:
        raise ValueError(f"{seller} is not a seller of team {report.team}")
    others = tuple(r for r in report.sellers if r.seller.casefold() != wanted)
    shown = own + others if report.team_sees_each_other else own
    return TeamView(report.team, report.week, report.language, own[0].seller, shown,
                    report.totals, report.trend, report.as_of)
