"""The respondent page's own texts ("Next", "Required", errors, state pages) in the languages
upstream's survey renderer ships (packages/surveys/src/lib/i18n.config.ts), and the page's
direction.

The words are ours, kept in gettext catalogues a translator edits with any PO editor:
`locales/messages.pot` is the template, `locales/<code>/LC_MESSAGES/messages.po` a language.
They are read once, at first use; nothing to compile. English msgids are upstream's en texts.
"""

import functools
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locales"
# Upstream's supportedLngs, in its spelling; the folder of zh-Hans is zh_Hans (gettext's).
LOCALES = (
    "ar", "da", "de", "en", "es", "et", "fr", "hi", "hu", "it", "ja", "nl", "pt", "ro", "ru",
    "sv", "uz", "zh-Hans",
)  # fmt: skip
FALLBACK = "en"
# Upstream's list (apps/web/modules/survey/link/lib/utils.ts), compared on the base code.
RTL_LANGUAGES = ("ar", "ar-SA", "ar-EG", "ar-AE", "ar-MA", "he", "fa", "ur")
_RTL_TEXT = re.compile("[\u0591-\u07ff\ufb1d-\ufdfd\ufe70-\ufefc]")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass
class Texts:
    """The page's words in one locale. `gettext` also translates a message that was already
    filled in ("Please enter at least 3 characters") by matching it against the catalogue's
    templates, so the code that checks answers stays free of languages."""

    locale: str
    translations: Translations | None
    _patterns: list[tuple[re.Pattern[str], str]] = field(default_factory=list)

    def gettext(self, message: Any, **params: Any) -> str:
        if not isinstance(message, str) or not message:
            return ""
        if self.translations is None:
            return message.format(**params) if params else message
        translated = self.translations.gettext(message)
        if translated == message and not params:
            filled = self._refill(message)
            if filled is not None:
                return filled
        return translated.format(**params) if params else translated

    def ngettext(self, singular: str, plural: str, count: int, **params: Any) -> str:
        if self.translations is None:
            chosen = singular if count == 1 else plural
        else:
            chosen = self.translations.ngettext(singular, plural, count)
        return chosen.format(count=count, **params)

    def _refill(self, message: str) -> str | None:
        for pattern, template in self._patterns:
            match = pattern.fullmatch(message)
            if match:
                return self.gettext(template, **match.groupdict())
        return None


def _pattern(template: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(template)
    regex = "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
        for index, part in enumerate(parts)
    )
    return re.compile(regex)


@functools.cache
def texts(locale: str) -> Texts:
    """The catalogue of one of LOCALES (English needs none: its msgids are the texts)."""
    if locale == FALLBACK or locale not in LOCALES:
        return Texts(FALLBACK, None)
    path = LOCALE_DIR / locale.replace("-", "_") / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=locale.replace("-", "_"))
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    templates = [
        message.id
        for message in catalog
        if isinstance(message.id, str) and _PLACEHOLDER.search(message.id)
    ]
    return Texts(locale, Translations(compiled), [(_pattern(t), t) for t in templates])


def best_locale(code: str | None) -> str | None:
    """i18next's choice among LOCALES for a language code (its getBestMatchFromCodes): the
    code itself, its language part, a supported code with that language ("zh" → "zh-Hans")."""
    if not code:
        return None
    by_lower = {locale.lower(): locale for locale in LOCALES}
    wanted = code.strip().replace("_", "-").lower()
    if wanted in by_lower:
        return by_lower[wanted]
    language = wanted.split("-")[0]
    if language in by_lower:
        return by_lower[language]
    return next((locale for locale in LOCALES if locale.lower().startswith(language + "-")), None)


def accepted_locale(header: str) -> str | None:
    """The first of LOCALES an Accept-Language header asks for, by its q-values."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        code, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if code and code != "*" and quality > 0:
            ranked.append((-quality, index, code))
    for _, _, code in sorted(ranked):
        found = best_locale(code)
        if found:
            return found
    return None


def page_locale(code: str) -> str:
    """Upstream's getI18nLanguage: the survey language's code decides the page's words."""
    return best_locale(code) or FALLBACK


def is_rtl_code(code: str | None) -> bool:
    base = (code or "").split("-")[0].lower()
    return bool(base) and any(rtl.lower().startswith(base) for rtl in RTL_LANGUAGES)


def is_rtl_text(text: str) -> bool:
    return bool(_RTL_TEXT.search(text))


def direction(survey: Mapping[str, Any], language: str, default_code: str | None) -> str:
    """Upstream's isRTLLanguage: with languages, the language's code decides; without, the
    first welcome-card or question headline in that language does."""
    if survey.get("languages"):
        return "rtl" if is_rtl_code(default_code if language == "default" else language) else "ltr"
    headlines: list[Any] = []
    welcome = survey.get("welcomeCard") or {}
    if welcome.get("enabled"):
        headlines.append(welcome.get("headline"))
    for block in survey.get("blocks") or []:
        headlines.extend(element.get("headline") for element in block.get("elements") or [])
    for headline in headlines:
        value = headline.get(language) if isinstance(headline, dict) else None
        if isinstance(value, str) and value:
            return "rtl" if is_rtl_text(value) else "ltr"
    return "ltr"
