"""The 8-week trend as a chart made of table cells, which Outlook shows as it shows any
table (it draws no SVG, runs no script and often blocks images): a bar per week whose
coloured cell is as wide as the share of blocks kept, and, for the manager, a strip per
seller of one coloured cell per week. Every bar and cell carries its figures as text too,
so the chart reads the same without its colours (screen readers, a colour-blind reader,
a client that drops backgrounds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from slotguard.domain.adherence import FridayNumber, FridaySum, SellerWeek
from slotguard.domain.model import IsoWeek
from slotguard.domain.weekly_report import TREND_WEEKS, SellerReport, TeamTrendPoint
from slotguard.reporting import phrases
from slotguard.reporting.words import Words
from slotguard.texts import Texts

BAR_PIXELS = 200  # a bar at 100 %; the chart stays inside a 600-pixel reading pane
KEPT_COLOUR = "#2e7d32"
REST_COLOUR = "#e0e0e0"
# A strip cell's background by share of blocks kept: the colours only repeat its text.
GOOD, FAIR = 0.8, 0.5
GOOD_COLOUR, FAIR_COLOUR, POOR_COLOUR, NONE_COLOUR = "#c8e6c9", "#fff3c4", "#ffcdd2", "#f0f0f0"


@dataclass(frozen=True, slots=True)
class Bar:
    week: str  # "Wk 49"
    kept_pixels: int  # the coloured part; the rest of BAR_PIXELS is grey
    value: str  # "5 of 6 (83 %)", or "no blocks"
    debt: str
    friday: str  # the number, or the team's sum
    friday_detail: str | None = None  # what the team's sum leaves out: "1 unreadable"

    @property
    def friday_said(self) -> str:
        return f"{self.friday} ({self.friday_detail})" if self.friday_detail else self.friday


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    headers: tuple[str, str, str, str]  # week, blocks kept, debt, Friday number
    bars: tuple[Bar, ...]
    sentences: tuple[str, ...]  # one per bar: the chart's text alternative

    @property
    def words(self) -> str:
        return " ".join([f"{self.title}.", *self.sentences])

    @property
    def rest_pixels(self) -> tuple[int, ...]:
        return tuple(BAR_PIXELS - bar.kept_pixels for bar in self.bars)


@dataclass(frozen=True, slots=True)
class StripCell:
    text: str  # "5/6", or "–"
    colour: str
    words: str  # "Wk 49: 5 of 6 kept"


@dataclass(frozen=True, slots=True)
class Strip:
    seller: str
    cells: tuple[StripCell, ...]


def team_chart(texts: Texts, said: Words, trend: Sequence[TeamTrendPoint]) -> Chart:
    """The team's blocks kept, debt and Friday numbers summed, week by week."""
    bars = tuple(_bar(texts, said, point.week, point.totals.figures.blocks.kept,
                      point.totals.figures.blocks.planned,
                      point.totals.figures.debt_outstanding, point.totals.friday,
                      recorded=point.totals.sellers > 0)
                 for point in trend)
    title = texts.ngettext("Blocks kept, last {count} week", "Blocks kept, last {count} weeks",
                           len(bars))
    return _chart(texts, said, title, bars)


def seller_chart(texts: Texts, said: Words, report: SellerReport) -> Chart:
    """One seller's own weeks (a seller's copy)."""
    bars = []
    for point in report.trend:
        row = point.row
        if row is None:
            bars.append(_bar(texts, said, point.week, 0, 0, 0, None, recorded=False))
            continue
        blocks = row.figures.blocks
        bars.append(_bar(texts, said, point.week, blocks.kept, blocks.planned,
                         row.figures.debt_outstanding, row.friday, recorded=True))
    title = texts.ngettext("Your blocks kept, last {count} week",
                           "Your blocks kept, last {count} weeks", len(bars))
    return _chart(texts, said, title, tuple(bars))


def strips(texts: Texts, reports: Sequence[SellerReport]) -> tuple[Strip, ...]:
    return tuple(Strip(report.seller, tuple(_strip_cell(texts, point.week, point.row)
                                            for point in report.trend))
                 for report in reports)


def strip_title(texts: Texts) -> str:
    return texts.ngettext("Each seller's blocks kept, last {count} week",
                          "Each seller's blocks kept, last {count} weeks", TREND_WEEKS)


def legend(texts: Texts) -> str:
    return texts.gettext(
        "Green: {good} or more of the planned blocks kept. Yellow: {fair} or more. Red: less. "
        "Grey: no blocks planned.", good=phrases.percent(texts, GOOD),
        fair=phrases.percent(texts, FAIR))


def _chart(texts: Texts, said: Words, title: str, bars: tuple[Bar, ...]) -> Chart:
    headers = (texts.pgettext("report column", "Week"), said.kept, said.debt_outstanding,
               said.friday)
    sentences = tuple(
        texts.gettext("{week}: {kept}, debt outstanding {debt}, Friday number {friday}.",
                      week=bar.week, kept=bar.value, debt=bar.debt, friday=bar.friday_said)
        for bar in bars)
    return Chart(title, headers, bars, sentences)


def _bar(texts: Texts, said: Words, week: IsoWeek, kept: int, planned: int, debt: int,
         friday: FridayNumber | FridaySum | None, *, recorded: bool) -> Bar:
    label = phrases.week_short(texts, week)
    if not recorded:
        return Bar(label, 0, said.no_figures, "\u2013", "\u2013")
    share = phrases.share(texts, kept, planned)
    value = (texts.gettext("{kept_of_planned} ({share})",
                           kept_of_planned=phrases.kept_of_planned(texts, kept, planned),
                           share=share) if share is not None
             else texts.gettext("no blocks planned"))
    pixels = round(BAR_PIXELS * kept / planned) if planned else 0
    if isinstance(friday, FridaySum):
        return Bar(label, pixels, value, texts.number(debt), texts.number(friday.total),
                   phrases.friday_sum_details(texts, friday))
    said_friday = phrases.friday_number(texts, said, friday) if friday else "\u2013"
    return Bar(label, pixels, value, texts.number(debt), said_friday)


def _strip_cell(texts: Texts, week: IsoWeek, row: SellerWeek | None) -> StripCell:
    label = phrases.week_short(texts, week)
    if row is None:
        words = texts.gettext("{week}: no figures", week=label)
        return StripCell("\u2013", NONE_COLOUR, words)
    kept, planned = row.figures.blocks.kept, row.figures.blocks.planned
    text = f"{texts.number(kept)}/{texts.number(planned)}"
    words = texts.gettext("{week}: {kept_of_planned} kept", week=label,
                          kept_of_planned=phrases.kept_of_planned(texts, kept, planned))
    if planned == 0:
        return StripCell(text, NONE_COLOUR, words)
    ratio = kept / planned
    colour = GOOD_COLOUR if ratio >= GOOD else FAIR_COLOUR if ratio >= FAIR else POOR_COLOUR
    return StripCell(text, colour, words)
