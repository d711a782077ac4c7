"""Surveys with logic built like upstream's templates (apps/web/app/lib/templates.ts): blocks,
jumps, required answers, variables and recall, sent as a v1 client sends them."""

from typing import Any

from surveylink.core.ids import cuid2
from tests.respondent.helpers import i18n, question


def rule(
    conditions: list[dict[str, Any]], *actions: dict[str, Any], connector: str = "and"
) -> dict[str, Any]:
    return {
        "id": cuid2(),
        "conditions": {"id": cuid2(), "connector": connector, "conditions": conditions},
        "actions": list(actions),
    }


def when(left: str, operator: str, right: Any = None, kind: str = "element") -> dict[str, Any]:
    condition: dict[str, Any] = {
        "id": cuid2(),
        "leftOperand": {"type": kind, "value": left},
        "operator": operator,
    }
    if right is not None:
        condition["rightOperand"] = {"type": "static", "value": right}
    return condition


def jump(target: str) -> dict[str, Any]:
    return {"id": cuid2(), "objective": "jumpToBlock", "target": target}


def require(target: str) -> dict[str, Any]:
    return {"id": cuid2(), "objective": "requireAnswer", "target": target}


def calculate(variable: str, operator: str, value: Any, kind: str = "static") -> dict[str, Any]:
    return {
        "id": cuid2(),
        "objective": "calculate",
        "variableId": variable,
        "operator": operator,
        "value": {"type": kind, "value": value},
    }


def block(block_id: str, *elements: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"id": block_id, "name": f"Block {block_id[:4]}", "elements": list(elements), **fields}


def ending(ending_id: str, headline: str) -> dict[str, Any]:
    return {"id": ending_id, "type": "endScreen", "headline": i18n(headline)}


def text(element_id: str, headline: str, *, required: bool = True) -> dict[str, Any]:
    return question(
        element_id, "openText", headline, required=required, inputType="text", charLimit={}
    )


class Nps:
    """Upstream's NPS pattern: detractors are asked what disappointed them, passives what
    would make it a 10, promoters what they love; each branch ends on its own card."""

    B_SCORE, B_PASSIVE, B_DETRACTOR, B_PROMOTER = cuid2(), cuid2(), cuid2(), cuid2()
    E_THANKS, E_SORRY, E_QUIET = cuid2(), cuid2(), cuid2()

    @classmethod
    def survey(cls, **fields: Any) -> dict[str, Any]:
        return {
            "questions": [],
            "blocks": [
                block(
                    cls.B_SCORE,
                    question("nps", "nps", "How likely are you to recommend us?"),
                    logic=[
                        rule([when("nps", "isLessThanOrEqual", 6)], jump(cls.B_DETRACTOR)),
                        rule([when("nps", "isGreaterThanOrEqual", 9)], jump(cls.B_PROMOTER)),
                    ],
                ),
                block(
                    cls.B_PASSIVE,
                    text("passive", "What would make it a 10?", required=False),
                    logic=[rule([when("passive", "isSkipped")], jump(cls.E_QUIET))],
                    logicFallback=cls.E_THANKS,
                ),
                block(
                    cls.B_DETRACTOR,
                    text("detractor", "What disappointed you, #recall:name/fallback:friend#?"),
                    logic=[rule([when("detractor", "isSubmitted")], jump(cls.E_SORRY))],
                ),
                block(cls.B_PROMOTER, text("promoter", "What do you love?", required=False)),
            ],
            "endings": [
                ending(cls.E_THANKS, "Thanks!"),
                ending(cls.E_SORRY, "Sorry to hear that, #recall:name/fallback:friend#."),
                ending(cls.E_QUIET, "Thanks anyway."),
            ],
            "hiddenFields": {"enabled": True, "fieldIds": ["name"]},
            **fields,
        }


class Csat:
    """CSAT with a follow-up that only unhappy respondents must answer (requireAnswer)."""

    B_RATE, B_WHY = cuid2(), cuid2()

    @classmethod
    def survey(cls) -> dict[str, Any]:
        return {
            "questions": [],
            "blocks": [
                block(
                    cls.B_RATE,
                    question("csat", "rating", "How satisfied are you?", scale="number", range=5),
                    logic=[rule([when("csat", "isLessThanOrEqual", 2)], require("why"))],
                ),
                block(cls.B_WHY, text("why", "What should we improve?", required=False)),
            ],
            "endings": [ending(cuid2(), "Thank you!")],
        }


class Quiz:
    """Calculated scores: a number and a text variable, a hidden field that skips a block,
    recall of a variable, and a jump to the ending the score earned."""

    B_ADD, B_PICK, B_RESULT = cuid2(), cuid2(), cuid2()
    E_PASS, E_FAIL = cuid2(), cuid2()
    SCORE, GRADE = cuid2(), cuid2()

    @classmethod
    def survey(cls) -> dict[str, Any]:
        choices = [
            {"id": key, "label": i18n(label)} for key, label in (("four", "4"), ("five", "5"))
        ]
        primes = [
            {"id": key, "label": i18n(label)}
            for key, label in (("two", "2"), ("three", "3"), ("nine", "9"))
        ]
        return {
            "questions": [],
            "variables": [
                {"id": cls.SCORE, "name": "score", "type": "number", "value": 1},
                {"id": cls.GRADE, "name": "grade", "type": "text", "value": ""},
            ],
            "hiddenFields": {"enabled": True, "fieldIds": ["plan"]},
            "blocks": [
                block(
                    cls.B_ADD,
                    question("sum", "multipleChoiceSingle", "2 + 2?", choices=choices),
                    logic=[
                        rule(
                            [when("sum", "equals", "four")],
                            calculate(cls.SCORE, "add", 9),
                            calculate(cls.GRADE, "concat", "A"),
                        ),
                        rule(
                            [when("plan", "equals", "pro", kind="hiddenField")], jump(cls.B_RESULT)
                        ),
                    ],
                ),
                block(
                    cls.B_PICK,
                    question("primes", "multipleChoiceMulti", "Pick the primes", choices=primes),
                    logic=[
                        rule(
                            [when("primes", "includesAllOf", ["two", "three"])],
                            calculate(cls.SCORE, "multiply", 2),
                            calculate(cls.GRADE, "concat", "+"),
                        ),
                    ],
                ),
                block(
                    cls.B_RESULT,
                    text("name", "Score so far: #recall:" + cls.SCORE + "/fallback:none#. Name?"),
                    logic=[
                        rule(
                            [when(cls.SCORE, "isGreaterThanOrEqual", 20, kind="variable")],
                            jump(cls.E_PASS),
                        )
                    ],
                    logicFallback=cls.E_FAIL,
                ),
            ],
            "endings": [
                ending(
                    cls.E_PASS,
                    "Well done #recall:name/fallback:you#: #recall:" + cls.GRADE + "/fallback:-#",
                ),
                ending(cls.E_FAIL, "Try again"),
            ],
        }
