"""JavaScript's value semantics where upstream's renderer relies on them. Pure.

Upstream evaluates logic and recall in the browser: `Number(x)`, `String(x)`, `===`,
`Array.includes` and `new Date(text)` decide outcomes, so the engine reproduces them on JSON
values. `UNDEFINED` stands for an absent key; `None` is JavaScript's `null`.
"""

import math
import re
from datetime import UTC, datetime, timedelta
from typing import Final

from pydantic import JsonValue

from surveylink.core.zod import js_number


class Undefined:
    def __repr__(self) -> str:
        return "undefined"


UNDEFINED: Final = Undefined()
Value = JsonValue | Undefined


def number(value: Value) -> float:
    """`Number(value)`."""
    if value is UNDEFINED:
        return math.nan
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return js_number(value)
    if isinstance(value, list):
        return js_number(string(value))
    return math.nan


def string(value: Value) -> str:
    """`String(value)`."""
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join("" if item is None else string(item) for item in value)
    return "[object Object]"


def number_text(value: float) -> str:
    """How JavaScript prints a number: `10` not `10.0`, `1e+21`, `NaN`, `Infinity`."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        text = f"{mantissa.removesuffix('.0')}e{sign}{int(exponent.lstrip('+-'))}"
    return text


def truthy(value: Value) -> bool:
    if value is UNDEFINED or value is None or value is False:
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value != 0 and not math.isnan(value)
    return value != ""


def strict_equal(left: Value, right: Value) -> bool:
    """`left === right`: no conversions; objects and arrays only equal themselves."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if isinstance(left, list | dict) or isinstance(right, list | dict):
        return left is right
    return left is right  # null, undefined


def includes(items: list[JsonValue], value: Value) -> bool:
    """`items.includes(value)` (SameValueZero: NaN finds NaN)."""
    nan = isinstance(value, float) and math.isnan(value)
    return any(
        strict_equal(item, value) or (nan and isinstance(item, float) and math.isnan(item))
        for item in items
    )


# --- dates -----------------------------------------------------------------------------------

_TIME = r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?"
_YMD = re.compile(r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?" + _TIME)
_MDY = re.compile(r"(\d{1,2})[-/](\d{1,2})[-/](\d{4})" + _TIME)
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_NAMED = re.compile(r"([A-Za-z]+)\.? (\d{1,2}),? (\d{4})")
_NUMBERS = re.compile(r"-?(\d+)(?:\.(\d+))?")


def date_ms(text: str) -> float:
    """`new Date(text).getTime()` for the forms surveys carry (ISO dates and times, `Y/M/D`,
    `M-D-Y`, `Month D, Y`); NaN otherwise. Days past a month's end roll over as in V8; times
    without an offset are read as UTC (the server has no respondent time zone)."""
    text = text.strip()
    if found := _YMD.fullmatch(text):
        year, month, day = int(found[1]), int(found[2] or 1), int(found[3] or 1)
        return _ms(year, month, day, found.groups()[3:])
    if found := _MDY.fullmatch(text):
        month, day, year = int(found[1]), int(found[2]), int(found[3])
        return _ms(year, month, day, found.groups()[3:])
    if (found := _NAMED.fullmatch(text)) and found[1].lower() in _MONTHS:
        return _ms(int(found[3]), _MONTHS.index(found[1].lower()) + 1, int(found[2]), ())
    if found := _NUMBERS.fullmatch(text):
        return _numbers(int(found[1]), int(found[2]) if found[2] else None)
    return math.nan


def _numbers(first: int, second: int | None) -> float:
    """V8's reading of a bare number (`String(12)`, `"4.5"`): 1-12 is a month of 2001 (the
    decimals its day), 13-31 nothing, anything else a year (0-49 in 2000s, 50-99 in 1900s)
    whose decimals are its month."""
    if 1 <= first <= 12:
        return _ms(2001, first, second or 1, ())
    if 13 <= first <= 31:
        return math.nan
    year = 2000 + first if first < 50 else 1900 + first if first < 100 else first
    return _ms(year, second or 1, 1, ()) if year < 10_000 else math.nan


def _ms(year: int, month: int, day: int, time: tuple[str | None, ...]) -> float:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return math.nan
    hour, minute, second, millis, offset = (*time, None, None, None, None, None)[:5]
    moment = datetime(year, month, 1, tzinfo=UTC) + timedelta(
        days=day - 1,
        hours=int(hour or 0),
        minutes=int(minute or 0),
        seconds=int(second or 0),
        milliseconds=int((millis or "0").ljust(3, "0")),
    )
    if offset and offset != "Z":
        sign = -1 if offset[0] == "+" else 1
        digits = offset[1:].replace(":", "")
        moment += sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return moment.timestamp() * 1000
