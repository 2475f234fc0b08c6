"""``Texts``: slotguard's messages in one team's language, with that language's weekdays,
dates, times, lists and numbers, and the admin's own words where the rules file gives them.

Every text comes whole from the catalog with its real numbers filled in; plural forms come
from the language's plural rule (``ngettext``), never from pieces put together here. Times
are formatted as the wall-clock time they carry: callers convert to the seller's zone
first, as they always have.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal

from babel.dates import format_date, format_interval, format_skeleton, format_time, get_day_names
from babel.lists import format_list
from babel.numbers import format_decimal
from markupsafe import Markup

from slotguard.texts.catalogs import translations
from slotguard.texts.fill import fill, fill_html
from slotguard.texts.language import (
    CHOICES,
    DEFAULT_LANGUAGE,
    catalog_language,
    language_tag,
    locale_of,
)


@dataclass(frozen=True, slots=True)
class Custom:
    """The admin's own words for one language (rules file); None: the catalog's."""

    list_name: str | None = None
    follow_up_title: str | None = None  # a template: {meeting}, {date}, {block}
    habits: tuple[tuple[str, str], ...] = ()  # (habit id, title)

    def habit(self, habit_id: str) -> str | None:
        return next((title for hid, title in self.habits if hid == habit_id), None)


class Texts:
    """One language's texts. Build one per language and reuse it: the catalog is read once."""

    __slots__ = ("_hours", "_translations", "custom", "language", "locale")

    def __init__(self, language: str = DEFAULT_LANGUAGE, custom: Custom | None = None) -> None:
        tag = language_tag(language)
        if tag is None:
            raise ValueError(f"language {language!r}: must be one of {CHOICES}")
        self.language = tag
        self.locale = locale_of(tag)
        self.custom = custom or Custom()
        self._translations = translations(catalog_language(tag))
        # The language's own clock: "h" (8:00 AM) or "H" (08:00), for times and spans alike.
        self._hours = "hm" if "h" in str(self.locale.time_formats["short"].pattern) else "Hm"

    def __repr__(self) -> str:
        return f"Texts({self.language!r})"

    # -- messages -------------------------------------------------------------------------

    def gettext(self, message: str, /, **values: object) -> str:
        return fill(self._translations.gettext(message), values)

    def pgettext(self, context: str, message: str, /, **values: object) -> str:
        """A message whose English is ambiguous, told apart by ``context``."""
        return fill(self._translations.pgettext(context, message), values)

    def ngettext(self, singular: str, plural: str, count: int, /, **values: object) -> str:
        """The language's plural form for ``count``; ``{count}`` is the number itself."""
        text = self._translations.ngettext(singular, plural, count)
        return fill(text, {"count": self.number(count), **values})

    def html(self, message: str, /, **values: object) -> Markup:
        """``gettext`` for an HTML body: text and values escaped, ``Markup`` values kept."""
        return fill_html(self._translations.gettext(message), values)

    def nhtml(self, singular: str, plural: str, count: int, /, **values: object) -> Markup:
        text = self._translations.ngettext(singular, plural, count)
        return fill_html(text, {"count": self.number(count), **values})

    def fill(self, template: str, /, **values: object) -> str:
        """An admin's template from the rules file (validated there), filled the same way."""
        return fill(template, values)

    # -- the language's formats -----------------------------------------------------------

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.locale)

    def weekday(self, isoweekday: int,
                width: Literal["abbreviated", "narrow", "short", "wide"] = "wide") -> str:
        """"Tuesday" / "tisdag" / "tirsdag" for 2; ``width="abbreviated"``: "Tue"."""
        return str(get_day_names(width, "format", self.locale)[isoweekday - 1])

    def day(self, when: date) -> str:
        """Weekday and date without the year: "Tue, Nov 24", "tis 24 nov.", "tirs. 24. nov."."""
        return format_skeleton("MMMEd", when, locale=self.locale)

    def date(self, when: date) -> str:
        """A date with its year: "Nov 24, 2026", "24 nov. 2026"."""
        return format_date(when, "medium", locale=self.locale)

    def clock(self, at: time | datetime) -> str:
        """A time of day: "8:00 AM", "08:00", "08.00"."""
        return format_time(at, "short", locale=self.locale)

    def weekday_clock(self, at: datetime) -> str:
        """"Tue 8:00 AM", "tis 08:00", "tirs. 08.00"."""
        return format_skeleton("E" + self._hours, at, locale=self.locale)

    def moment(self, at: datetime) -> str:
        """A date and a time: "Tue, Nov 24, 8:30 AM", "tis 24 nov. 08:30"."""
        return self._at(self.day(at), self.clock(at))

    def clock_span(self, start: time | datetime, end: time | datetime) -> str:
        """"8:00 – 10:00 AM", "08:00–10:00", "08.00–10.00"."""
        first = start.time() if isinstance(start, datetime) else start
        last = end.time() if isinstance(end, datetime) else end
        return format_interval(first, last, self._hours, locale=self.locale)

    def span(self, start: datetime, end: datetime) -> str:
        """A stretch of one day with its date, the language's way: "Tue, Nov 24, 8:00 – 10:00
        AM", "tis 24 nov. 08:00–10:00"; across days, both ends in full."""
        if start.date() == end.date():
            return self._at(self.day(start), self.clock_span(start, end))
        return f"{self.moment(start)} \u2013 {self.moment(end)}"

    def join(self, items: Sequence[str]) -> str:
        """"A, B, and C", "A, B och C", "A, B og C"."""
        return format_list(list(items), locale=self.locale)

    def _at(self, day: str, clock: str) -> str:
        # CLDR's pattern for a date with a time; its quotes mark literal text, as Babel does.
        glue = str(self.locale.datetime_formats["medium"]).replace("'", "")
        return glue.replace("{1}", day).replace("{0}", clock)
