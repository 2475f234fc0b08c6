"""The report as rich tables for a terminal. Show them with
``slotguard.entrypoints.cli.output.show``: a table that does not fit the terminal, or any
table written to a pipe, comes out as plain, complete lines — addresses and figures are
never cut."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slotguard.domain.weekly_report import OrganisationReport, TeamReport, manager_view
from slotguard.reporting import chart, phrases
from slotguard.reporting.grids import (
    Grid,
    Kind,
    block_grid,
    compensation_grid,
    organisation_lines,
    view_lines,
)
from slotguard.reporting.words import Words, words
from slotguard.texts import Texts

if TYPE_CHECKING:
    from rich.table import Table


def render_tables(report: OrganisationReport, texts: Texts) -> list[Table]:
    """Per team its two tables and its trend, then the organisation's sums; every word in
    ``texts``'s language (the admin's, which may not be each team's)."""
    said = words(texts)
    tables: list[Table] = []
    for team in report.teams:
        tables += team_tables(team, texts, said)
    lines = organisation_lines(texts, said, report)
    team_column = texts.pgettext("report column", "Team")
    title = texts.gettext("The whole organisation, week {week}",
                          week=texts.number(report.week.week))
    for grid in (block_grid(texts, said, lines, team_column),
                 compensation_grid(texts, said, lines, team_column)):
        tables.append(grid_table(grid, f"{title} \u2014 {grid.title}"))
    return tables


def team_tables(team: TeamReport, texts: Texts, said: Words) -> list[Table]:
    view = manager_view(team)
    lines = view_lines(texts, said, view)
    heading = f"{team.team}, {phrases.week_heading(texts, team.week)}"
    tables = [grid_table(grid, f"{heading} \u2014 {grid.title}")
              for grid in (block_grid(texts, said, lines),
                           compensation_grid(texts, said, lines))]
    tables.append(trend_table(texts, said, team, f"{team.team}: "))
    return tables


def grid_table(grid: Grid, title: str) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for n, column in enumerate(grid.columns):
        table.add_column(column.label, justify="left" if n == 0 else "right", no_wrap=n == 0)
    for row in grid.rows:
        style = "bold" if row.kind is Kind.TOTAL else None
        table.add_row(*(f"{cell.text} ({cell.detail})" if cell.detail else cell.text
                        for cell in row.cells), style=style, end_section=False)
    return table


def trend_table(texts: Texts, said: Words, team: TeamReport, prefix: str) -> Table:
    from rich.table import Table

    trend = chart.team_chart(texts, said, team.trend)
    table = Table(title=prefix + trend.title, title_justify="left")
    for n, header in enumerate(trend.headers):
        table.add_column(header, justify="left" if n < 2 else "right")
    for bar in trend.bars:
        table.add_row(bar.week, bar.value, bar.debt, bar.friday)
    return table
