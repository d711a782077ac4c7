"""The translators' catalogues: complete, and every placeholder kept."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from surveylink.respondent import i18n
from surveylink.respondent.texts import ERRORS, PAGES, WORDS

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _template() -> list[str | tuple[str, ...]]:
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as source:
        return [
            message.id if isinstance(message.id, str) else tuple(message.id)
            for message in read_po(source)
            if message.id
        ]


@pytest.mark.parametrize("locale", [code for code in i18n.LOCALES if code != "en"])
def test_every_message_is_translated_with_its_placeholders(locale: str) -> None:
    path = i18n.LOCALE_DIR / locale.replace("-", "_") / "LC_MESSAGES" / "messages.po"
    with Path(path).open("rb") as source:
        catalog = read_po(source, locale=locale.replace("-", "_"))

    for msgid in _template():
        message = catalog.get(msgid)
        assert message is not None, (locale, msgid)
        assert not message.fuzzy, (locale, msgid)
        singular = msgid[0] if isinstance(msgid, tuple) else msgid
        plural = msgid[1] if isinstance(msgid, tuple) else msgid
        strings = (
            [str(text) for text in message.string]
            if isinstance(message.string, tuple | list)
            else [str(message.string)]
        )
        assert all(strings), (locale, msgid)
        wanted = set(PLACEHOLDER.findall(plural)) - {"count"}
        for translated in strings:
            assert wanted <= set(PLACEHOLDER.findall(translated)), (locale, msgid, translated)
        if not isinstance(msgid, tuple):
            assert set(PLACEHOLDER.findall(singular)) == set(PLACEHOLDER.findall(strings[0]))


def test_every_page_text_is_in_the_template() -> None:
    template = {msgid for msgid in _template() if isinstance(msgid, str)}
    used = {*WORDS.values(), *ERRORS.values(), *(text for pair in PAGES.values() for text in pair)}

    assert used <= template


def test_a_filled_in_message_is_translated_too() -> None:
    german = i18n.texts("de")

    assert german.gettext("Please enter at least 12 characters") == (
        "Bitte geben Sie mindestens 12 Zeichen ein"
    )
    assert german.gettext("Something only the survey says") == "Something only the survey says"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("de-AT", "de"), ("zh", "zh-Hans"), ("ZH-hans", "zh-Hans"), ("pt_BR", "pt"), ("he", None)],
)
def test_best_locale_matches_as_i18next_does(code: str, expected: str | None) -> None:
    assert i18n.best_locale(code) == expected


def test_arabic_plural_forms_are_chosen_by_count() -> None:
    arabic = i18n.texts("ar")

    assert arabic.ngettext("1 person responded", "{count} people responded", 5) == "رد 5 أشخاص"
    assert arabic.ngettext("1 person responded", "{count} people responded", 11) == "رد 11 شخصًا"
