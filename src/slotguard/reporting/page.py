"""One reader's view of a team's week, laid out in the team's language: the texts, tables
and charts that the HTML mail and its plain-text body both show.

The manager's copy has every seller's row, the team's trend and a strip per seller; a
seller's copy has their own row, the team's sums and their own trend, and colleagues' rows
and strips only when the team sees each other. What is not shown is said ("2 colleagues'
rows are not shown"), so nobody mistakes the team's sum for their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from slotguard.domain.weekly_report import TeamView
from slotguard.reporting import chart, phrases
from slotguard.reporting.chart import Chart, Strip
from slotguard.reporting.grids import Grid, block_grid, compensation_grid, view_lines
from slotguard.reporting.words import Words, words
from slotguard.texts import Texts


@dataclass(frozen=True, slots=True)
class Section:
    language: str  # the team's language tag, for the page's lang attribute
    subject: str
    title: str
    heading: str  # the week and its dates
    as_of: str | None  # "Figures as of Fri, Dec 4, 3:00 PM."
    intro: str
    grids: tuple[Grid, ...]
    chart: Chart
    strip_title: str
    strips: tuple[Strip, ...]  # empty in a seller's own copy
    legend: str
    notes: tuple[str, ...]
    glossary: tuple[tuple[str, str], ...]  # (a column's name, what it counts)
    footer: str


def section(view: TeamView) -> Section:
    texts = Texts(view.language)
    said = words(texts)
    lines = view_lines(texts, said, view)
    week = phrases.week_number(texts, view.week)
    shared = view.reader is None or (view.colleagues_not_shown == 0 and len(view.sellers) > 1)
    if view.reader is None:
        subject = texts.gettext("Prospecting report for {team}, week {week}", team=view.team,
                                week=week)
        title = texts.gettext("Prospecting report for {team}", team=view.team)
        intro = texts.gettext("How {team} kept its prospecting time this week.",
                              team=view.team)
        trend = chart.team_chart(texts, said, view.trend)
    else:
        subject = texts.gettext("Your prospecting report, week {week}", week=week)
        title = texts.gettext("Your prospecting report")
        intro = (texts.gettext("Your team shares its figures: everyone's rows and the team's "
                               "sums, the same figures your manager sees.") if shared else
                 texts.gettext("Your own figures and your team's sums: the same figures your "
                               "manager sees of you."))
        trend = chart.seller_chart(texts, said, view.sellers[0])
    return Section(
        language=view.language, subject=subject, title=title,
        heading=phrases.week_heading(texts, view.week), intro=intro,
        as_of=texts.gettext("Figures as of {moment}.", moment=texts.moment(view.as_of))
        if view.as_of else None,
        grids=(block_grid(texts, said, lines), compensation_grid(texts, said, lines)),
        chart=trend, strip_title=chart.strip_title(texts),
        strips=chart.strips(texts, view.sellers) if shared else (),
        legend=chart.legend(texts), notes=_notes(texts, view),
        glossary=glossary(texts, said), footer=footer(texts))


def _notes(texts: Texts, view: TeamView) -> tuple[str, ...]:
    hidden = view.colleagues_not_shown
    if view.reader is None or hidden == 0:
        return ()
    return (texts.ngettext("{count} colleague's row is not shown: your team shares only its "
                           "sums.",
                           "{count} colleagues' rows are not shown: your team shares only its "
                           "sums.", hidden),)


def glossary(texts: Texts, said: Words) -> tuple[tuple[str, str], ...]:
    return (
        (said.kept, texts.gettext("The block's time passed with the block in the calendar and "
                                  "no meeting over it.")),
        (said.taken_by_customer, texts.gettext(
            "A meeting with someone outside the company overlapped the block by the team's "
            "rule; the block is made up the following week.")),
        (said.taken_by_internal, texts.gettext(
            "A meeting with colleagues only overlapped the block; it is made up only where the "
            "team's policy says so.")),
        (said.debt_outstanding, texts.gettext(
            "Make-up blocks still owed at the end of the week. Only a kept make-up block pays "
            "one off.")),
        (said.replaced, texts.gettext(
            "Make-up blocks a meeting took that were booked once more in the same week.")),
        (said.declined, texts.gettext(
            "Make-up blocks the seller deleted from the calendar; they are not booked again.")),
        (said.friday, texts.gettext(
            "The answer to the week's question, how many new sales opportunities did I create "
            "this week? A whole number in the task's title or note; anything else is shown as "
            "unreadable.")),
    )


def footer(texts: Texts) -> str:
    return texts.gettext("From slotguard. The figures come from the calendars and tasks; no "
                         "meeting's subject or attendees are in this report.")
