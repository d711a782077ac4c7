"""Segment filter trees compiled to ONE SQL condition over contacts (resources spec §5).

Pure: the stored JSON is parsed into typed nodes, then turned into a SQLAlchemy expression that
the database evaluates for every contact at once. Segments a tree refers to are passed in
(`Mapping` of id → filters), the clock too; nothing here touches a session.

Upstream's combination rule is its database evaluator's, not standard precedence: in one list,
items whose effective connector is `and` are ANDed, all the others ORed, and the two buckets
ANDed (`A and B or C` ⇒ A ∧ B ∧ C). The first item takes the second item's connector.
"""

import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from sqlalchemy import Float, and_, case, cast, exists, false, func, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from surveylink.attribute_keys.models import ContactAttributeKey
from surveylink.contacts.models import Contact, ContactAttribute
from surveylink.core.clock import iso

Condition = ColumnElement[bool]

STRING_OPERATORS = {"contains", "doesNotContain", "startsWith", "endsWith"}
ARITHMETIC_OPERATORS = {"lessThan", "lessEqual", "greaterThan", "greaterEqual"}
DATE_OPERATORS = {"isOlderThan", "isNewerThan", "isBefore", "isAfter", "isBetween", "isSameDay"}
ATTRIBUTE_OPERATORS = (
    {"equals", "notEquals", "isSet", "isNotSet"}
    | STRING_OPERATORS
    | ARITHMETIC_OPERATORS
    | DATE_OPERATORS
)
PERSON_OPERATORS = {"equals", "notEquals", "isSet", "isNotSet"} | STRING_OPERATORS
_NUMERIC_TEXT = r"^-?[0-9]+(\.[0-9]+)?$"


class InvalidFilters(ValueError):
    """Upstream's 400 `segment` / "Invalid segment filters"."""


class _Node(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class AttributeRoot(_Node):
    type: Literal["attribute"]
    contactAttributeKey: str  # noqa: N815 - upstream's JSON names


class PersonRoot(_Node):
    type: Literal["person"]
    personIdentifier: str  # noqa: N815


class SegmentRoot(_Node):
    type: Literal["segment"]
    segmentId: str  # noqa: N815


class DeviceRoot(_Node):
    type: Literal["device"]
    deviceType: str  # noqa: N815


class Qualifier(_Node):
    operator: str


class RelativeDate(_Node):
    amount: float = Field(gt=0)
    unit: Literal["days", "weeks", "months", "years"]


Value = str | float | RelativeDate | list[str] | None


class Leaf(_Node):
    id: str
    root: Annotated[
        AttributeRoot | PersonRoot | SegmentRoot | DeviceRoot, Field(discriminator="type")
    ]
    qualifier: Qualifier
    value: Value = None


class Item(_Node):
    id: str
    connector: Literal["and", "or"] | None
    resource: "Leaf | list[Item]"


Item.model_rebuild()
Filters = list[Item]
_FILTERS: TypeAdapter[Filters] = TypeAdapter(Filters)


def parse(raw: Any) -> Filters:
    """Typed filters from the stored JSON; InvalidFilters when it is not a filter tree."""
    try:
        return _FILTERS.validate_python(raw)
    except ValidationError as error:
        raise InvalidFilters(str(error)) from None


def referenced_segments(filters: Sequence[Item]) -> set[str]:
    """Ids of the segments this tree names directly (not those they name in turn)."""
    found: set[str] = set()
    for item in filters:
        if isinstance(item.resource, list):
            found |= referenced_segments(item.resource)
        elif isinstance(item.resource.root, SegmentRoot):
            found.add(item.resource.root.segmentId)
    return found


def compile_segment(
    segment_id: str,
    filters: Sequence[Item],
    environment_id: str,
    segments: Mapping[str, Sequence[Item]],
    now: datetime,
) -> Condition:
    """Contacts of the environment in the segment, as one WHERE condition."""
    compiler = _Compiler(segments, now)
    clause = compiler.filters(filters, frozenset({segment_id}))
    in_environment = Contact.environment_id == environment_id
    return in_environment if clause is None else and_(in_environment, clause)


class _Compiler:
    def __init__(self, segments: Mapping[str, Sequence[Item]], now: datetime) -> None:
        self.segments = segments
        self.now = now

    def filters(self, items: Sequence[Item], path: frozenset[str]) -> Condition | None:
        """None means "no constraint": the item is skipped, as upstream skips `{}`."""
        all_of: list[Condition] = []
        any_of: list[Condition] = []
        for index, item in enumerate(items):
            if isinstance(item.resource, list):
                clause = self.filters(item.resource, path)
            else:
                clause = self.leaf(item.resource, path)
            if clause is None:
                continue
            connector = items[1].connector if index == 0 and len(items) > 1 else item.connector
            if len(items) == 1 or connector == "and":
                all_of.append(clause)
            else:
                any_of.append(clause)
        if any_of:
            all_of.append(any_of[0] if len(any_of) == 1 else or_(*any_of))
        if not all_of:
            return None
        return all_of[0] if len(all_of) == 1 else and_(*all_of)

    def leaf(self, leaf: Leaf, path: frozenset[str]) -> Condition | None:
        root, operator = leaf.root, leaf.qualifier.operator
        if isinstance(root, AttributeRoot):
            _check(operator in ATTRIBUTE_OPERATORS, operator)
            return self.attribute(root.contactAttributeKey, operator, leaf.value)
        if isinstance(root, PersonRoot):
            _check(operator in PERSON_OPERATORS, operator)
            if root.personIdentifier != "userId":
                return None
            return self.attribute("userId", operator, leaf.value)
        if isinstance(root, DeviceRoot):
            _check(operator in {"equals", "notEquals"}, operator)
            return None  # no device is known when links are made
        _check(operator in {"userIsIn", "userIsNotIn"}, operator)
        return self.nested(root.segmentId, operator == "userIsNotIn", path)

    def nested(self, segment_id: str, negate: bool, path: frozenset[str]) -> Condition | None:
        if segment_id in path:
            return None  # a circular reference constrains nothing, as upstream
        if segment_id not in self.segments:
            raise InvalidFilters(f"segment {segment_id} does not exist")
        clause = self.filters(self.segments[segment_id], path | {segment_id})
        if clause is None:
            return false() if negate else None
        return not_(clause) if negate else clause

    def attribute(self, key: str, operator: str, value: Value) -> Condition:
        if operator == "isSet":
            return _has_attribute(key, None)
        if operator == "isNotSet":
            return not_(_has_attribute(key, None))
        if operator in ARITHMETIC_OPERATORS:
            return _has_attribute(key, _compare_number(operator, _number(value)))
        if operator in DATE_OPERATORS:
            return _has_attribute(key, self.date(operator, value))
        text = func.lower(ContactAttribute.value)
        wanted = _js_string(value).lower()
        conditions: dict[str, Condition] = {
            "equals": text == wanted,
            "notEquals": text != wanted,
            "contains": text.contains(wanted, autoescape=True),
            "doesNotContain": not_(text.contains(wanted, autoescape=True)),
            "startsWith": text.startswith(wanted, autoescape=True),
            "endsWith": text.endswith(wanted, autoescape=True),
        }
        return _has_attribute(key, conditions[operator])

    def date(self, operator: str, value: Value) -> Condition:
        if operator in ("isOlderThan", "isNewerThan"):
            _check(isinstance(value, RelativeDate), operator)
            assert isinstance(value, RelativeDate)
            bound = _go_back(self.now, value)
            compared = _compare_date("<" if operator == "isOlderThan" else ">=", bound)
        elif operator == "isBetween":
            _check(isinstance(value, list) and len(value) == 2, operator)
            assert isinstance(value, list)
            start, end = (_date(part) for part in value)
            compared = and_(_compare_date(">=", start), _compare_date("<=", end))
        elif operator == "isSameDay":
            day = _date(value).replace(hour=0, minute=0, second=0, microsecond=0)
            end = day + timedelta(days=1) - timedelta(milliseconds=1)
            compared = and_(_compare_date(">=", day), _compare_date("<=", end))
        else:
            compared = _compare_date("<" if operator == "isBefore" else ">", _date(value))
        # Date operators match only keys typed as dates.
        return and_(ContactAttributeKey.data_type == "date", compared)


def _has_attribute(key: str, condition: Condition | None) -> Condition:
    """The contact has a row for `key` (meeting `condition`)."""
    statement = (
        select(ContactAttribute.id)
        .join(ContactAttributeKey, ContactAttributeKey.id == ContactAttribute.attribute_key_id)
        .where(ContactAttribute.contact_id == Contact.id, ContactAttributeKey.key == key)
    )
    if condition is not None:
        statement = statement.where(condition)
    return exists(statement)


def _compare_number(operator: str, number: float) -> Condition:
    # Rows stored before numbers were typed keep `valueNumber` null: their text is compared as
    # a number when it looks like one (the CASE keeps PostgreSQL from casting anything else).
    parsed = case(
        (
            and_(
                ContactAttributeKey.data_type == "number",
                ContactAttribute.value.regexp_match(_NUMERIC_TEXT),
            ),
            cast(ContactAttribute.value, Float),
        )
    )
    value = func.coalesce(ContactAttribute.value_number, parsed)
    comparisons: dict[str, Condition] = {
        "lessThan": value < number,
        "lessEqual": value <= number,
        "greaterThan": value > number,
        "greaterEqual": value >= number,
    }
    return comparisons[operator]


def _compare_date(operator: str, bound: datetime) -> Condition:
    # Typed rows compare their date; rows without one compare their ISO text, as upstream.
    typed, text = ContactAttribute.value_date, ContactAttribute.value
    stamp = iso(bound)
    comparisons: dict[str, tuple[Condition, Condition]] = {
        "<": (typed < bound, text < stamp),
        "<=": (typed <= bound, text <= stamp),
        ">": (typed > bound, text > stamp),
        ">=": (typed >= bound, text >= stamp),
    }
    on_date, on_text = comparisons[operator]
    return or_(and_(typed.is_not(None), on_date), and_(typed.is_(None), on_text))


def _go_back(now: datetime, span: RelativeDate) -> datetime:
    amount = span.amount
    if span.unit in ("days", "weeks"):
        return now - timedelta(days=amount * (7 if span.unit == "weeks" else 1))
    months = int(amount) * (12 if span.unit == "years" else 1)
    year, month = divmod(now.month - 1 - months, 12)
    target_year, target_month = now.year + year, month + 1
    # JavaScript's setMonth rolls an impossible day over into the next month.
    first = now.replace(year=target_year, month=target_month, day=1)
    return first + timedelta(days=now.day - 1)


def _date(value: Value) -> datetime:
    """JavaScript's `new Date(string)` for ISO dates: a date alone is UTC midnight."""
    if not isinstance(value, str) or not value:
        raise InvalidFilters("a date operator needs a date string")
    try:
        parsed = datetime.fromisoformat(re.sub(r"[zZ]$", "+00:00", value))
    except ValueError:
        raise InvalidFilters(f"not a date: {value!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _number(value: Value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise InvalidFilters("an arithmetic operator needs a number")
    return float(value)


def _js_string(value: Value) -> str:
    """JavaScript's `String(value)` for the values a filter holds."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str | int | float):
        return str(value)
    raise InvalidFilters("a string operator needs a string")


def _check(condition: bool, operator: str) -> None:
    if not condition:
        raise InvalidFilters(f"operator {operator!r} does not fit this filter")
