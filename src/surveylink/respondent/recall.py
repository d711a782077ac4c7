"""Recall: `#recall:<id>/fallback:<text>#` in a text becomes the answer, variable or hidden field
with that id, formatted as upstream's renderer formats it (packages/surveys/src/lib/recall.ts),
or the fallback. Pure; the result is plain text, escaped by the template like any other."""

import math
import re
from datetime import UTC, datetime

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from pydantic import JsonValue

from surveylink.respondent import js
from surveylink.respondent.logic import Data, Variables

_RECALL = re.compile(r"#recall:([A-Za-z0-9_-]+)/fallback:([^#]*)#")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}-[0-9]{2}-[0-9]{4}")
_MAX_ROUNDS = 100  # a recalled answer may itself hold a recall; upstream would loop forever


def recall(text: str, data: Data, variables: Variables, language: str) -> str:
    """Every recall in `text` replaced, first to last, as upstream's `replaceRecallInfo`."""
    for _ in range(_MAX_ROUNDS):
        if "recall:" not in text:
            break
        found = _RECALL.search(text)
        if found is None:
            break
        fallback = found[2].replace("nbsp", " ").strip()
        value = _value(found[1], data, variables, language)
        text = text[: found.start()] + (value or fallback) + text[found.end() :]
    return text


def _value(item_id: str, data: Data, variables: Variables, language: str) -> str:
    value: JsonValue | js.Undefined = js.UNDEFINED
    if item_id in variables:
        value = js.string(variables[item_id])
    if item_id in data:
        value = data[item_id]
    if js.truthy(value):
        if isinstance(value, str) and (shown := _date(value, language)) is not None:
            return shown
        if isinstance(value, list):
            return ", ".join(js.string(item) for item in value if js.truthy(item))
    if value is js.UNDEFINED or value is None:
        return ""
    return js.string(value)


def _date(value: str, language: str) -> str | None:
    """A `YYYY-MM-DD` (or `DD-MM-YYYY`) answer as a long date in the survey's language, as
    `Intl.DateTimeFormat(language, {weekday: "long", …})` writes it; the day is the UTC one."""
    if not _DATE.fullmatch(value):
        return None
    checked = value if value[4] == "-" else f"{value[6:]}-{value[3:5]}-{value[:2]}"
    if math.isnan(js.date_ms(checked)) or not _exists(checked):
        return None
    moment = js.date_ms(value)  # upstream formats the value itself, not the checked form
    if math.isnan(moment):
        return None  # upstream's formatter throws on an invalid date; the answer stays as is
    day = datetime.fromtimestamp(moment / 1000, UTC).date()
    return format_date(day, "full", locale=_locale(language))


def _exists(iso: str) -> bool:
    """`new Date("YYYY-MM-DD")` is invalid for a month or day out of range."""
    try:
        datetime.strptime(iso, "%Y-%m-%d")  # noqa: DTZ007  # a calendar check, no time
    except ValueError:
        return False
    return True


def _locale(language: str) -> Locale:
    if language in ("", "default"):
        return Locale("en", "US")
    try:
        return Locale.parse(language, sep="-")
    except (UnknownLocaleError, ValueError):
        return Locale("en", "US")
