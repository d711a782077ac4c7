"""A small parser in zod 4's manner, so survey validation reports exactly what upstream reports.

Two zod rules shape every error list (v1 spec §1.6):

- a *hard* issue (wrong type, missing field, bad enum or literal, failed union) skips the
  refinements of every enclosing object and array; a *soft* one (custom refinement, size,
  format, range) does not;
- a union that no member accepts reports the issues of its one member that failed only
  softly, else a bare "Invalid input".

A schema is a plain function `(value, path, issues) -> parsed value`: it appends issues and
returns the value with unknown keys dropped and defaults filled. `MISSING` is JavaScript's
`undefined`, i.e. an absent key.
"""

import copy
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Final
from urllib.parse import urlsplit

from surveylink.core.ids import is_cuid2
from surveylink.core.zod import js_type


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final[Any] = _Missing()

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    path: Path
    message: str
    hard: bool = False


Issues = list[Issue]
Schema = Callable[[Any, Path, Issues], Any]
Check = Callable[[Any], str | None]  # a soft check on a value of the right type
Refine = Callable[[Any, Path, Issues], None]  # runs only while nothing hard was found


def hard(issues: Issues, path: Path, message: str) -> None:
    issues.append(Issue(path, message, hard=True))


def soft(issues: Issues, path: Path, message: str) -> None:
    issues.append(Issue(path, message))


def aborted(issues: Issues, start: int = 0) -> bool:
    return any(issue.hard for issue in issues[start:])


def details(issues: Issues) -> dict[str, str]:
    """v1's flat `details`: dotted path → message, the last message per path winning."""
    flat: dict[str, str] = {}
    for issue in issues:
        flat[".".join(str(part) for part in issue.path)] = issue.message
    return flat


def received(value: Any) -> str:
    if value is MISSING:
        return "undefined"
    if isinstance(value, datetime):
        return "Date"
    return js_type(value)


def js_str(value: Any) -> str:
    """How JavaScript prints a primitive inside a message."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


# --- primitives ------------------------------------------------------------------------------


def _typed(
    kind: str, accepts: Callable[[Any], bool], checks: tuple[Check, ...], error: str | None
) -> Schema:
    def parse(value: Any, path: Path, issues: Issues) -> Any:
        if not accepts(value):
            hard(
                issues, path, error or f"Invalid input: expected {kind}, received {received(value)}"
            )
            return value
        for check in checks:  # soft checks never stop the ones after them
            message = check(value)
            if message:
                soft(issues, path, message)
        return value

    return parse


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def string(*checks: Check, error: str | None = None, trim: bool = False) -> Schema:
    """zod's string(); `trim` is its `.trim()`, which checks and returns the trimmed text."""
    parse = _typed("string", lambda value: isinstance(value, str), checks, error)
    if not trim:
        return parse
    return lambda value, path, issues: parse(
        value.strip() if isinstance(value, str) else value, path, issues
    )


def number(*checks: Check, error: str | None = None, integer: bool = False) -> Schema:
    """zod's number(); `integer` is `.int()`, a hard check that stops the ones after it."""
    parse = _typed("number", is_number, checks, error)
    if not integer:
        return parse

    def parse_integer(value: Any, path: Path, issues: Issues) -> Any:
        if is_number(value) and value != int(value):
            hard(issues, path, "Invalid input: expected int, received number")
            return value
        return parse(value, path, issues)

    return parse_integer


def boolean() -> Schema:
    return _typed("boolean", lambda value: isinstance(value, bool), (), None)


def options(*values: str | int, error: str | None = None) -> Schema:
    """zod's enum (several values), literal (one) or union of literals (with `error`)."""
    if error is None and len(values) == 1:
        error = f"Invalid input: expected {js_str(values[0])}"
    message = error or "Invalid option: expected one of " + "|".join(js_str(v) for v in values)

    def parse(value: Any, path: Path, issues: Issues) -> Any:
        if (
            isinstance(value, bool)
            or not isinstance(value, str | int | float)
            or value not in values
        ):
            hard(issues, path, message)
        return value

    return parse


def anything() -> Schema:
    return lambda value, path, issues: value


def absent() -> Schema:
    """`z.undefined().optional()`: the key must not be there."""

    def parse(value: Any, path: Path, issues: Issues) -> Any:
        if value is not MISSING:
            hard(issues, path, f"Invalid input: expected undefined, received {received(value)}")
        return MISSING

    return parse


def date(*, coerce: bool = False) -> Schema:
    """`z.date()` (only a datetime passes) or `z.coerce.date()` (JavaScript's `new Date(x)`)."""

    def parse(value: Any, path: Path, issues: Issues) -> Any:
        if isinstance(value, datetime):
            return value
        if not coerce:
            hard(issues, path, f"Invalid input: expected date, received {received(value)}")
        elif not _js_date_ok(value):
            hard(issues, path, "Invalid input: expected date, received Date")
        return value

    return parse


def _js_date_ok(value: Any) -> bool:
    if value is None or isinstance(value, bool) or is_number(value):
        return True  # new Date(null) is the epoch, numbers are milliseconds
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.strip())
    except ValueError:
        return False
    return True


# --- checks ----------------------------------------------------------------------------------


def min_length(minimum: int, message: str | None = None) -> Check:
    text = message or f"Too small: expected string to have >={minimum} characters"
    return lambda value: text if len(value) < minimum else None


def length(size: int, message: str) -> Check:
    return lambda value: message if len(value) != size else None


def max_length(maximum: int) -> Check:
    """zod's `.max()` on a string: here the length of the column that keeps it."""
    text = f"Too big: expected string to have <={maximum} characters"
    return lambda value: text if len(value) > maximum else None


def pattern(regex: str, message: str | None = None) -> Check:
    compiled = re.compile(regex)
    text = message or f"Invalid string: must match pattern /^{regex}$/"
    return lambda value: None if compiled.fullmatch(value) else text


def cuid2() -> Check:
    return lambda value: None if is_cuid2(value) else "Invalid cuid2"


def at_least(minimum: float, message: str | None = None) -> Check:
    text = message or f"Too small: expected number to be >={js_str(minimum)}"
    return lambda value: text if value < minimum else None


def at_most(maximum: float, message: str | None = None) -> Check:
    text = message or f"Too big: expected number to be <={js_str(maximum)}"
    return lambda value: text if value > maximum else None


def multiple_of(step: str) -> Check:
    # Decimal on the shortest repr matches zod's decimal-safe remainder (0.3 is a multiple of 0.1).
    divisor = Decimal(step)
    text = f"Invalid number: must be a multiple of {step}"
    return lambda value: None if Decimal(repr(value)) % divisor == 0 else text


def min_items(minimum: int, message: str | None = None) -> Check:
    text = message or f"Too small: expected array to have >={minimum} items"
    return lambda value: text if len(value) < minimum else None


def max_items(maximum: int, message: str | None = None) -> Check:
    text = message or f"Too big: expected array to have <={maximum} items"
    return lambda value: text if len(value) > maximum else None


# --- modifiers -------------------------------------------------------------------------------


def optional(schema: Schema) -> Schema:
    return lambda value, path, issues: MISSING if value is MISSING else schema(value, path, issues)


def nullable(schema: Schema) -> Schema:
    return lambda value, path, issues: None if value is None else schema(value, path, issues)


def nullish(schema: Schema) -> Schema:
    return optional(nullable(schema))


def prefault(schema: Schema, default: Any) -> Schema:
    """An absent value is replaced by `default` *before* parsing (zod 4's `.prefault`)."""

    def parse(value: Any, path: Path, issues: Issues) -> Any:
        return schema(copy.deepcopy(default) if value is MISSING else value, path, issues)

    return parse


def refined(schema: Schema, *refines: Refine) -> Schema:
    def parse(value: Any, path: Path, issues: Issues) -> Any:
        start = len(issues)
        parsed = schema(value, path, issues)
        if not aborted(issues, start):
            for refine in refines:
                refine(parsed, path, issues)
        return parsed

    return parse


# --- composites ------------------------------------------------------------------------------


def obj(fields: Mapping[str, Schema], *refines: Refine) -> Schema:
    """A zod object: fields parsed in declaration order, unknown keys dropped."""

    def parse(value: Any, path: Path, issues: Issues) -> Any:
        if not isinstance(value, dict):
            hard(issues, path, f"Invalid input: expected object, received {received(value)}")
            return value
        start = len(issues)
        parsed: dict[str, Any] = {}
        for key, schema in fields.items():
            result = schema(value.get(key, MISSING), (*path, key), issues)
            if result is not MISSING:
                parsed[key] = result
        if not aborted(issues, start):
            for refine in refines:
                refine(parsed, path, issues)
        return parsed

    return parse


def strict_empty() -> Schema:
    """`z.strictObject({})`: only `{}` passes."""

    def parse(value: Any, path: Path, issues: Issues) -> Any:
        if not isinstance(value, dict):
            hard(issues, path, f"Invalid input: expected object, received {received(value)}")
        elif value:
            keys = ", ".join(js_str(key) for key in value)
            hard(issues, path, f"Unrecognized key{'s' if len(value) > 1 else ''}: {keys}")
        return {} if isinstance(value, dict) else value

    return parse


def array(item: Schema, *checks: Check) -> Schema:
    def parse(value: Any, path: Path, issues: Issues) -> Any:
        if not isinstance(value, list):
            hard(issues, path, f"Invalid input: expected array, received {received(value)}")
            return value
        start = len(issues)
        parsed = [item(element, (*path, index), issues) for index, element in enumerate(value)]
        if not aborted(issues, start):
            for check in checks:
                message = check(parsed)
                if message:
                    soft(issues, path, message)
        return parsed

    return parse


def i18n() -> Schema:
    """An i18n string: a record of strings that must hold a "default" key."""

    def parse(value: Any, path: Path, issues: Issues) -> Any:
        if not isinstance(value, dict):
            hard(issues, path, f"Invalid input: expected record, received {received(value)}")
            return value
        start = len(issues)
        for key, text in value.items():
            if not isinstance(text, str):
                hard(
                    issues,
                    (*path, key),
                    f"Invalid input: expected string, received {received(text)}",
                )
        if not aborted(issues, start) and "default" not in value:
            soft(issues, path, "I18n string must have a 'default' key")
        return dict(value)

    return parse


def record_of_strings() -> Schema:
    def parse(value: Any, path: Path, issues: Issues) -> Any:
        if not isinstance(value, dict):
            hard(issues, path, f"Invalid input: expected record, received {received(value)}")
            return value
        for key, text in value.items():
            if not isinstance(text, str):
                hard(
                    issues,
                    (*path, key),
                    f"Invalid input: expected string, received {received(text)}",
                )
        return dict(value)

    return parse


def union(*members: Schema, error: str = "Invalid input") -> Schema:
    def parse(value: Any, path: Path, issues: Issues) -> Any:
        tried: list[tuple[Any, Issues]] = []
        for member in members:
            found: Issues = []
            result = member(value, path, found)
            if not found:
                return result  # the first member that accepts wins, with its own stripping
            tried.append((result, found))
        viable = [attempt for attempt in tried if not aborted(attempt[1])]
        if len(viable) == 1:
            issues.extend(viable[0][1])
            return viable[0][0]
        hard(issues, path, error)
        return value

    return parse


def tagged(key: str, members: Mapping[str, Schema]) -> Schema:
    """zod's discriminatedUnion: the member is picked by `value[key]`."""

    def parse(value: Any, path: Path, issues: Issues) -> Any:
        if not isinstance(value, dict):
            hard(issues, path, f"Invalid input: expected object, received {received(value)}")
            return value
        tag = value.get(key)
        member = members.get(tag) if isinstance(tag, str) else None
        if member is None:
            hard(issues, (*path, key), "Invalid input")
            return value
        return member(value, path, issues)

    return parse


def unique_ids(message: str) -> Refine:
    """An array refinement: the first repeated `id` is reported at `[index, "id"]`."""

    def refine(items: list[dict[str, Any]], path: Path, issues: Issues) -> None:
        duplicate = first_duplicate([item["id"] for item in items])
        if duplicate != -1:
            soft(issues, (*path, duplicate, "id"), message)

    return refine


def first_duplicate(values: list[Any]) -> int:
    """Index of the first value seen before (JavaScript's findIndex over indexOf), else -1."""
    seen: set[Any] = set()
    for index, value in enumerate(values):
        if value in seen:
            return index
        seen.add(value)
    return -1


# --- survey primitives shared by every schema module ----------------------------------------

FORBIDDEN_IDS = frozenset((
    "userId", "source", "suid", "end", "start", "welcomeCard", "hidden", "verifiedEmail",
    "multiLanguage", "embed", "verify",
))  # fmt: skip
_ID_CHARS = re.compile(r"[a-zA-Z0-9_-]+")
_ID_ADVICE = "use only alphanumeric characters, hyphens, or underscores."
_URL_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_HOST_SCHEMES = frozenset(("http", "https", "ws", "wss", "ftp"))


def id_rules(noun: str) -> Schema:
    """User-editable ids (questions, elements, hidden fields): three independent soft checks."""
    return string(
        lambda v: f"{noun} id is not allowed" if v in FORBIDDEN_IDS else None,
        lambda v: f"{noun} id not allowed, avoid using spaces." if " " in v else None,
        lambda v: None if _ID_CHARS.fullmatch(v) else f"{noun} id not allowed, {_ID_ADVICE}",
    )


def parses_as_url(text: str) -> bool:
    """Roughly whether JavaScript's `new URL(text)` succeeds."""
    text = text.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r ")
    scheme = _URL_SCHEME.match(text)
    if scheme is None:
        return False
    if scheme.group()[:-1].lower() not in _HOST_SCHEMES:
        return True  # mailto:, data:, custom schemes parse without a host
    try:
        parts = urlsplit("http://" + text[scheme.end() :].lstrip("/\\"))
        port_ok = parts.port is None or parts.port >= 0
    except ValueError:
        return False
    return bool(parts.hostname) and port_ok and " " not in (parts.hostname or "")


def hostname(text: str) -> str:
    try:
        return urlsplit(text.strip()).hostname or ""
    except ValueError:
        return ""


def storage_url() -> Schema:
    return string(
        lambda v: (
            None
            if v.startswith("/storage/") or parses_as_url(v)
            else "Must be a valid URL or a relative storage path (/storage/...)"
        )
    )
