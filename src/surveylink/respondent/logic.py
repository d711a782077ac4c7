"""Block logic as upstream's renderer evaluates it (packages/surveys/src/lib/logic.ts). Pure.

`evaluate_logic` decides a condition group against the answers so far (`data`, which also holds
the hidden fields) and the variables; `perform_actions` runs a met rule's actions. Every
operator, operand and coercion follows upstream's code, including its quirks: an element that
does not exist gives `undefined`, an exception inside a condition makes it false, choice answers
are compared by the id of the choice whose label matches.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import JsonValue

from surveylink.respondent import js
from surveylink.respondent.js import UNDEFINED, Value
from surveylink.surveys.document import (
    Action,
    CalculateAction,
    ConditionGroup,
    DateElement,
    DynamicOperand,
    Element,
    FileUpload,
    JumpAction,
    Matrix,
    MultipleChoice,
    OpenText,
    PictureSelection,
    SingleCondition,
    StaticOperand,
    SurveyDocument,
    Variable,
    localized,
)

Data = dict[str, JsonValue]
Variables = dict[str, JsonValue]


def evaluate_logic(
    survey: SurveyDocument,
    data: Data,
    variables: Variables,
    group: ConditionGroup,
    language: str,
) -> bool:
    """Whether a condition group holds: "and" needs every member, "or" any (an empty "and"
    group holds, an empty "or" group does not)."""
    results = [
        evaluate_logic(survey, data, variables, condition, language)
        if isinstance(condition, ConditionGroup)
        else _single(survey, data, variables, condition, language)
        for condition in group.conditions
    ]
    return any(results) if group.connector == "or" else all(results)


@dataclass
class Outcome:
    jump_target: str | None = None
    required_ids: list[str] = field(default_factory=list)
    calculations: Variables = field(default_factory=dict)


def perform_actions(
    survey: SurveyDocument, actions: list[Action], data: Data, variables: Variables
) -> Outcome:
    """A met rule's actions in order: calculations update the variables as they go, every
    required element is collected, and the first jump wins."""
    outcome = Outcome(calculations=dict(variables))
    for action in actions:
        if isinstance(action, CalculateAction):
            result = _calculate(survey, action, data, outcome.calculations)
            if not isinstance(result, js.Undefined):
                outcome.calculations[action.variable_id] = result
        elif isinstance(action, JumpAction):
            if action.objective == "jumpToBlock" and not outcome.jump_target:
                outcome.jump_target = action.target
        else:
            outcome.required_ids.append(action.target)
    return outcome


# --- operands --------------------------------------------------------------------------------


def _variable_value(variable: Variable | None, variables: Variables) -> Value:
    if variable is None:
        return UNDEFINED
    value = variables.get(variable.id, UNDEFINED)
    if variable.type == "number":
        number = js.number(value)
        return 0 if math.isnan(number) or number == 0 else _plain(number)
    return value if js.truthy(value) else ""


def _plain(number: float) -> int | float:
    return int(number) if number == int(number) and abs(number) < 2**53 else number


def _left_value(
    survey: SurveyDocument, data: Data, variables: Variables, operand: DynamicOperand, language: str
) -> Value:
    if operand.type == "variable":
        return _variable_value(survey.variable(operand.value), variables)
    if operand.type == "hiddenField":
        return data.get(operand.value, UNDEFINED)
    if operand.type != "element":
        return UNDEFINED
    element = survey.element(operand.value)
    if element is None:
        return UNDEFINED
    answer = data.get(operand.value, UNDEFINED)
    if isinstance(element, OpenText) and element.input_type == "number":
        return _number_answer(answer)
    if isinstance(element, MultipleChoice):
        if isinstance(answer, str):
            return _choice_id(element, answer, language)
        if isinstance(answer, list):
            return _choice_ids(element, answer, language)
    if isinstance(element, Matrix) and isinstance(answer, dict):
        row = (operand.meta or {}).get("row")
        if row is not None:
            return _matrix_column(element, answer, row, language)
    return answer


def _number_answer(answer: Value) -> Value:
    if answer is UNDEFINED or (isinstance(answer, str) and not answer.strip()):
        return UNDEFINED
    number = answer if isinstance(answer, int | float) else js.number(answer)
    return UNDEFINED if isinstance(number, float) and math.isnan(number) else number


def _choice_id(element: MultipleChoice, answer: str, language: str) -> Value:
    found = next((c.id for c in element.choices if localized(c.label, language) == answer), None)
    if found is not None:
        return found
    return "other" if any(c.id == "other" for c in element.choices) else UNDEFINED


def _choice_ids(element: MultipleChoice, answer: list[JsonValue], language: str) -> Value:
    others = any(choice.id == "other" for choice in element.choices)
    ids: dict[str, None] = {}
    for value in answer:
        found = next((c.id for c in element.choices if localized(c.label, language) == value), None)
        if found is not None:
            ids[found] = None
        elif others:
            ids["other"] = None
    return list(ids)


def _matrix_column(element: Matrix, answer: dict[str, JsonValue], row: str, language: str) -> Value:
    index = js.number(row)
    if math.isnan(index) or index < 0 or index >= len(element.rows):
        return UNDEFINED
    chosen = answer.get(localized(element.rows[int(index)].label, language), UNDEFINED)
    if chosen == "":
        return ""
    if not js.truthy(chosen):
        return UNDEFINED
    columns = [localized(column.label, language) for column in element.columns]
    return str(columns.index(chosen)) if chosen in columns else UNDEFINED


def _right_value(
    survey: SurveyDocument,
    data: Data,
    variables: Variables,
    operand: DynamicOperand | StaticOperand,
) -> Value:
    if isinstance(operand, StaticOperand):
        return list(operand.value) if isinstance(operand.value, list) else operand.value
    if operand.type == "variable":
        return _variable_value(survey.variable(operand.value), variables)
    if operand.type in ("element", "hiddenField"):
        return data.get(operand.value, UNDEFINED)
    return UNDEFINED


# --- one condition ---------------------------------------------------------------------------


@dataclass
class _Sides:
    left: Value
    right: Value
    left_element: Element | None  # set when the left operand is an existing element
    right_element: Element | None


def _single(
    survey: SurveyDocument,
    data: Data,
    variables: Variables,
    condition: SingleCondition,
    language: str,
) -> bool:
    left_operand, right_operand = condition.left_operand, condition.right_operand
    left = _left_value(survey, data, variables, left_operand, language)
    right = _right_value(survey, data, variables, right_operand) if right_operand else UNDEFINED
    left_element = survey.element(left_operand.value) if left_operand.type == "element" else None
    right_element = (
        survey.element(right_operand.value)
        if isinstance(right_operand, DynamicOperand) and right_operand.type == "element"
        else None
    )
    if left_operand.type == "variable":
        variable = survey.variable(left_operand.value)
        if variable is None:
            return False  # upstream reads `.type` of the missing variable: it throws
        hidden_right = isinstance(right_operand, DynamicOperand) and (
            right_operand.type == "hiddenField"
        )
        if variable.type == "number" and hidden_right:
            right = js.number(right)
    check = _OPERATORS.get(condition.operator)
    if check is None:
        return False
    return check(_Sides(left, right, left_element, right_element))


def _date_pair(sides: _Sides, element: Element | None) -> tuple[float, float] | None:
    left, right = sides.left, sides.right
    if isinstance(element, DateElement) and isinstance(left, str) and isinstance(right, str):
        return js.date_ms(left), js.date_ms(right)
    return None


def _equals(sides: _Sides) -> bool:
    if pair := _date_pair(sides, sides.left_element):
        return pair[0] == pair[1]
    right_element = sides.right_element
    if right_element is not None:
        if isinstance(right_element, MultipleChoice) and right_element.type.endswith("Multi"):
            if isinstance(sides.right, list) and isinstance(sides.left, str):
                return len(sides.right) == 1 and js.includes(sides.right, sides.left)
            return False
        if pair := _date_pair(sides, right_element):
            return pair[0] == pair[1]
    left, right = sides.left, sides.right
    return _lone_choice(left, right) is True or js.strict_equal(left, right)


def _does_not_equal(sides: _Sides) -> bool:
    left, right = sides.left, sides.right
    picture = isinstance(sides.left_element, PictureSelection)
    if picture and isinstance(left, list) and left and isinstance(right, str):
        return not js.includes(left, right)
    if pair := _date_pair(sides, sides.left_element):
        return pair[0] != pair[1]
    right_element = sides.right_element
    if right_element is not None:
        if isinstance(right_element, MultipleChoice) and right_element.type.endswith("Multi"):
            if isinstance(right, list) and isinstance(left, str):
                return len(right) == 1 and not js.includes(right, left)
            return False
        if pair := _date_pair(sides, right_element):
            return pair[0] != pair[1]
    return _lone_choice(left, right) is False or not js.strict_equal(left, right)


def _lone_choice(left: Value, right: Value) -> bool | None:
    """Whether a one-item array answer holds a text operand; None when that test does not
    apply (upstream's `Array.isArray(l) && l.length === 1 && typeof r === "string"`)."""
    if isinstance(left, list) and len(left) == 1 and isinstance(right, str):
        return js.includes(left, right)
    return None


def _is_submitted(sides: _Sides) -> bool:
    left = sides.left
    if isinstance(left, str):
        if isinstance(sides.left_element, FileUpload) and left:
            return left != "skipped"
        return left != ""
    if isinstance(left, list):
        return len(left) > 0
    return isinstance(left, int | float) and not isinstance(left, bool)


def _is_skipped(sides: _Sides) -> bool:
    left = sides.left
    return (
        (isinstance(left, list) and not left)
        or left == ""
        or left is None
        or left is UNDEFINED
        or (isinstance(left, dict) and not left)
    )


def _compare(sides: _Sides) -> tuple[float, float]:
    return js.number(sides.left), js.number(sides.right)


def _arrays(sides: _Sides) -> tuple[list[JsonValue], list[JsonValue]] | None:
    if isinstance(sides.left, list) and isinstance(sides.right, list):
        return sides.left, sides.right
    return None


def _object_values(value: Value) -> list[JsonValue] | None:
    """`Object.values(value)` where upstream tests `typeof value === "object"`; a string or
    number answer gives None (upstream's `false`), `null` throws (so false)."""
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return list(value)
    return None


def _partially(sides: _Sides) -> bool:
    values = _object_values(sides.left)
    return values is not None and js.includes(values, "")


def _completely(sides: _Sides) -> bool:
    values = _object_values(sides.left)
    return values is not None and len(values) > 0 and not js.includes(values, "")


def _is_set(sides: _Sides) -> bool:
    return sides.left is not UNDEFINED and sides.left is not None and sides.left != ""


def _date_compare(sides: _Sides) -> tuple[float, float]:
    return js.date_ms(js.string(sides.left)), js.date_ms(js.string(sides.right))


def _any_of(sides: _Sides) -> bool:
    return (
        isinstance(sides.right, list)
        and isinstance(sides.left, str)
        and js.includes(sides.right, sides.left)
    )


def _text(sides: _Sides) -> tuple[str, str]:
    return js.string(sides.left), js.string(sides.right)


_OPERATORS: dict[str, Callable[[_Sides], bool]] = {
    "equals": _equals,
    "doesNotEqual": _does_not_equal,
    "contains": lambda s: _text(s)[1] in _text(s)[0],
    "doesNotContain": lambda s: _text(s)[1] not in _text(s)[0],
    "startsWith": lambda s: _text(s)[0].startswith(_text(s)[1]),
    "doesNotStartWith": lambda s: not _text(s)[0].startswith(_text(s)[1]),
    "endsWith": lambda s: _text(s)[0].endswith(_text(s)[1]),
    "doesNotEndWith": lambda s: not _text(s)[0].endswith(_text(s)[1]),
    "isSubmitted": _is_submitted,
    "isSkipped": _is_skipped,
    "isGreaterThan": lambda s: _compare(s)[0] > _compare(s)[1],
    "isLessThan": lambda s: _compare(s)[0] < _compare(s)[1],
    "isGreaterThanOrEqual": lambda s: _compare(s)[0] >= _compare(s)[1],
    "isLessThanOrEqual": lambda s: _compare(s)[0] <= _compare(s)[1],
    "equalsOneOf": _any_of,
    "includesAllOf": lambda s: (
        (a := _arrays(s)) is not None and all(js.includes(a[0], v) for v in a[1])
    ),
    "includesOneOf": lambda s: (
        (a := _arrays(s)) is not None and any(js.includes(a[0], v) for v in a[1])
    ),
    "doesNotIncludeAllOf": lambda s: (
        (a := _arrays(s)) is not None and all(not js.includes(a[0], v) for v in a[1])
    ),
    "doesNotIncludeOneOf": lambda s: (
        (a := _arrays(s)) is not None and not any(js.includes(a[0], v) for v in a[1])
    ),
    "isAccepted": lambda s: s.left == "accepted",
    "isClicked": lambda s: s.left == "clicked",
    "isNotClicked": lambda s: s.left != "clicked",
    "isAfter": lambda s: _date_compare(s)[0] > _date_compare(s)[1],
    "isBefore": lambda s: _date_compare(s)[0] < _date_compare(s)[1],
    "isBooked": lambda s: s.left == "booked" or (js.truthy(s.left) and s.left != ""),
    "isPartiallySubmitted": _partially,
    "isCompletelySubmitted": _completely,
    "isSet": _is_set,
    "isNotEmpty": _is_set,
    "isNotSet": lambda s: not _is_set(s),
    "isEmpty": lambda s: s.left == "",
    "isAnyOf": _any_of,
}


# --- calculate -------------------------------------------------------------------------------


def _calculate(
    survey: SurveyDocument, action: CalculateAction, data: Data, calculations: Variables
) -> Value:
    variable = survey.variable(action.variable_id)
    if variable is None:
        return UNDEFINED
    current: Value = calculations.get(action.variable_id, UNDEFINED)
    if current is UNDEFINED:
        current = 0 if variable.type == "number" else ""
    operand: Value = UNDEFINED
    value = action.value
    if isinstance(value, StaticOperand):
        operand = list(value.value) if isinstance(value.value, list) else value.value
    elif value.type == "variable":
        found = calculations.get(value.value, UNDEFINED)
        if isinstance(found, int | float | str) and not isinstance(found, bool):
            operand = found
    elif value.type in ("element", "hiddenField"):
        found = data.get(value.value, UNDEFINED)
        if isinstance(found, int | float | str) and not isinstance(found, bool):
            operand = found  # upstream converts to a number, then assigns the raw value anyway
    if operand is UNDEFINED or operand is None:
        return UNDEFINED
    left, right = js.number(current), js.number(operand)
    if action.operator == "add":
        return _js_number(left + right)
    if action.operator == "subtract":
        return _js_number(left - right)
    if action.operator == "multiply":
        return _js_number(left * right)
    if action.operator == "divide":
        if right == 0:
            return UNDEFINED
        return _js_number(left / right if not math.isnan(right) else math.nan)
    if action.operator == "assign":
        return operand
    return js.string(current) + js.string(operand)


def _js_number(value: float) -> JsonValue:
    """A calculated number; NaN and infinities stay floats until they are stored (engine.py
    writes them as JSON null, as `JSON.stringify` does)."""
    if math.isnan(value) or math.isinf(value):
        return value
    return _plain(value)
