"""The catalogs: every message the code uses is in the template, translated into Swedish and
Danish, not fuzzy, with the plural forms and placeholders of its English."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from slotguard.texts import Texts, placeholders
from slotguard.texts.catalogs import TRANSLATED, read_catalog, template_file

SOURCE = Path(__file__).resolve().parents[2] / "src" / "slotguard"

Key = tuple[str | None, str]


def key(message: Message) -> Key:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return message.context, msgid


def in_code() -> set[Key]:
    found = set()
    for _file, _line, msgid, _comments, context in extract_from_dir(
            SOURCE, method_map=[("**.py", "python")]):
        found.add((context, msgid if isinstance(msgid, str) else msgid[0]))
    return found


def template() -> Catalog:
    with template_file().open("rb") as file:
        return read_po(file)


def entries(catalog: Catalog) -> dict[Key, Message]:
    return {key(m): m for m in catalog if m.id}


def placeholder_problems(catalog: Catalog) -> list[str]:
    """Each translation must use exactly its English's placeholders: one dropped or renamed
    would leave a number out or fail when filled in."""
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for n, text in enumerate(strings):
            english = ids[min(n, len(ids) - 1)]
            if sorted(set(placeholders(text))) != sorted(set(placeholders(english))):
                problems.append(f"{catalog.locale}: {english!r} form {n}: {text!r}")
    return problems


def test_the_template_has_exactly_the_messages_of_the_code() -> None:
    assert set(entries(template())) == in_code()


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    catalog = read_catalog(language)
    wanted, have = entries(template()), entries(catalog)
    assert set(have) == set(wanted), f"pybabel update the {language} catalog"
    for found_key, message in have.items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s.strip() for s in strings), (language, found_key)
        assert not message.fuzzy, (language, found_key)
        assert message.pluralizable == wanted[found_key].pluralizable, found_key
        if message.pluralizable:
            assert len(strings) == catalog.num_plurals, (language, found_key)


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_plural_rule_is_the_languages_own(language: str) -> None:
    assert read_catalog(language).plural_forms == Catalog(locale=language).plural_forms


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders_of_their_english(language: str) -> None:
    assert placeholder_problems(read_catalog(language)) == []


def test_a_dropped_or_renamed_placeholder_is_caught() -> None:
    broken = Catalog(locale="sv")
    broken.add("{block} (make-up for {taken})", "{block} (ersätter)")
    broken.add(("{seller} lost {count} block", "{seller} lost {count} blocks"),
               ("{säljare} förlorade {count} block", "{seller} förlorade {count} block"))
    broken.add("Follow up: {meeting} ({date})", "Följ upp: {meeting} ({date})")
    problems = placeholder_problems(broken)
    assert len(problems) == 2, problems
    assert "ersätter" in problems[0] and "{säljare}" in problems[1]


MAKE_UP = ("Each taken block is made up with {count} block the following week.",
           "Each taken block is made up with {count} blocks the following week.")


@pytest.mark.parametrize(("language", "one", "two", "three"), [
    ("en", "with 1 block the", "with 2 blocks the", "with 3 blocks the"),
    ("sv", "med 1 block veckan", "med 2 block veckan", "med 3 block veckan"),
    ("da", "med 1 blok ugen", "med 2 blokke ugen", "med 3 blokke ugen"),
])
def test_plurals_for_one_two_and_three(language: str, one: str, two: str, three: str) -> None:
    texts = Texts(language)
    said = [texts.ngettext(*MAKE_UP, n) for n in (1, 2, 3)]
    assert [one in said[0], two in said[1], three in said[2]] == [True, True, True], said
