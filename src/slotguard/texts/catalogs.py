"""The message catalogs: one gettext ``.po`` file per language under ``locale/``, with the
English text as the message id (English needs no catalog of its own).

The ``.po`` files ship as package data and are read with Babel, compiled in memory on first
use. So the same files work from a wheel, an editable install and a fresh clone, with no
build step that compiles ``.mo`` files and no compiled copy in git to drift from its
source. Adding or changing a message: ``pybabel extract`` into ``locale/slotguard.pot``,
``pybabel update`` the catalogs, translate (docs/configuration.md, "Texts"); the tests
fail while a message is missing, untranslated or fuzzy.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from slotguard.texts.language import DEFAULT_LANGUAGE, LANGUAGES

DOMAIN = "slotguard"
TRANSLATED = tuple(language for language in LANGUAGES if language != DEFAULT_LANGUAGE)


def locale_dir() -> Traversable:
    return resources.files("slotguard.texts").joinpath("locale")


def po_file(language: str) -> Traversable:
    return locale_dir().joinpath(language, "LC_MESSAGES", f"{DOMAIN}.po")


def template_file() -> Traversable:
    return locale_dir().joinpath(f"{DOMAIN}.pot")


@cache
def read_catalog(language: str) -> Catalog:
    with po_file(language).open("rb") as file:
        return read_po(file, locale=language, domain=DOMAIN)


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The language's translations; English is the message ids themselves. Fuzzy entries
    are left out (they fall back to English), as gettext's own compiler does."""
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    compiled = io.BytesIO()
    write_mo(compiled, read_catalog(language))
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
