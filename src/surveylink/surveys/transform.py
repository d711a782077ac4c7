"""Legacy v1 `questions` ↔ stored `blocks` (v1 surveys spec §4.2). Pure; no validation.

Surveys are stored as blocks of elements. v1 still accepts and shows one question per block:
a question's button labels and logic belong to its block, its jumps target blocks, and CTA
questions carry their button in a different shape than CTA elements.

Input may be unvalidated (PUT converts before it validates), so anything that is not the
expected shape is passed through untouched for validation to report.
"""

import copy
from collections.abc import Iterable
from typing import Any

from surveylink.core.ids import cuid2

_MOVED_TO_BLOCK = ("buttonLabel", "backButtonLabel", "logic", "logicFallback")
Condition = dict[str, Any]


def every_block_single(blocks: list[dict[str, Any]]) -> bool:
    """Whether GET shows the survey as legacy questions: every block has exactly one element."""
    return bool(blocks) and all(len(block.get("elements") or []) == 1 for block in blocks)


def questions_to_blocks(questions: list[Any], endings: Iterable[Any] = ()) -> list[dict[str, Any]]:
    """One block per question, with fresh block ids."""
    questions = copy.deepcopy(questions)
    _migrate_ctas(questions)
    ending_ids = _ids(endings)
    block_of: dict[str, str] = {}
    blocks: list[dict[str, Any]] = []
    for index, question in enumerate(questions):
        block: dict[str, Any] = {"id": cuid2(), "name": f"Block {index + 1}"}
        if isinstance(question, dict):
            if isinstance(question.get("id"), str):
                block_of[question["id"]] = block["id"]
            element = {k: v for k, v in question.items() if k not in _MOVED_TO_BLOCK}
            element.pop("isDraft", None)  # editor-only flag, never stored
            block["elements"] = [element]
            block |= {key: question[key] for key in _MOVED_TO_BLOCK if key in question}
        else:
            block["elements"] = [question]
        blocks.append(block)
    for block in blocks:
        logic = block.get("logic")
        if isinstance(logic, list) and logic:
            block["logic"] = [_rule_to_block(rule, block_of) for rule in logic]
        fallback = block.get("logicFallback")
        if isinstance(fallback, str):
            target = block_of.get(fallback) or (fallback if fallback in ending_ids else None)
            if target is None:
                del block["logicFallback"]  # neither a question nor an ending
            else:
                block["logicFallback"] = target
    return blocks


def blocks_to_questions(
    blocks: list[dict[str, Any]], endings: Iterable[Any] = ()
) -> list[dict[str, Any]]:
    """The first element of each non-empty block, with the block's labels and logic on it."""
    ending_ids = _ids(endings)
    question_of = {block["id"]: block["elements"][0]["id"] for block in blocks if block["elements"]}
    questions = []
    for block in blocks:
        if not block["elements"]:
            continue
        question = copy.deepcopy(block["elements"][0])
        if question.get("type") == "cta" and _truthy(question.get("ctaButtonLabel")):
            question["buttonLabel"] = question["ctaButtonLabel"]
        if isinstance(block.get("logic"), list) and block["logic"]:
            question["logic"] = [_rule_to_question(rule, question_of) for rule in block["logic"]]
        fallback = block.get("logicFallback")
        if _truthy(fallback):
            target = question_of.get(fallback) or (fallback if fallback in ending_ids else None)
            if target is None:
                question.pop("logicFallback", None)
            else:
                question["logicFallback"] = target
        for key in ("buttonLabel", "backButtonLabel"):
            if _truthy(block.get(key)):
                question[key] = copy.deepcopy(block[key])
        questions.append(question)
    return questions


def _truthy(value: Any) -> bool:
    """JavaScript truthiness: unlike Python's, an empty object or array is true."""
    return value not in (None, False, 0, "") and value == value  # NaN is falsy


def _ids(items: Iterable[Any]) -> set[str]:
    return {
        item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)
    }


def _remap(target: Any, mapping: dict[str, str]) -> Any:
    """A jump target in the other form; endings and unknown targets are kept as they are."""
    return mapping.get(target, target) if isinstance(target, str) else target


# --- logic -----------------------------------------------------------------------------------


def _is_single(condition: Any) -> bool:
    return isinstance(condition, dict) and "leftOperand" in condition and "operator" in condition


def _is_group(condition: Any) -> bool:
    return isinstance(condition, dict) and "conditions" in condition


def _retype(condition: Any, old: str, new: str) -> Any:
    """The condition tree with operands of type `old` turned into `new`; None if not a condition."""
    if _is_single(condition):
        converted = dict(condition)
        for side in ("leftOperand", "rightOperand"):
            operand = condition.get(side)
            if isinstance(operand, dict) and operand.get("type") == old:
                converted[side] = {**operand, "type": new}
        return converted
    if _is_group(condition) and isinstance(condition["conditions"], list):
        nested = condition["conditions"]
        return {**condition, "conditions": [_retype(c, old, new) or c for c in nested]}
    return None


def _rule_to_block(rule: Any, block_of: dict[str, str]) -> Any:
    """Question operands become element operands; jumps to questions become jumps to blocks."""
    if not isinstance(rule, dict) or not isinstance(rule.get("actions"), list):
        return rule
    conditions = _retype(rule.get("conditions"), "question", "element")
    if not _is_group(conditions):
        return rule
    actions = [
        {**action, "objective": "jumpToBlock", "target": _remap(action.get("target"), block_of)}
        if isinstance(action, dict) and action.get("objective") == "jumpToQuestion"
        else action
        for action in rule["actions"]
    ]
    return {**rule, "conditions": conditions, "actions": actions}


def _rule_to_question(rule: dict[str, Any], question_of: dict[str, str]) -> dict[str, Any]:
    conditions = _retype(rule.get("conditions"), "element", "question")
    if not _is_group(conditions):
        return rule
    actions = [
        {**action, "objective": "jumpToQuestion", "target": _remap(action["target"], question_of)}
        if action.get("objective") == "jumpToBlock"
        else action
        for action in rule["actions"]
    ]
    return {**rule, "conditions": conditions, "actions": actions}


# --- CTA questions ---------------------------------------------------------------------------


def _migrate_ctas(questions: list[Any]) -> None:
    """CTA questions become CTA elements; logic on a CTA's clicks or skips that no longer means
    anything is dropped (a non-external CTA cannot be clicked or skipped, an external one
    cannot be skipped)."""
    external = {
        q["id"]: q.get("buttonExternal") is True and _truthy(q.get("buttonUrl"))
        for q in questions
        if isinstance(q, dict) and q.get("type") == "cta" and isinstance(q.get("id"), str)
    }
    if not external:
        return
    for question in questions:
        if isinstance(question, dict) and question.get("type") == "cta":
            if external.get(question.get("id")):
                if _truthy(question.get("buttonLabel")):
                    question["ctaButtonLabel"] = question["buttonLabel"]
            else:
                question.pop("buttonExternal", None)
                question.pop("buttonUrl", None)
            question.pop("buttonLabel", None)
            question.pop("dismissButtonLabel", None)
    for question in questions:
        if (
            isinstance(question, dict)
            and isinstance(question.get("logic"), list)
            and question["logic"]
        ):
            rules = (_without_cta(rule, external) for rule in question["logic"])
            kept = [rule for rule in rules if rule is not None]
            if kept:
                question["logic"] = kept
            else:
                del question["logic"]


def _without_cta(rule: Any, external: dict[str, bool]) -> Any:
    """The rule without conditions on CTAs that cannot happen; None when none is left."""
    if not isinstance(rule, dict) or not _is_group(rule.get("conditions")):
        return rule
    conditions = rule["conditions"]
    for cta_id, is_external in external.items():
        dropped = ["isSkipped"] if is_external else ["isClicked", "isSkipped"]
        if _mentions(conditions, cta_id, "isSkipped" if is_external else None):
            conditions = _drop(conditions, cta_id, dropped)
            if conditions is None:
                return None
    return {**rule, "conditions": conditions}


def _mentions(condition: Any, cta_id: str, operator: str | None) -> bool:
    if _is_single(condition):
        left = condition["leftOperand"]
        hit = isinstance(left, dict) and left.get("value") == cta_id
        return hit and (operator is None or condition["operator"] == operator)
    if _is_group(condition) and isinstance(condition["conditions"], list):
        return any(_mentions(c, cta_id, operator) for c in condition["conditions"])
    return False


def _drop(group: Condition, cta_id: str, operators: list[str]) -> Condition | None:
    kept = []
    for condition in group["conditions"] if isinstance(group["conditions"], list) else []:
        if _is_single(condition):
            left = condition["leftOperand"]
            hit = isinstance(left, dict) and left.get("value") == cta_id
            if hit and condition["operator"] in operators:
                continue
        elif _is_group(condition):
            cleaned = _drop(condition, cta_id, operators)
            if cleaned is None:
                continue
            condition = cleaned
        kept.append(condition)
    return {**group, "conditions": kept} if kept else None
