"""The report's tables as cells of text in the team's language, for every renderer alike:
the blocks table (blocks, debt, the Friday number) and the make-up table (make-up blocks,
follow-up tasks). A line is a seller's row or a sum (the team's, a team's in the
organisation's table, the organisation's)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from slotguard.domain.adherence import FridayNumber, FridaySum, WeekFigures
from slotguard.domain.weekly_report import OrganisationReport, TeamView, Totals
from slotguard.reporting import phrases
from slotguard.reporting.words import Words
from slotguard.texts import Texts


class Kind(StrEnum):
    SELLER = "seller"
    READER = "reader"  # the seller whose copy this is, among colleagues
    TOTAL = "total"


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    detail: str | None = None  # a second, smaller line
    figure: bool = True  # a number: right-aligned
    address: bool = False  # a seller's address: may break before the "@"


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    group: str | None = None  # the heading over several columns


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]
    kind: Kind = Kind.SELLER


@dataclass(frozen=True, slots=True)
class Grid:
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]

    @property
    def groups(self) -> tuple[tuple[str, int], ...]:
        """The headings over the columns as (label, columns spanned), "" over ungrouped
        columns; empty when no column is grouped."""
        if all(column.group is None for column in self.columns):
            return ()
        spans: list[tuple[str, int]] = []
        for column in self.columns:
            label = column.group or ""
            if spans and spans[-1][0] == label and label:
                spans[-1] = (label, spans[-1][1] + 1)
            else:
                spans.append((label, 1))
        return tuple(spans)


@dataclass(frozen=True, slots=True)
class Line:
    """What one row shows: who, their figures and their Friday number (or its sum)."""

    label: Cell
    figures: WeekFigures
    friday: FridayNumber | FridaySum
    kind: Kind = Kind.SELLER


def view_lines(texts: Texts, said: Words, view: TeamView) -> tuple[Line, ...]:
    """A view's rows: each seller shown, then the whole team's sum."""
    lines = []
    for report in view.sellers:
        reader = view.reader is not None and len(view.sellers) > 1 and \
            report.seller == view.reader
        lines.append(Line(Cell(report.seller, said.you if reader else None, figure=False,
                               address=True),
                          report.current.figures, report.current.friday,
                          Kind.READER if reader else Kind.SELLER))
    lines.append(total_line(texts, said.team_total, view.totals))
    return tuple(lines)


def organisation_lines(texts: Texts, said: Words,
                       report: OrganisationReport) -> tuple[Line, ...]:
    """The organisation's rows: each team's sum, then the organisation's."""
    return (*(total_line(texts, team.team, team.totals, Kind.SELLER) for team in report.teams),
            total_line(texts, said.organisation_total, report.totals))


def total_line(texts: Texts, label: str, totals: Totals, kind: Kind = Kind.TOTAL) -> Line:
    sellers = texts.ngettext("{count} seller", "{count} sellers", totals.sellers)
    return Line(Cell(label, sellers, figure=False), totals.figures, totals.friday, kind)


def block_grid(texts: Texts, said: Words, lines: Sequence[Line],
               first: str | None = None) -> Grid:
    columns = (Column(first or said.seller), Column(said.planned), Column(said.kept),
               Column(said.taken_by_customer), Column(said.taken_by_internal),
               Column(said.debt_outstanding), Column(said.friday))
    n = texts.number
    rows = tuple(Row((line.label,
                      Cell(n(line.figures.blocks.planned)),
                      Cell(n(line.figures.blocks.kept),
                           phrases.share(texts, line.figures.blocks.kept,
                                         line.figures.blocks.planned)),
                      Cell(n(line.figures.blocks.taken_by_customer)),
                      Cell(n(line.figures.blocks.taken_by_internal)),
                      Cell(n(line.figures.debt_outstanding)),
                      friday_cell(texts, said, line.friday)), line.kind)
                 for line in lines)
    return Grid(said.blocks, columns, rows)


def compensation_grid(texts: Texts, said: Words, lines: Sequence[Line],
                      first: str | None = None) -> Grid:
    made_up, tasks = said.compensation_group, said.follow_up_group
    columns = (Column(first or said.seller), Column(said.booked, made_up),
               Column(said.compensation_kept, made_up), Column(said.replaced, made_up),
               Column(said.lost_to_meetings, made_up), Column(said.declined, made_up),
               Column(said.tasks_open, tasks), Column(said.tasks_completed, tasks))
    n = texts.number
    rows = []
    for line in lines:
        made = line.figures.compensations
        follow = line.figures.follow_ups
        rows.append(Row((line.label, Cell(n(made.booked)), Cell(n(made.kept)),
                         Cell(n(made.replaced)), Cell(n(made.lost_to_meetings)),
                         Cell(n(made.declined)), Cell(n(follow.open)),
                         Cell(n(follow.completed))), line.kind))
    return Grid(said.compensations, columns, tuple(rows))


def friday_cell(texts: Texts, said: Words, friday: FridayNumber | FridaySum) -> Cell:
    if isinstance(friday, FridayNumber):
        return Cell(phrases.friday_number(texts, said, friday))
    return Cell(texts.number(friday.total), phrases.friday_sum_details(texts, friday))
