"""Texts in one language: filling without formatting, HTML escaping, the language's weekdays,
dates, times and lists, and which languages are spoken."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from markupsafe import Markup

from slotguard.texts import Custom, TemplateError, Texts, fill, fill_html, language_tag

STOCKHOLM = ZoneInfo("Europe/Stockholm")
START = datetime(2026, 11, 24, 8, 0, tzinfo=STOCKHOLM)  # a Tuesday
END = datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)


def test_values_are_filled_in_never_formatted() -> None:
    assert fill("{a} and {b}", {"a": "{b}", "b": 3}) == "{b} and 3"
    with pytest.raises(TemplateError, match="format options"):
        fill("{a:>99999999}", {"a": "x"})
    with pytest.raises(TemplateError, match="format options"):
        fill("{a!r}", {"a": "x"})
    with pytest.raises(TemplateError, match=r"unknown placeholder \{a\.__class__\}"):
        fill("{a.__class__}", {"a": "x"})
    with pytest.raises(TemplateError, match="not a valid template"):
        fill("{a", {"a": "x"})


def test_html_escapes_the_text_and_the_values_but_not_markup() -> None:
    html = fill_html("<{name}> & {bold}", {"name": "<script>", "bold": Markup("<b>7</b>")})
    assert html == "&lt;&lt;script&gt;&gt; &amp; <b>7</b>"
    assert isinstance(html, Markup)
    texts = Texts("sv")
    assert texts.html("a private appointment at {time}", time="<08:00>") == (
        "ett privat möte kl. &lt;08:00&gt;")
    assert texts.nhtml("slotguard: {seller} lost {count} prospecting block",
                       "slotguard: {seller} lost {count} prospecting blocks", 3,
                       seller="a&b") == "slotguard: a&amp;b har förlorat 3 prospekteringsblock"


@pytest.mark.parametrize(("language", "weekday", "day", "span", "listed"), [
    ("en", "Tuesday", "Tue, Nov 24", "Tue, Nov 24, 8:00\u2009\u2013\u200910:00\u202fAM",
     "Tuesday and Thursday"),
    ("en-GB", "Tuesday", "Tue 24 Nov", "Tue 24 Nov, 08:00\u201310:00", "Tuesday and Thursday"),
    ("sv", "tisdag", "tis 24 nov.", "tis 24 nov. 08:00\u201310:00", "tisdag och torsdag"),
    ("da", "tirsdag", "tirs. 24. nov.", "tirs. 24. nov. 08.00\u201310.00", "tirsdag og torsdag"),
])
def test_weekdays_dates_and_times_in_the_language(language: str, weekday: str, day: str,
                                                  span: str, listed: str) -> None:
    texts = Texts(language)
    assert texts.weekday(2) == weekday
    assert texts.day(START.date()) == day
    assert texts.span(START, END) == span
    assert texts.join([texts.weekday(2), texts.weekday(4)]) == listed


def test_times_are_the_wall_clock_time_they_carry() -> None:
    # 08:00 in Stockholm is 07:00 UTC: formatting never moves it to another zone.
    assert Texts("sv").clock(START) == "08:00"
    assert Texts("sv").clock(START.astimezone(ZoneInfo("UTC"))) == "07:00"
    assert Texts("da").clock(time(9, 30)) == "09.30"
    assert Texts("sv").date(date(2026, 11, 29)) == "29 nov. 2026"


def test_across_midnight_both_ends_are_named() -> None:
    late = datetime(2026, 11, 24, 23, 0, tzinfo=STOCKHOLM)
    assert Texts("sv").span(late, late.replace(day=25, hour=1)) == (
        "tis 24 nov. 23:00 \u2013 ons 25 nov. 01:00")


@pytest.mark.parametrize(("given", "tag"), [
    ("sv", "sv"), ("SV", "sv"), (" da ", "da"), ("en_gb", "en-GB"), ("sv-FI", "sv-FI"),
    ("no", None), ("de", None), ("da-XX", None), ("english", None), ("", None),
])
def test_language_tags(given: str, tag: str | None) -> None:
    assert language_tag(given) == tag


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="must be one of en, sv, da"):
        Texts("no")


def test_the_admins_words_are_kept_apart_from_the_catalog() -> None:
    custom = Custom(list_name="Uppföljning", habits=(("friday", "Fredagssiffran?"),))
    texts = Texts("sv", custom)
    assert texts.custom.habit("friday") == "Fredagssiffran?"
    assert texts.custom.habit("other") is None
    assert texts.gettext("Meeting in Outlook") == "Mötet i Outlook"
