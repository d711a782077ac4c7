"""Structural schemas of question and block logic, and of element validation rules.

Only structure is checked here; upstream's semantic logic validators (operators allowed per
question type, referenced ids that exist, operand types) are not reproduced.
"""

from typing import Any, Literal

from surveylink.core.ids import is_cuid2
from surveylink.surveys.parsing import (
    Issues,
    Path,
    Schema,
    absent,
    array,
    at_least,
    cuid2,
    id_rules,
    min_items,
    min_length,
    number,
    obj,
    optional,
    options,
    prefault,
    record_of_strings,
    refined,
    soft,
    strict_empty,
    string,
    union,
)

Form = Literal["Question", "Element"]
ADDRESS_FIELDS = ("addressLine1", "addressLine2", "city", "state", "zip", "country")
CONTACT_FIELDS = ("firstName", "lastName", "email", "phone", "company")

_OPERATORS = (
    "equals", "doesNotEqual", "contains", "doesNotContain", "startsWith", "doesNotStartWith",
    "endsWith", "doesNotEndWith", "isSubmitted", "isSkipped", "isGreaterThan", "isLessThan",
    "isGreaterThanOrEqual", "isLessThanOrEqual", "equalsOneOf", "includesAllOf", "includesOneOf",
    "doesNotIncludeOneOf", "doesNotIncludeAllOf", "isClicked", "isNotClicked", "isAccepted",
    "isBefore", "isAfter", "isBooked", "isPartiallySubmitted", "isCompletelySubmitted", "isSet",
    "isNotSet", "isEmpty", "isNotEmpty", "isAnyOf",
)  # fmt: skip
NO_RIGHT_OPERAND = frozenset((
    "isSubmitted", "isSkipped", "isClicked", "isNotClicked", "isAccepted", "isBooked",
    "isPartiallySubmitted", "isCompletelySubmitted", "isSet", "isNotSet", "isEmpty", "isNotEmpty",
))  # fmt: skip
_CL = "Conditional Logic: "


def _dynamic(with_question: bool) -> Schema:
    def kind(name: str, noun: str) -> Schema:
        return obj(
            {
                "type": options(name),
                "value": string(min_length(1, f"{_CL}{noun} id cannot be empty")),
                "meta": optional(record_of_strings()),
            }
        )

    variable = obj(
        {
            "type": options("variable"),
            "value": string(
                lambda v: None if is_cuid2(v) else _CL + "Variable id must be a valid cuid",
                min_length(1, _CL + "Variable id cannot be empty"),
            ),
        }
    )
    hidden = obj(
        {
            "type": options("hiddenField"),
            "value": string(min_length(1, _CL + "Hidden field id cannot be empty")),
        }
    )
    members = [kind("element", "Element"), variable, hidden]
    if with_question:
        members.insert(0, kind("question", "Question"))
    return union(*members, error=_CL + "Invalid dynamic field value")


def _right_operand_rules(condition: dict[str, Any], path: Path, issues: Issues) -> None:
    operator, right = condition["operator"], condition.get("rightOperand")
    if operator in NO_RIGHT_OPERAND:
        if right is not None:
            soft(
                issues,
                (*path, "rightOperand"),
                f'{_CL}right operand should not be present for operator "{operator}"',
            )
    elif right is None:
        soft(
            issues,
            (*path, "rightOperand"),
            f'{_CL}right operand is required for operator "{operator}"',
        )
    elif right["type"] == "static" and right["value"] == "":
        soft(issues, path, f'{_CL}right operand value cannot be empty for operator "{operator}"')


def _condition_group(with_question: bool) -> Schema:
    dynamic = _dynamic(with_question)
    static = obj(
        {
            "type": options("static"),
            "value": union(string(), number(), array(string())),
        }
    )
    single = obj(
        {
            "id": string(cuid2()),
            "leftOperand": dynamic,
            "operator": options(*_OPERATORS),
            "rightOperand": optional(union(static, dynamic)),
            "connector": absent(),
        },
        _right_operand_rules,
    )

    built: list[Schema] = []

    def group(value: Any, path: Path, issues: Issues) -> Any:  # recursive, like zod's lazy()
        return built[0](value, path, issues)

    built.append(
        obj(
            {
                "id": string(cuid2()),
                "connector": options("and", "or"),
                "conditions": array(union(single, group)),
            }
        )
    )
    return group


def _no_divide_by_zero(action: dict[str, Any], path: Path, issues: Issues) -> None:
    value = action["value"]
    if action["operator"] == "divide" and value["type"] == "static" and value["value"] == 0:
        soft(issues, (*path, "value", "value"), _CL + "Cannot divide by zero")


def _actions(form: Form) -> Schema:
    dynamic = _dynamic(with_question=form == "Question")
    base: dict[str, Schema] = {"id": string(cuid2())}
    calculate = {**base, "objective": options("calculate"), "variableId": string()}
    text_value = obj(
        {
            "type": options("static"),
            "value": string(
                min_length(1, _CL + "Please enter a value in logic field"),
                error=_CL + "Value must be a string for text variable",
            ),
        }
    )
    number_value = obj(
        {
            "type": options("static"),
            "value": number(error=_CL + "Value must be a number for number variable"),
        }
    )
    text_ops = options("assign", "concat", error=_CL + "Invalid operator for a text variable")
    number_ops = options(
        "add",
        "subtract",
        "multiply",
        "divide",
        "assign",
        error=_CL + "Invalid operator for a number variable",
    )
    members = [
        obj({**calculate, "operator": text_ops, "value": union(text_value, dynamic)}),
        obj(
            {**calculate, "operator": number_ops, "value": union(number_value, dynamic)},
            _no_divide_by_zero,
        ),
    ]
    if form == "Question":
        target = string(min_length(1, _CL + "Target question id cannot be empty"))
        members.append(obj({**base, "objective": options("requireAnswer"), "target": target}))
        members.append(obj({**base, "objective": options("jumpToQuestion"), "target": target}))
    else:
        element_target = refined(
            string(min_length(1, _CL + "Target question id cannot be empty")), _valid_element_target
        )
        block_target = string(
            min_length(1, _CL + "Target block id cannot be empty"),
            lambda v: None if is_cuid2(v) else _CL + "Target block id is not a valid block id",
        )
        members.append(
            obj({**base, "objective": options("requireAnswer"), "target": element_target})
        )
        members.append(obj({**base, "objective": options("jumpToBlock"), "target": block_target}))
    return union(*members)


def _valid_element_target(target: str, path: Path, issues: Issues) -> None:
    probe: Issues = []
    id_rules("Element")(target, path, probe)
    if probe:  # upstream adds path ["target"] inside the target's own refinement: target.target
        soft(issues, (*path, "target"), _CL + "Target element id is not a valid element id")


def logic_rules(form: Form) -> Schema:
    return array(
        obj(
            {
                "id": string(cuid2()),
                "conditions": _condition_group(with_question=form == "Question"),
                "actions": array(_actions(form)),
            }
        )
    )


# --- element validation rules (blocks path only) --------------------------------------------

_RULE_TYPES = (
    "minLength", "maxLength", "pattern", "email", "url", "phone", "equals", "doesNotEqual",
    "contains", "doesNotContain", "minValue", "maxValue", "isGreaterThan", "isLessThan",
    "minSelections", "maxSelections", "minRanked", "rankAll", "minRowsAnswered", "answerAllRows",
    "isLaterThan", "isEarlierThan", "isBetween", "isNotBetween", "fileExtensionIs",
    "fileExtensionIsNot",
)  # fmt: skip


def _rule_params() -> Schema:
    def fields(**schemas: Schema) -> Schema:
        return obj(schemas)

    at_least_one = at_least(1)
    between = fields(startDate=string(), endDate=string())
    extensions = fields(extensions=array(string(), min_items(1)))
    return union(  # upstream's 26 members in order: the first that accepts decides the output
        fields(min=number(at_least(0))),
        fields(max=number(at_least_one)),
        fields(pattern=string(min_length(1)), flags=optional(string())),
        strict_empty(), strict_empty(), strict_empty(),
        fields(value=string()), fields(value=string()),
        fields(value=string()), fields(value=string()),
        fields(min=number()), fields(max=number()),
        fields(min=number()), fields(max=number()),
        fields(min=number(at_least_one)), fields(max=number(at_least_one)),
        fields(date=string()), fields(date=string()),
        between, between,
        fields(min=number(at_least_one)), strict_empty(),
        fields(min=number(at_least_one)), strict_empty(),
        extensions, extensions,
    )  # fmt: skip


def validation_rules() -> Schema:
    rule = obj(
        {
            "id": string(),
            "type": options(*_RULE_TYPES),
            "params": _rule_params(),
            "field": optional(options(*ADDRESS_FIELDS, *CONTACT_FIELDS, error="Invalid input")),
        }
    )
    return optional(obj({"rules": array(rule), "logic": prefault(options("and", "or"), "and")}))
