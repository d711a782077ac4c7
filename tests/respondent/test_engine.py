"""The step engine on its own: what comes next, and what a step back undoes."""

from typing import Any

from surveylink.respondent import engine
from surveylink.surveys.document import load
from tests.respondent.helpers import question
from tests.respondent.surveys import block, calculate, ending, jump, require, rule, text, when

SCORE = "v0score000000000000000000"


def _survey(**fields: Any) -> dict[str, Any]:
    return {
        "id": "s",
        "name": "Engine",
        "variables": [{"id": SCORE, "name": "score", "type": "number", "value": 5}],
        "blocks": [
            block(
                "b1",
                question("rate", "rating", "Rate", scale="number", range=5),
                logic=[
                    rule(
                        [when("rate", "isLessThan", 3)], require("why"), calculate(SCORE, "add", 1)
                    ),
                    rule([when("rate", "equals", 1)], jump("e1"), jump("b3")),
                ],
            ),
            block("b2", text("why", "Why?", required=False)),
            block("b3", text("last", "Last?", required=False)),
        ],
        "endings": [ending("e1", "Bye")],
        **fields,
    }


def test_a_met_rule_requires_calculates_and_its_first_jump_wins() -> None:
    survey = load(_survey())
    start = engine.begin(survey, None)

    step = engine.submit(survey, start, {}, {"rate": 1}, "default")

    assert (step.finished, step.ending_id, step.progress.card) == (True, "e1", "e1")
    assert step.progress.forced == ["why"]
    assert step.variables == {SCORE: 6}


def test_back_restores_the_variables_and_undoes_required() -> None:
    survey = load(_survey())
    moved = engine.submit(survey, engine.begin(survey, None), {}, {"rate": 2}, "default").progress

    back = engine.back(survey, moved)

    assert moved.card == "b2"
    assert engine.is_required(survey.blocks[1].elements[0], moved) is True
    assert (back.card, back.history, back.variables, back.forced) == ("b1", [], {SCORE: 5}, [])
    assert engine.is_required(survey.blocks[1].elements[0], back) is False


def test_no_rule_met_goes_to_the_next_block_and_past_the_last_finishes_unstored() -> None:
    survey = load(_survey())
    first = engine.submit(survey, engine.begin(survey, None), {}, {"rate": 4}, "default")
    second = engine.submit(survey, first.progress, {"rate": 4}, {}, "default")
    third = engine.submit(survey, second.progress, {"rate": 4}, {}, "default")

    assert (first.progress.card, second.progress.card) == ("b2", "b3")
    assert (third.finished, third.ending_id, third.progress.card) == (True, None, "e1")
    assert third.progress.history == ["b1", "b2", "b3"]


def test_start_at_and_the_welcome_card() -> None:
    welcome = load(_survey(welcomeCard={"enabled": True, "headline": {"default": "Hi"}}))

    assert engine.begin(welcome, None).card == engine.START
    assert engine.begin(welcome, "last").card == "b3"
    assert engine.begin(welcome, "start").card == "b1"  # upstream finds no block "start"
    assert engine.begin(welcome, "nope").card == engine.START
    clicked = engine.submit(welcome, engine.begin(welcome, None), {}, {}, "default")
    assert (clicked.progress.card, clicked.progress.history, clicked.variables) == (
        "b1",
        [engine.START],
        {},
    )
