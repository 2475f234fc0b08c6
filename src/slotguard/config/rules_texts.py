"""Languages and the admin's own words in the rules file.

A team speaks ``language`` (the organization's when the team names none, "en" when neither
does). A text an admin may write — the task list's name, the follow-up title, a habit — is
either one text for every team, or a table by language (``{ en = "...", sv = "..." }``);
a team whose language the table lacks gets the catalog's text (a habit has none: check-config
asks for it). A table key with a region (``"en-GB"``) is used before the bare language.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any

from pydantic import BeforeValidator, Discriminator, Field, Tag

from slotguard.config._validation import LOCALIZED_TABLE, LOCALIZED_TEXT, fail, shown
from slotguard.texts import CHOICES, Custom, Texts, language_tag
from slotguard.texts.language import catalog_language


def _language(value: object) -> str:
    tag = language_tag(value) if isinstance(value, str) else None
    if tag is None:
        raise fail(f"must be one of {CHOICES} (got {shown(value)})")
    return tag


def _language_key(value: object) -> str:
    tag = language_tag(value) if isinstance(value, str) else None
    if tag is None:
        raise fail(f"{shown(value)} is not a language slotguard speaks; use {CHOICES}")
    return tag


Language = Annotated[str, BeforeValidator(_language)]
_LanguageKey = Annotated[str, BeforeValidator(_language_key)]


Localized = str | dict[str, str]


def _form(value: object) -> str:
    return LOCALIZED_TABLE if isinstance(value, dict) else LOCALIZED_TEXT


def localized(text: Any) -> Any:
    """One ``text`` for every language, or a table of them by language."""
    return Annotated[
        Annotated[text, Tag(LOCALIZED_TEXT)]
        | Annotated[dict[_LanguageKey, text], Tag(LOCALIZED_TABLE), Field(min_length=1)],
        Discriminator(_form),
    ]


def pick(value: Localized | None, tag: str) -> str | None:
    """The text for a team speaking ``tag``: the table's entry for it, or for its language."""
    if value is None or isinstance(value, str):
        return value
    return value.get(tag) or value.get(catalog_language(tag))


def texts_by_language(languages: Iterable[str], list_name: Localized | None,
                      title_template: Localized | None,
                      habits: Sequence[tuple[str, Localized]]) -> Mapping[str, Texts]:
    """The texts of each language the teams speak, with the admin's words in it."""
    def custom(tag: str) -> Custom:
        titles = tuple((habit_id, title) for habit_id, table in habits
                       if (title := pick(table, tag)) is not None)
        return Custom(pick(list_name, tag), pick(title_template, tag), titles)

    return types.MappingProxyType({tag: Texts(tag, custom(tag)) for tag in sorted(languages)})


def habit_problems(teams: Sequence[tuple[int, str, str]],
                   titles: Sequence[Localized]) -> list[str]:
    """A habit titled by language must speak every team's: it has no catalog text.
    ``teams``: (position, name, language) of each valid team."""
    problems = []
    for j, title in enumerate(titles):
        missing: dict[str, tuple[int, str]] = {}
        for i, name, tag in teams:
            if pick(title, tag) is None:
                missing.setdefault(tag, (i, name))
        for tag, (i, name) in missing.items():
            key = tag if "-" not in tag else f'"{tag}"'
            problems.append(f"follow_up.habits[{j}].title: no {tag} text, which team '{name}' "
                            f'(teams[{i}]) speaks; add {key} = "..."')
    return problems
