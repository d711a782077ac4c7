"""Upstream's schema for a segment's filter tree (`ZSegmentFilters` in types/segment.ts), with
its messages, for segments created or updated through our API and CLI.

Pure. `clean_filters` walks the JSON as zod does (items in order, each field in schema order,
then the refinements) and stops at the first problem, reported with the path to it. What it
returns is the tree with unknown keys dropped, which is what gets stored. Unlike upstream it
also bounds the tree's size, since every filter becomes a SQL condition.
"""

import math
from typing import Any

from surveylink.core.ids import is_cuid2
from surveylink.core.zod import js_type
from surveylink.segments.filters import (
    ARITHMETIC_OPERATORS,
    ATTRIBUTE_OPERATORS,
    PERSON_OPERATORS,
    STRING_OPERATORS,
)

MAX_FILTERS = 100  # leaves and groups in one tree
MAX_DEPTH = 8  # groups within groups
MAX_TEXT = 1000  # characters of a string in a filter
TIME_UNITS = ("days", "weeks", "months", "years")
ROOTS = {
    "attribute": ("contactAttributeKey", ATTRIBUTE_OPERATORS),
    "person": ("personIdentifier", PERSON_OPERATORS),
    "segment": ("segmentId", {"userIsIn", "userIsNotIn"}),
    "device": ("deviceType", {"equals", "notEquals"}),
}
# Upstream's enum orders, for its "expected one of" messages.
_ORDERED = {
    "attribute": [
        "lessThan",
        "lessEqual",
        "greaterThan",
        "greaterEqual",
        "equals",
        "notEquals",
        "isSet",
        "isNotSet",
        "contains",
        "doesNotContain",
        "startsWith",
        "endsWith",
        "isOlderThan",
        "isNewerThan",
        "isBefore",
        "isAfter",
        "isBetween",
        "isSameDay",
    ],
    "person": [
        "equals",
        "notEquals",
        "isSet",
        "isNotSet",
        "contains",
        "doesNotContain",
        "startsWith",
        "endsWith",
    ],
    "segment": ["userIsIn", "userIsNotIn"],
    "device": ["equals", "notEquals"],
}
WRONG_VALUE_TYPE = (
    "Value must be a string for string operators, a number for arithmetic operators, and an "
    "object for relative date operators"
)
BAD_VALUE = "Invalid value for filters: please check your filter values"
FIRST_CONNECTOR = "Invalid filters applied"
REQUIRED = "At least one filter is required"
RECURSIVE = "Recursive segment filter is not allowed"
_MISSING = object()


class FilterProblem(ValueError):
    """The first thing wrong with a tree: where (`filters.0.resource.value`) and what."""

    def __init__(self, path: str, issue: str) -> None:
        super().__init__(f"{path}: {issue}")
        self.path = path
        self.issue = issue


def clean_filters(raw: Any) -> list[dict[str, Any]]:
    """The tree as upstream would store it; FilterProblem at the first thing it refuses."""
    budget = [MAX_FILTERS]
    cleaned = _items(raw, "filters", 0, budget)
    if not cleaned:
        raise FilterProblem("filters", REQUIRED)
    return cleaned


def _items(raw: Any, path: str, depth: int, budget: list[int]) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise FilterProblem(path, f"Invalid input: expected array, received {js_type(raw)}")
    if depth > MAX_DEPTH:
        raise FilterProblem(path, f"Too deep: filter groups nest at most {MAX_DEPTH} levels")
    cleaned = [_item(item, f"{path}.{index}", depth, budget) for index, item in enumerate(raw)]
    first = cleaned[0] if cleaned else None
    if first is not None and isinstance(first["resource"], dict) and first["connector"] is not None:
        raise FilterProblem(path, FIRST_CONNECTOR)
    return cleaned


def _item(raw: Any, path: str, depth: int, budget: list[int]) -> dict[str, Any]:
    raw = _object(raw, path)
    budget[0] -= 1
    if budget[0] < 0:
        raise FilterProblem("filters", f"Too many filters: a segment has at most {MAX_FILTERS}")
    item_id = _id(raw, path)
    connector = raw.get("connector", _MISSING)
    if connector not in ("and", "or", None):
        raise FilterProblem(f"{path}.connector", 'Invalid option: expected one of "and"|"or"')
    resource = raw.get("resource")
    if isinstance(resource, list):
        group = _items(resource, f"{path}.resource", depth + 1, budget)
        return {"id": item_id, "connector": connector, "resource": group}
    leaf = _leaf(resource, f"{path}.resource")
    return {"id": item_id, "connector": connector, "resource": leaf}


def _leaf(raw: Any, path: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise FilterProblem(path, "Invalid input")
    leaf_id = _id(raw, path)
    root = _object(raw.get("root"), f"{path}.root")
    kind = root.get("type")
    if kind not in ROOTS:
        options = "|".join(f'"{name}"' for name in ROOTS)
        raise FilterProblem(f"{path}.root.type", f"Invalid option: expected one of {options}")
    name, operators = ROOTS[kind]
    _text(root.get(name, _MISSING), f"{path}.root.{name}")
    value = _value(raw.get("value"), f"{path}.value")
    qualifier = _object(raw.get("qualifier"), f"{path}.qualifier")
    operator = qualifier.get("operator")
    if operator not in operators:
        options = "|".join(f'"{option}"' for option in _ORDERED[kind])
        issue = f"Invalid option: expected one of {options}"
        raise FilterProblem(f"{path}.qualifier.operator", issue)
    if not _fits(operator, value):
        raise FilterProblem(path, WRONG_VALUE_TYPE)
    if not _meaningful(operator, value):
        raise FilterProblem(path, BAD_VALUE)
    return {
        "id": leaf_id,
        "root": {"type": kind, name: root[name]},
        "value": value,
        "qualifier": {"operator": operator},
    }


def _value(raw: Any, path: str) -> Any:
    """string | number | {amount, unit} | [string, string]; anything else fails the union."""
    if isinstance(raw, str):
        _text(raw, path)
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
        return raw
    if isinstance(raw, dict):
        amount, unit = raw.get("amount"), raw.get("unit")
        if _finite_number(amount) and unit in TIME_UNITS:
            return {"amount": amount, "unit": unit}
    if isinstance(raw, list) and len(raw) == 2 and all(isinstance(part, str) for part in raw):
        for index, part in enumerate(raw):
            _text(part, f"{path}.{index}")
        return list(raw)
    raise FilterProblem(path, "Invalid input")


def _fits(operator: str, value: Any) -> bool:
    """Upstream's first refinement: the value's type fits the operator."""
    if operator in ARITHMETIC_OPERATORS:
        return _finite_number(value)
    if operator in STRING_OPERATORS or operator in ("isBefore", "isAfter", "isSameDay"):
        return isinstance(value, str)
    if operator in ("isOlderThan", "isNewerThan"):
        return isinstance(value, dict)
    if operator == "isBetween":
        return isinstance(value, list)
    return True


def _meaningful(operator: str, value: Any) -> bool:
    """Upstream's second refinement: no empty strings, a positive relative amount."""
    if operator in ("isSet", "isNotSet"):
        return True
    if operator in ("isOlderThan", "isNewerThan"):
        return bool(value["amount"] > 0)
    if operator == "isBetween":
        return all(len(part) > 0 for part in value)
    if isinstance(value, str):
        return len(value) > 0
    return True


def _object(raw: Any, path: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise FilterProblem(path, f"Invalid input: expected object, received {js_type(raw)}")
    return raw


def _id(raw: dict[str, Any], path: str) -> str:
    value = raw.get("id", _MISSING)
    _text(value, f"{path}.id")
    if not is_cuid2(value):
        raise FilterProblem(f"{path}.id", "Invalid cuid2")
    return str(value)


def _text(value: Any, path: str) -> None:
    if not isinstance(value, str):
        received = "undefined" if value is _MISSING else js_type(value)
        raise FilterProblem(path, f"Invalid input: expected string, received {received}")
    if len(value) > MAX_TEXT:
        raise FilterProblem(path, f"Too big: expected string to have <={MAX_TEXT} characters")


def _finite_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
