"""The languages slotguard speaks, and the locale a team's language tag stands for.

A tag is a language slotguard has a catalog for, optionally with a region, which changes
only how dates and times look (CLDR's conventions for it): ``en`` ("Tue, Nov 24, 8:00 AM"),
``en-GB`` ("Tue 24 Nov, 08:00"), ``sv``, ``sv-FI``, ``da``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale, UnknownLocaleError

LANGUAGES = ("en", "sv", "da")
DEFAULT_LANGUAGE = "en"
CHOICES = f"{', '.join(LANGUAGES)}, optionally with a region such as en-GB"

_TAG = re.compile(r"^([A-Za-z]{2})(?:[-_]([A-Za-z]{2}))?$")


def language_tag(value: str) -> str | None:
    """The canonical form of a tag ("sv", "en-GB"), or None when slotguard cannot speak it."""
    match = _TAG.match(value.strip())
    if match is None or match[1].lower() not in LANGUAGES:
        return None
    tag = match[1].lower() + (f"-{match[2].upper()}" if match[2] else "")
    try:
        Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError):
        return None  # a region CLDR does not know for the language (da-XX)
    return tag


def catalog_language(tag: str) -> str:
    """The language whose catalog a tag reads: "sv" for "sv-FI"."""
    return tag.partition("-")[0]


@lru_cache(maxsize=32)
def locale_of(tag: str) -> Locale:
    return Locale.parse(tag, sep="-")
