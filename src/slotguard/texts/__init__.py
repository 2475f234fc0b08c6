"""The words slotguard shows sellers and managers, in each team's language: message catalogs
(gettext, read with Babel), the language's dates, weekdays and plural rules (CLDR, through
Babel), and the admin's own words from the rules file where it gives them.

``Texts`` is one language's view; ``fill`` and ``fill_html`` put values into a template
without ever formatting them; ``clean`` keeps what slotguard writes free of control
characters and within what Exchange keeps.
"""

from slotguard.texts.clean import TITLE_LIMIT, fit, plain, unsafe_character
from slotguard.texts.fill import TemplateError, fill, fill_html, placeholders
from slotguard.texts.language import CHOICES, DEFAULT_LANGUAGE, LANGUAGES, language_tag
from slotguard.texts.texts import Custom, Texts

__all__ = [
    "CHOICES",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "TITLE_LIMIT",
    "Custom",
    "TemplateError",
    "Texts",
    "fill",
    "fill_html",
    "fit",
    "language_tag",
    "placeholders",
    "plain",
    "unsafe_character",
]
