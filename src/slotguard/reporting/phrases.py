"""Figures written out in the team's language: weeks and their dates, shares, the Friday
number and its sums."""

from __future__ import annotations

from babel.dates import format_interval
from babel.numbers import format_percent

from slotguard.domain.adherence import FridayNumber, FridayStatus, FridaySum
from slotguard.domain.model import IsoWeek, Weekday
from slotguard.reporting.words import Words
from slotguard.texts import Texts


def week_number(texts: Texts, week: IsoWeek) -> str:
    """The week as people say it: "week 49" in the sentence's own words; the year only
    where it is needed (the week's dates carry it)."""
    return texts.number(week.week)


def week_dates(texts: Texts, week: IsoWeek) -> str:
    """Monday to Sunday, the language's way: "Nov 30 – Dec 6, 2026", "30 nov.–6 dec. 2026"."""
    monday = week.monday()
    return str(format_interval(monday, week.day(Weekday.SUNDAY), "yMMMd", locale=texts.locale))


def week_heading(texts: Texts, week: IsoWeek) -> str:
    return texts.gettext("Week {week}: {dates}", week=week_number(texts, week),
                         dates=week_dates(texts, week))


def week_short(texts: Texts, week: IsoWeek) -> str:
    """A trend row's label: "Wk 49", "v. 49", "uge 49"."""
    return texts.gettext("Wk {week}", week=week_number(texts, week))


def share(texts: Texts, part: int, whole: int) -> str | None:
    """``part`` of ``whole`` as a percentage ("83 %", "83%"), None when ``whole`` is 0."""
    return None if whole == 0 else percent(texts, part / whole)


def percent(texts: Texts, ratio: float) -> str:
    return str(format_percent(ratio, locale=texts.locale))


def kept_of_planned(texts: Texts, kept: int, planned: int) -> str:
    return texts.gettext("{kept} of {planned}", kept=texts.number(kept),
                         planned=texts.number(planned))


def friday_number(texts: Texts, said: Words, number: FridayNumber) -> str:
    if number.status is FridayStatus.ANSWERED and number.count is not None:
        return texts.number(number.count)
    return said.unreadable if number.status is FridayStatus.UNREADABLE else said.no_answer


def friday_sum_details(texts: Texts, friday: FridaySum) -> str | None:
    """What the sum leaves out, written out: "1 unreadable, 2 with no answer"; None when
    every seller answered with a number."""
    parts = []
    if friday.unreadable:
        parts.append(texts.ngettext("{count} unreadable", "{count} unreadable",
                                    friday.unreadable))
    if friday.no_answer:
        parts.append(texts.ngettext("{count} with no answer", "{count} with no answer",
                                    friday.no_answer))
    return texts.join(parts) if parts else None

