"""questions ↔ blocks conversion (v1 surveys spec §4.2)."""

import copy
from typing import Any

from surveylink.core.ids import is_cuid2
from surveylink.surveys.transform import (
    blocks_to_questions,
    every_block_single,
    questions_to_blocks,
)

E2E_QUESTION = {
    "id": "jpvm9b73u06xdrhzi11k2h76",
    "type": "openText",
    "headline": {"default": "What would you like to know?"},
    "subheader": {"default": "This is an example survey."},
    "required": True,
    "placeholder": {"default": "Type your answer here..."},
    "inputType": "text",
    "insightsEnabled": False,
    "charLimit": {"enabled": False},
}
ENDING_ID = "endingcard00000000000001"


def open_text(question_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": question_id,
        "type": "openText",
        "headline": {"default": f"{question_id}?"},
        "required": False,
        **extra,
    }


def submitted(question_id: str, operator: str = "isSubmitted") -> dict[str, Any]:
    return {
        "id": f"cond{question_id}",
        "leftOperand": {"type": "question", "value": question_id},
        "operator": operator,
    }


def rule(
    rule_id: str, conditions: list[dict[str, Any]], *actions: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": rule_id,
        "conditions": {"id": f"group{rule_id}", "connector": "and", "conditions": conditions},
        "actions": list(actions),
    }


def jump(target: str, objective: str = "jumpToQuestion") -> dict[str, Any]:
    return {"id": f"jump{target}", "objective": objective, "target": target}


def test_each_question_becomes_a_block_with_a_fresh_cuid2() -> None:
    blocks = questions_to_blocks([E2E_QUESTION, open_text("q2")], [])

    assert [block["name"] for block in blocks] == ["Block 1", "Block 2"]
    assert all(is_cuid2(block["id"]) and len(block["id"]) == 24 for block in blocks)
    assert blocks[0] == {"id": blocks[0]["id"], "name": "Block 1", "elements": [E2E_QUESTION]}
    assert questions_to_blocks([E2E_QUESTION])[0]["id"] != blocks[0]["id"]


def test_the_e2e_question_round_trips_losslessly() -> None:
    blocks = questions_to_blocks([E2E_QUESTION], [])

    assert blocks[0]["elements"][0]["id"] == "jpvm9b73u06xdrhzi11k2h76"
    assert blocks_to_questions(blocks) == [E2E_QUESTION]


def test_input_is_not_mutated() -> None:
    questions = [open_text("q1", buttonLabel={"default": "Next"}, isDraft=True)]
    before = copy.deepcopy(questions)

    questions_to_blocks(questions)

    assert questions == before


def test_labels_and_logic_move_to_the_block_and_jumps_target_blocks() -> None:
    questions = [
        open_text(
            "q1",
            buttonLabel={"default": "Next"},
            backButtonLabel={"default": "Back"},
            logic=[rule("r1", [submitted("q1")], jump("q2"), jump(ENDING_ID), jump("nowhere"))],
            logicFallback="q2",
        ),
        open_text("q2", logicFallback=ENDING_ID),
        open_text("q3", logicFallback="unknown"),
    ]

    blocks = questions_to_blocks(questions, [{"id": ENDING_ID, "type": "endScreen"}])

    first, second, third = blocks
    assert first["elements"] == [open_text("q1")]
    assert first["buttonLabel"] == {"default": "Next"}
    assert first["backButtonLabel"] == {"default": "Back"}
    assert first["logicFallback"] == second["id"]
    [block_rule] = first["logic"]
    assert block_rule["conditions"]["conditions"][0]["leftOperand"] == {
        "type": "element",
        "value": "q1",
    }
    assert block_rule["actions"] == [
        {"id": "jumpq2", "objective": "jumpToBlock", "target": second["id"]},
        {"id": f"jump{ENDING_ID}", "objective": "jumpToBlock", "target": ENDING_ID},
        {"id": "jumpnowhere", "objective": "jumpToBlock", "target": "nowhere"},
    ]
    assert second["logicFallback"] == ENDING_ID
    assert "logicFallback" not in third  # neither a question nor an ending
    assert "buttonLabel" not in second


def test_questions_with_logic_round_trip() -> None:
    endings = [{"id": ENDING_ID, "type": "endScreen"}]
    questions = [
        open_text(
            "q1",
            buttonLabel={"default": "Next"},
            logic=[rule("r1", [submitted("q1")], jump("q2"), jump(ENDING_ID))],
            logicFallback="q2",
        ),
        open_text("q2", backButtonLabel={"default": "Back"}, logicFallback=ENDING_ID),
    ]

    blocks = questions_to_blocks(questions, endings)

    assert blocks_to_questions(blocks, endings) == questions


def test_is_draft_is_not_stored() -> None:
    [block] = questions_to_blocks([open_text("q1", isDraft=True)])

    assert block["elements"] == [open_text("q1")]


def test_external_cta_keeps_its_button_as_cta_button_label() -> None:
    cta = {
        "id": "cta",
        "type": "cta",
        "headline": {"default": "Visit"},
        "required": False,
        "buttonExternal": True,
        "buttonUrl": "https://example.com",
        "buttonLabel": {"default": "Go"},
        "dismissButtonLabel": {"default": "Skip"},
    }

    [block] = questions_to_blocks([cta])

    assert block["elements"] == [
        {
            "id": "cta",
            "type": "cta",
            "headline": {"default": "Visit"},
            "required": False,
            "buttonExternal": True,
            "buttonUrl": "https://example.com",
            "ctaButtonLabel": {"default": "Go"},
        }
    ]
    assert "buttonLabel" not in block
    [question] = blocks_to_questions([block])
    assert question["buttonLabel"] == question["ctaButtonLabel"] == {"default": "Go"}


def test_non_external_cta_loses_its_button_fields() -> None:
    cta = {
        "id": "cta",
        "type": "cta",
        "headline": {"default": "Hi"},
        "required": True,
        "buttonExternal": True,
        "buttonUrl": "",
        "buttonLabel": {"default": "Next"},
    }

    [block] = questions_to_blocks([cta])

    assert block["elements"] == [
        {"id": "cta", "type": "cta", "headline": {"default": "Hi"}, "required": True}
    ]


def test_logic_on_impossible_cta_events_is_dropped() -> None:
    inner = {"id": "cta", "type": "cta", "headline": {"default": "Hi"}, "required": False}
    outer = {**inner, "id": "ext", "buttonExternal": True, "buttonUrl": "https://example.com"}
    q3 = open_text(
        "q3",
        logic=[
            rule("gone", [submitted("cta", "isClicked")], jump("q3")),
            rule("kept", [submitted("cta", "isSkipped"), submitted("q3")], jump("q3")),
            rule("gone2", [submitted("ext", "isSkipped")], jump("q3")),
            rule("ext", [submitted("ext", "isClicked")], jump("q3")),
        ],
    )
    q4 = open_text("q4", logic=[rule("only", [submitted("cta", "isClicked")], jump("q3"))])

    blocks = questions_to_blocks([inner, outer, q3, q4])

    logic = blocks[2]["logic"]
    assert [item["id"] for item in logic] == ["kept", "ext"]
    assert [c["leftOperand"]["value"] for c in logic[0]["conditions"]["conditions"]] == ["q3"]
    assert "logic" not in blocks[3]


def test_blocks_to_questions_takes_the_first_element_and_skips_empty_blocks() -> None:
    on_element = {"id": "c", "leftOperand": {"type": "element", "value": "q3"}, "operator": "isSet"}
    blocks: list[dict[str, Any]] = [
        {"id": "b1", "name": "Block 1", "elements": [open_text("q1"), open_text("q2")]},
        {"id": "b2", "name": "Block 2", "elements": []},
        {
            "id": "b3",
            "name": "Block 3",
            "elements": [open_text("q3")],
            "buttonLabel": {"default": "Go on"},
            "logic": [
                rule(
                    "r",
                    [on_element],
                    jump("b1", "jumpToBlock"),
                )
            ],
            "logicFallback": "missing",
        },
    ]

    questions = blocks_to_questions(blocks)

    assert [q["id"] for q in questions] == ["q1", "q3"]
    third = questions[1]
    assert third["buttonLabel"] == {"default": "Go on"}
    assert "logicFallback" not in third
    assert third["logic"][0]["actions"] == [
        {"id": "jumpb1", "objective": "jumpToQuestion", "target": "q1"}
    ]
    assert third["logic"][0]["conditions"]["conditions"][0]["leftOperand"]["type"] == "question"


def test_every_block_single() -> None:
    one = {"id": "b", "name": "B", "elements": [open_text("q1")]}
    two = {"id": "c", "name": "C", "elements": [open_text("q2"), open_text("q3")]}

    assert every_block_single([one, one]) is True
    assert every_block_single([]) is False
    assert every_block_single([one, two]) is False
    assert every_block_single([{"id": "d", "name": "D", "elements": []}]) is False


def test_unvalidated_input_passes_through_for_validation_to_report() -> None:
    blocks = questions_to_blocks(["not a question", {"type": "openText", "logic": None}])

    assert blocks[0]["elements"] == ["not a question"]
    assert blocks[1]["elements"] == [{"type": "openText"}]
    assert blocks[1]["logic"] is None
