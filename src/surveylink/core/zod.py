"""Upstream validates with zod 4; these helpers give our validation zod's exact wording.

Also JavaScript's `Number(string)`, which upstream applies to query numbers before checking them.
"""

import math
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from surveylink.core.ids import is_cuid2

ZOD = "zod"  # error type whose message is already zod's text
# Linear: the integer part and the fraction are separated by a mandatory point, so no text can
# be split between them in more than one way (the old pattern backtracked quadratically).
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_PREFIXED = {"0x": 16, "0o": 8, "0b": 2}
_RADIX_DIGITS = {16: frozenset("0123456789abcdefABCDEF"), 8: frozenset("01234567"), 2: {"0", "1"}}
# What JavaScript's String.prototype.trim removes beyond Python's str.strip().
_JS_SPACE = "\ufeff"
# The longest number text read at all: every double JavaScript prints fits in far fewer
# characters; a longer one is not a number here (JavaScript would read 40,000 digits as
# Infinity: either way a 4xx, but this one costs nothing to decide).
MAX_NUMBER_TEXT = 512
# The largest integer JavaScript represents exactly (Number.MAX_SAFE_INTEGER).
MAX_SAFE_INTEGER = 2**53 - 1


def fail(message: str) -> PydanticCustomError:
    return PydanticCustomError(ZOD, message)


def js_number(text: str) -> float:
    """JavaScript's `Number(text)`: NaN where JavaScript gives NaN, and for any text longer
    than MAX_NUMBER_TEXT, checked before anything else is done with it."""
    if len(text) > 2 * MAX_NUMBER_TEXT:
        return math.nan  # not even worth trimming
    text = text.strip().strip(_JS_SPACE).strip()
    if len(text) > MAX_NUMBER_TEXT:
        return math.nan
    if not text:
        return 0.0
    if text in ("Infinity", "+Infinity"):
        return math.inf
    if text == "-Infinity":
        return -math.inf
    if _DECIMAL.fullmatch(text):
        return float(text)  # too large for a double: inf, as JavaScript
    radix = _PREFIXED.get(text[:2].lower())
    digits = text[2:]
    if radix and digits and all(digit in _RADIX_DIGITS[radix] for digit in digits):
        try:
            return float(int(digits, radix))
        except OverflowError:
            return math.inf
    return math.nan


def is_decimal(text: str) -> bool:
    """A decimal number in ASCII (`-1.5`, `2e3`), as an HTML number input sends one."""
    return len(text) <= MAX_NUMBER_TEXT and _DECIMAL.fullmatch(text) is not None


def number_check(ge: float | None, le: float | None, integer: bool) -> Callable[[Any], float | int]:
    """A check for a query number converted like JavaScript's `Number()`, worded like zod."""

    def check(value: Any) -> float | int:
        number = js_number(value) if isinstance(value, str) else value
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise fail(f"Invalid input: expected number, received {js_type(value)}")
        if math.isnan(number):
            raise fail("Invalid input: expected number, received NaN")
        if math.isinf(number):
            raise fail("Invalid input: expected number, received number")
        if integer and number != int(number):
            raise fail("Invalid input: expected int, received number")
        if ge is not None and number < ge:
            raise fail(f"Too small: expected number to be >={_js(ge)}")
        if le is not None and number > le:
            raise fail(f"Too big: expected number to be <={_js(le)}")
        return int(number) if integer or number == int(number) else number

    return check


def _js(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def _cuid2(value: str) -> str:
    if not is_cuid2(value):
        raise fail("Invalid cuid2")
    return value


Cuid2 = Annotated[str, AfterValidator(_cuid2)]

INVALID_DATE = "Invalid input: expected date, received Date"


def representable(value: datetime) -> datetime:
    """A moment with a UTC form in years 1 to 9999, the range every column and `iso()` hold.

    JavaScript dates reach year 275760, so upstream takes `9999-12-31T23:59:59-01:00`; we
    refuse it as zod refuses an invalid date (docs/compatibility.md).
    """
    try:
        value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise fail(INVALID_DATE) from None
    return value


BoundedDateTime = Annotated[datetime, AfterValidator(representable)]


def js_type(value: Any) -> str:
    """What zod reports as `received …`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "NaN" if isinstance(value, float) and math.isnan(value) else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    return "object"


_TYPE_ERRORS = {
    "string_type": "string",
    "int_type": "number",
    "float_type": "number",
    "int_parsing": "number",
    "float_parsing": "number",
    "int_from_float": "int",
    "bool_type": "boolean",
    "bool_parsing": "boolean",
    "dict_type": "record",
    "model_type": "object",
    "model_attributes_type": "object",
    "list_type": "array",
    "datetime_type": "date",
    "datetime_parsing": "date",
    "datetime_from_date_parsing": "date",
}


def issue(error: Any, schema: dict[str, Any] | None = None) -> str:
    """zod's message for one pydantic error; `schema` (JSON schema) names expected types."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in (ZOD, "value_error", "assertion_error") and ctx.get("error") is None:
        return str(error["msg"])
    if kind == "value_error":
        return str(ctx["error"])
    if kind == "missing":
        return f"Invalid input: expected {_expected(schema, error['loc'])}, received undefined"
    if kind in _TYPE_ERRORS:
        expected = _expected(schema, error["loc"]) if schema else _TYPE_ERRORS[kind]
        if kind.startswith("datetime"):
            return "Invalid input: expected date, received Date"
        return f"Invalid input: expected {expected}, received {js_type(error.get('input'))}"
    if kind in ("literal_error", "enum"):
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return "Invalid option: expected one of " + "|".join(f'"{o}"' for o in options)
    if kind == "greater_than_equal":
        return f"Too small: expected number to be >={ctx['ge']}"
    if kind == "less_than_equal":
        return f"Too big: expected number to be <={ctx['le']}"
    if kind == "string_too_short":
        return f"Too small: expected string to have >={ctx['min_length']} characters"
    if kind == "string_too_long":
        return f"Too big: expected string to have <={ctx['max_length']} characters"
    if kind == "too_short":
        return f"Too small: expected array to have >={ctx['min_length']} items"
    if kind == "too_long":
        return f"Too big: expected array to have <={ctx['max_length']} items"
    if kind.startswith("url"):
        return "Invalid URL"
    return "Invalid input"


def field(loc: Sequence[str | int]) -> str:
    return ".".join(str(part) for part in loc)


def _expected(schema: dict[str, Any] | None, loc: Sequence[str | int]) -> str:
    node: dict[str, Any] | None = schema
    defs = (schema or {}).get("$defs", {})
    for part in loc[1:]:  # loc[0] is the location: body, query, path
        node = _resolve(node, defs)
        if node is None:
            break
        if isinstance(part, int):
            node = node.get("items")
        else:
            node = node.get("properties", {}).get(part) or node.get("additionalProperties")
            if not isinstance(node, dict):
                node = None
    node = _resolve(node, defs)
    if node is None:
        return "string"
    kind = node.get("type")
    if kind == "object":
        return "object" if "properties" in node else "record"
    if kind in ("integer", "number"):
        return "number"
    if kind == "string" and node.get("format") == "date-time":
        return "date"
    return str(kind or "string")


def _resolve(node: dict[str, Any] | None, defs: dict[str, Any]) -> dict[str, Any] | None:
    while node is not None:
        if "$ref" in node:
            node = defs.get(node["$ref"].rsplit("/", 1)[-1])
        elif "anyOf" in node:
            options = [option for option in node["anyOf"] if option.get("type") != "null"]
            node = options[0] if options else None
        elif "allOf" in node and len(node["allOf"]) == 1:
            node = node["allOf"][0]
        else:
            return node
    return None


# zod 4's email pattern, as upstream's contact schemas use it.
EMAIL = re.compile(
    r"(?!\.)(?!.*\.\.)[A-Za-z0-9_'+\-.]*[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}"
)


def is_email(value: str) -> bool:
    return EMAIL.fullmatch(value) is not None
