"""The report's words in the team's language: column names, states, headings.

Every word comes whole from the catalogs (``slotguard.texts``), so the templates hold
structure only and a translator sees each text once, with its placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass

from slotguard.texts import Texts


@dataclass(frozen=True, slots=True)
class Words:
    seller: str
    blocks: str  # the blocks table's title
    planned: str
    kept: str
    taken_by_customer: str
    taken_by_internal: str
    debt_outstanding: str
    friday: str
    compensations: str  # the make-up table's title
    compensation_group: str
    booked: str
    compensation_kept: str
    replaced: str
    lost_to_meetings: str
    declined: str
    follow_up_group: str
    tasks_open: str
    tasks_completed: str
    team_total: str
    organisation_total: str
    no_answer: str
    unreadable: str
    you: str
    no_figures: str


def words(texts: Texts) -> Words:
    return Words(
        seller=texts.pgettext("report column", "Seller"),
        blocks=texts.gettext("Prospecting blocks"),
        planned=texts.pgettext("report column", "Planned"),
        kept=texts.pgettext("report column", "Kept"),
        taken_by_customer=texts.pgettext("report column", "Taken by customer meetings"),
        taken_by_internal=texts.pgettext("report column", "Taken by internal meetings"),
        debt_outstanding=texts.pgettext("report column", "Debt outstanding"),
        friday=texts.pgettext("report column", "Friday number"),
        compensations=texts.gettext("Make-up blocks and follow-up tasks"),
        compensation_group=texts.pgettext("report column group", "Make-up blocks"),
        booked=texts.pgettext("report column", "Booked"),
        compensation_kept=texts.pgettext("report column, make-up blocks", "Kept"),
        replaced=texts.pgettext("report column", "Re-placed"),
        lost_to_meetings=texts.pgettext("report column", "Lost to meetings"),
        declined=texts.pgettext("report column", "Declined"),
        follow_up_group=texts.pgettext("report column group", "Follow-up tasks"),
        tasks_open=texts.pgettext("report column", "Tasks open"),
        tasks_completed=texts.pgettext("report column", "Tasks completed"),
        team_total=texts.gettext("Whole team"),
        organisation_total=texts.gettext("Whole organisation"),
        no_answer=texts.pgettext("Friday number", "no answer"),
        unreadable=texts.pgettext("Friday number", "unreadable"),
        you=texts.gettext("(you)"),
        no_figures=texts.gettext("no figures"),
    )
