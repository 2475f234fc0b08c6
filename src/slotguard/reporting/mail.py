"""The report as mail: subject, an HTML body that Outlook renders, and its plain-text
alternative — and the same HTML as a page of every team for the admin.

The HTML comes from Jinja2 templates (``templates/``) with autoescaping on: every figure,
address and translated word is escaped, and the templates hold only structure. Nothing
personal from the calendars is in it: no meeting's subject, time or attendees.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from slotguard.domain.weekly_report import OrganisationReport, TeamView, manager_view
from slotguard.reporting import chart
from slotguard.reporting.grids import Grid, block_grid, compensation_grid, organisation_lines
from slotguard.reporting.page import Section, footer, section
from slotguard.reporting.plain import plain_text
from slotguard.reporting.words import words
from slotguard.texts import Texts

WIDTH = 600  # pixels: fits Outlook's reading pane beside the message list


@dataclass(frozen=True, slots=True)
class Mail:
    subject: str
    html: str
    text: str  # the plain-text alternative body


@dataclass(frozen=True, slots=True)
class OrganisationSection:
    title: str
    grids: tuple[Grid, ...]


def render_mail(view: TeamView) -> Mail:
    """The mail for one reader: the manager's copy or a seller's own."""
    part = section(view)
    return Mail(part.subject, _page(part.language, part.title, (part,), None, part.footer),
                plain_text((part,)))


def render_html(report: OrganisationReport, texts: Texts) -> str:
    """Every team's manager view, each in its team's language, then the organisation's
    sums in ``texts``'s language: ``slotguard report --format html``."""
    parts = tuple(section(manager_view(team)) for team in report.teams)
    said = words(texts)
    lines = organisation_lines(texts, said, report)
    team_column = texts.pgettext("report column", "Team")
    organisation = OrganisationSection(
        texts.gettext("The whole organisation, week {week}", week=texts.number(report.week.week)),
        (block_grid(texts, said, lines, team_column),
         compensation_grid(texts, said, lines, team_column)))
    return _page(texts.language, organisation.title, parts, organisation, footer(texts))


def _page(language: str, title: str, sections: tuple[Section, ...],
          organisation: OrganisationSection | None, closing: str) -> str:
    return _environment().get_template("report.html").render(
        language=language, title=title, sections=sections, organisation=organisation,
        footer=closing, width=WIDTH, bar_pixels=chart.BAR_PIXELS,
        kept_colour=chart.KEPT_COLOUR, rest_colour=chart.REST_COLOUR)


def address(text: str) -> Markup:
    """An address that may break before its "@" in a narrow column, escaped."""
    local, at, domain = text.partition("@")
    return escape(local) + (Markup("<wbr>@") + escape(domain) if at else Markup(""))


@cache
def _environment() -> Environment:
    environment = Environment(loader=PackageLoader("slotguard.reporting", "templates"),
                              autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True)
    environment.filters["address"] = address
    return environment
