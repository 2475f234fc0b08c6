"""A sample organisation's week, for looking at the report without a tenant
(scripts/report_preview.py) and for the renderers' tests: two teams in Swedish and Danish,
one whose sellers see each other; a seller new this month, a long address, a Friday answer
that could not be read and one not given."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

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

WEEK = IsoWeek(2026, 49)
AS_OF = {"sv": datetime(2026, 12, 4, 15, 0, tzinfo=ZoneInfo("Europe/Stockholm")),
         "da": datetime(2026, 12, 4, 15, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))}

# Per seller: blocks planned a week, blocks taken in each of the 8 weeks (oldest first), the
# first week with figures (0: all eight), the report week's Friday answer.
_SELLERS: dict[str, list[tuple[str, int, tuple[int, ...], int, FridayNumber]]] = {
    "Nordic Enterprise": [
        ("anna.berg@contoso.com", 4, (0, 1, 0, 2, 1, 0, 0, 1), 0, FridayNumber.answered(7)),
        ("erik.lund@contoso.com", 4, (1, 0, 2, 1, 1, 0, 1, 2), 0, FridayNumber.unreadable()),
        ("maja.holm@contoso.com", 2, (0, 0, 0, 0, 0, 0, 1, 0), 0, FridayNumber.answered(3)),
        ("anna-karin.lindqvist@nordicsales.contoso.com", 4, (0, 0, 0, 0, 0, 1, 0, 2), 5,
         FridayNumber.no_answer()),
    ],
    "Danmark": [
        ("mette.hansen@contoso.com", 4, (1, 0, 0, 1, 0, 0, 0, 0), 0, FridayNumber.answered(5)),
        ("lars.nielsen@contoso.com", 4, (1, 2, 1, 1, 0, 1, 1, 1), 0, FridayNumber.answered(0)),
        ("sofie.jensen@contoso.com", 2, (0, 1, 0, 0, 0, 0, 0, 1), 0, FridayNumber.answered(4)),
    ],
}
_LANGUAGE = {"Nordic Enterprise": "sv", "Danmark": "da"}
_SEE_EACH_OTHER = {"Nordic Enterprise": False, "Danmark": True}
COMPENSATION_COUNT = 2


def _weeks(seller: str, planned: int, taken: tuple[int, ...], first: int,
           friday: FridayNumber) -> list[SellerWeek]:
    rows, debt = [], 0
    weeks = trend_weeks(WEEK)
    for n, week in enumerate(weeks):
        if n < first:
            continue
        owed_before = debt
        customer = taken[n]
        internal = 1 if n % 3 == 2 and planned - customer > 1 else 0
        booked = min(owed_before, 4)
        lost = 1 if booked >= 2 and n % 2 == 1 else 0
        declined = 1 if booked >= 3 else 0
        replaced = lost if booked < 4 else 0
        kept = booked - lost - declined + replaced
        debt = owed_before - kept + COMPENSATION_COUNT * customer
        figures = WeekFigures(
            BlockFigures(planned, planned - customer - internal, customer, internal),
            CompensationFigures(booked + replaced, kept, lost, declined, replaced),
            debt,
            FollowUpFigures(open=customer % 2 + (1 if n == len(weeks) - 1 else 0),
                            completed=customer + 1))
        answer = friday if week == WEEK else FridayNumber.answered(2 + (len(seller) + n) % 5)
        rows.append(SellerWeek(seller, week, figures, answer))
    return rows


def sample_report() -> OrganisationReport:
    teams = []
    for team, sellers in _SELLERS.items():
        reports = tuple(seller_report(upn, WEEK, _weeks(upn, planned, taken, first, friday))
                        for upn, planned, taken, first, friday in sellers)
        language = _LANGUAGE[team]
        teams.append(TeamReport(team, WEEK, language, reports, _SEE_EACH_OTHER[team],
                                AS_OF[language]))
    return OrganisationReport(WEEK, tuple(teams))
