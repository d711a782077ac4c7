"""Attribute values typed as upstream types them (resources spec §2.3): pure, no I/O.

A value is always stored as text; number and date values also fill `value_number` or
`value_date`, and their text becomes the canonical form JavaScript would print.
"""

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Literal

from surveylink.core.clock import iso
from surveylink.core.zod import js_number

DataType = Literal["string", "number", "date"]

# ASCII digits only, as JavaScript's date parsing reads them (`\d` alone also takes `٢`).
_LOOKS_LIKE_DATE = re.compile(r"(\d{4}[-/]\d{2}[-/]\d{2}|\d{2}[-/]\d{2}[-/]\d{4})", re.ASCII)
_ISO_PREFIX = re.compile(r"\d{4}[-/]\d{2}[-/]\d{2}", re.ASCII)
_ISO = re.compile(
    r"(\d{4})([-/])(\d{2})\2(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?",
    re.ASCII,
)
# A date part has at most 9 digits: a longer one is no date (and int() refuses 4,300 digits).
_LEADING_INT = re.compile(r"\s*([+-]?\d{1,9})(?!\d)", re.ASCII)


@dataclass(frozen=True)
class Columns:
    value: str
    value_number: float | None = None
    value_date: datetime | None = None


def detect_type(text: str) -> DataType:
    """The type a new key takes from its first non-empty value."""
    text = text.strip()
    if _LOOKS_LIKE_DATE.match(text) and parse_date(text) is not None:
        return "date"
    if text and _finite(text) is not None:
        return "number"
    return "string"


def to_columns(text: str, data_type: DataType) -> Columns | None:
    """How `text` is stored under a key of `data_type`; None if it is not such a value."""
    if data_type == "number":
        number = _finite(text)
        return None if number is None else Columns(js_string(number), value_number=number)
    if data_type == "date":
        moment = parse_date(text.strip())
        return None if moment is None else Columns(iso(moment), value_date=moment)
    return Columns(text)


def store(text: str, data_type: DataType) -> Columns:
    """As `to_columns`, but an unparseable value is kept as plain text, as upstream does."""
    return to_columns(text, data_type) or Columns(text)


def parse_date(text: str) -> datetime | None:
    """Upstream's date parsing; a date without a zone is read as UTC (the server's zone)."""
    if _ISO_PREFIX.match(text):
        return _iso_date(text)
    parts = re.split(r"[-/]", text)
    if len(parts) < 3:
        return None
    numbers = [_parse_int(part) for part in parts[:3]]
    if None in numbers:
        return None
    first, second, third = (number for number in numbers if number is not None)
    if first > 12:
        return _calendar(third, second, first)
    if second > 12 or first <= 999:
        return _calendar(third, first, second)
    return _calendar(first, second, third)


def js_string(number: float) -> str:
    """JavaScript's `String(number)` for a finite number."""
    if number == int(number) and abs(number) < 1e21:
        return str(int(number))
    sign, digits, exponent = Decimal(repr(number)).normalize().as_tuple()
    assert isinstance(exponent, int)
    text = "".join(str(digit) for digit in digits)
    point = len(text) + exponent  # position of the decimal point in `text`
    if -6 < point <= 21:
        if point <= 0:
            body = "0." + "0" * -point + text
        else:
            body = text[:point] + ("." + text[point:] if point < len(text) else "")
    else:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        body = f"{mantissa}e{'+' if point - 1 >= 0 else '-'}{abs(point - 1)}"
    return ("-" if sign else "") + body


def _finite(text: str) -> float | None:
    number = js_number(text)
    # Upstream would also store ±Infinity; we keep such values as text.
    return None if math.isnan(number) or math.isinf(number) else number


def _parse_int(text: str) -> int | None:
    match = _LEADING_INT.match(text)
    return int(match.group(1)) if match else None


def _calendar(year: int, month: int, day: int) -> datetime | None:
    """JavaScript's `new Date(year, month - 1, day)`: out-of-range parts roll over."""
    if 0 <= year <= 99:
        year += 1900
    months = year * 12 + month - 1
    try:
        start = datetime(months // 12, months % 12 + 1, 1, tzinfo=UTC)
        return start + timedelta(days=day - 1)
    except (ValueError, OverflowError):
        return None


def _iso_date(text: str) -> datetime | None:
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    year, _, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:3].ljust(3, "0")) * 1000,
            tzinfo=UTC,
        )
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        try:
            moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        except OverflowError:
            return None  # before year 1 or after 9999 in UTC: no column holds it
    return moment
