"""The report's renderer tests: a small Swedish team made by hand (its numbers are the
tests' expectations), and headless Chromium found the way scripts/test.py finds it."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from slotguard.domain.adherence import (
    BlockFigures,
    CompensationFigures,
    FollowUpFigures,
    FridayNumber,
    SellerWeek,
    WeekFigures,
)
from slotguard.domain.model import IsoWeek
from slotguard.domain.weekly_report import OrganisationReport, TeamReport, seller_report

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import chromium  # scripts/chromium.py, which scripts/test.py uses too

WEEK = IsoWeek(2026, 49)
AS_OF = datetime(2026, 12, 4, 15, 0, tzinfo=ZoneInfo("Europe/Stockholm"))  # Friday 15:00
ANNA = "anna.berg@contoso.com"
ERIK = "erik.lund@contoso.com"
MAJA = "maja.holm@contoso.com"


def figures(planned: int, kept: int, customer: int, internal: int, made_up: tuple[int, ...],
            debt: int, tasks: tuple[int, int]) -> WeekFigures:
    return WeekFigures(BlockFigures(planned, kept, customer, internal),
                       CompensationFigures(*made_up), debt, FollowUpFigures(*tasks))


def team(sees_each_other: bool = False, language: str = "sv",
         name: str = "Nordics") -> TeamReport:
    """Anna answered 7, Erik wrote "seven" (unreadable), Maja did not answer; Maja's first
    week was two weeks ago."""
    anna = [SellerWeek(ANNA, WEEK, figures(4, 3, 1, 0, (3, 1, 1, 1, 1), 2, (1, 3)),
                       FridayNumber.answered(7)),
            SellerWeek(ANNA, WEEK.shift(-1), figures(4, 4, 0, 0, (0, 0, 0, 0, 0), 1, (0, 2)),
                       FridayNumber.answered(4))]
    erik = [SellerWeek(ERIK, WEEK, figures(4, 2, 1, 1, (3, 2, 0, 1, 0), 5, (2, 1)),
                       FridayNumber.unreadable())]
    maja = [SellerWeek(MAJA, WEEK, figures(2, 2, 0, 0, (0, 0, 0, 0, 0), 0, (0, 1)),
                       FridayNumber.no_answer()),
            SellerWeek(MAJA, WEEK.shift(-2), figures(2, 1, 1, 0, (0, 0, 0, 0, 0), 2, (1, 0)),
                       FridayNumber.answered(2))]
    sellers = tuple(seller_report(upn, WEEK, rows)
                    for upn, rows in ((ANNA, anna), (ERIK, erik), (MAJA, maja)))
    return TeamReport(name, WEEK, language, sellers, sees_each_other, AS_OF)


def organisation() -> OrganisationReport:
    return OrganisationReport(WEEK, (team(), team(True, "da", "Danmark")))


@pytest.fixture(scope="session")
def chromium_binary() -> str:
    """Chromium's path. scripts/test.py installs it where it can; under CI a missing one is
    a failure, elsewhere the check skips and says why."""
    found = chromium.find()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("headless Chromium is missing; scripts/test.py installs it as root "
                        "on Debian (apt-get install chromium)")
        pytest.skip("headless Chromium is not installed (python3 dev.py test installs it as "
                    "root on Debian)")
    return found
