"""The step engine: which card comes next, as upstream's renderer decides it
(packages/surveys/src/components/general/survey.tsx, `onSubmit`, `onBack` and
`evaluateLogicAndGetNextBlockId`). Pure: a `Progress` goes in, the next one comes out.

A respondent's `Progress` is what upstream keeps in the browser's memory: the card shown, the
blocks submitted on the way (its `history`), the variables before each submit (its variable
stack), and the elements that logic made required. It is stored with the response, so a reload
or a later visit continues where it stopped and going back retraces the path actually taken.
"""

import math
from dataclasses import dataclass, field

from pydantic import BaseModel, JsonValue

from surveylink.respondent.logic import Data, Variables, evaluate_logic, perform_actions
from surveylink.surveys.document import Block, Element, SurveyDocument

START = "start"  # the welcome card
END = "end"  # past the last block of a survey without endings
_MAX_HISTORY = 10_000  # logic cannot cycle (validation refuses it); a bound all the same


class Progress(BaseModel):
    """Where a respondent is, and the path that led there."""

    card: str
    history: list[str] = []
    stack: list[Variables] = []
    variables: Variables = {}
    forced: list[str] = []  # element ids made required by `requireAnswer`
    required_by: dict[str, list[str]] = {}  # first element of a block -> ids it made required

    def stored(self) -> dict[str, JsonValue]:
        return self.model_copy(
            update={
                "stack": [storable(variables) for variables in self.stack],
                "variables": storable(self.variables),
            }
        ).model_dump()


@dataclass
class Step:
    """The outcome of submitting one card."""

    progress: Progress
    finished: bool
    ending_id: str | None  # the ending a jump reached; None past the last block
    variables: Variables = field(default_factory=dict)  # what this submit stores


def storable(variables: Variables) -> Variables:
    """Variables that can be stored: a calculation that gave NaN or an infinity is left out
    (upstream's browser sends it as null, which its server refuses with the whole response)."""
    return {
        key: value
        for key, value in variables.items()
        if not (isinstance(value, float) and not math.isfinite(value))
    }


def begin(survey: SurveyDocument, start_at: str | None) -> Progress:
    """The first card: `?startAt=` (an element's block; "start" with a welcome card gives the
    first block, as upstream's lookup of the id "start" finds no block), else the welcome card,
    else the first block. Variables start from their declared values."""
    variables: Variables = {variable.id: variable.value for variable in survey.variables}
    first = survey.blocks[0].id if survey.blocks else END
    valid = start_at is not None and (
        (start_at == START and survey.welcome_card.enabled) or survey.element(start_at) is not None
    )
    if valid and start_at is not None:
        block = survey.block_of(start_at)
        card = block.id if block else first
    else:
        card = START if survey.welcome_card.enabled else first
    return Progress(card=card, variables=variables)


def current_block(survey: SurveyDocument, progress: Progress) -> Block | None:
    index = survey.block_index(progress.card)
    return survey.blocks[index] if index >= 0 else None


def is_required(element: Element, progress: Progress) -> bool:
    return element.required or element.id in progress.forced


def shows_back(survey: SurveyDocument, progress: Progress) -> bool:
    """Upstream hides Back on the survey's first block (wherever the respondent came from) and
    when the survey hides it."""
    first = survey.blocks[0].id if survey.blocks else None
    return not survey.is_back_button_hidden and progress.card not in (first, START)


def submit(
    survey: SurveyDocument, progress: Progress, data: Data, answers: Data, language: str
) -> Step:
    """Submits the current card with its answers; `data` is every answer known before it
    (earlier answers, hidden fields). Block logic runs rule by rule on the answers so far:
    calculations carry over from one rule to the next, the first jump wins, the block's
    `logicFallback` applies when no rule jumped, else the next block in order."""
    if progress.card == START:
        first = survey.blocks[0].id if survey.blocks else _first_ending(survey)
        return _advance(survey, progress, first, {})
    block = current_block(survey, progress)
    if block is None:
        return Step(progress, finished=True, ending_id=None)
    local = {**data, **answers}
    calculations = dict(progress.variables)
    jump: str | None = None
    required: list[str] = []
    for rule in block.logic:
        if not evaluate_logic(survey, local, calculations, rule.conditions, language):
            continue
        outcome = perform_actions(survey, rule.actions, local, calculations)
        jump = jump or outcome.jump_target
        required += outcome.required_ids
        calculations = {**calculations, **outcome.calculations}
    jump = jump or block.logic_fallback
    index = survey.block_index(block.id)
    following = survey.blocks[index + 1].id if index + 1 < len(survey.blocks) else None
    next_card = jump or following
    forced = list(progress.forced)
    required_by = dict(progress.required_by)
    if required and block.elements:
        required_by[block.elements[0].id] = required
        forced += [element_id for element_id in required if element_id not in forced]
    moved = progress.model_copy(update={"forced": forced, "required_by": required_by})
    return _advance(survey, moved, next_card, calculations)


def _advance(
    survey: SurveyDocument, progress: Progress, next_card: str | None, calculations: Variables
) -> Step:
    finished = next_card is None or survey.block_index(next_card) < 0
    ending = survey.ending(next_card) if next_card else None
    if next_card is None:
        next_card = _first_ending(survey) or END
    moved = progress.model_copy(
        update={
            "card": next_card,
            "history": [*progress.history, progress.card][-_MAX_HISTORY:],
            "stack": [*progress.stack, progress.variables][-_MAX_HISTORY:],
            "variables": {**progress.variables, **calculations},
        }
    )
    return Step(moved, finished, ending.id if ending else None, calculations)


def _first_ending(survey: SurveyDocument) -> str | None:
    return survey.endings[0].id if survey.endings else None


def back(survey: SurveyDocument, progress: Progress) -> Progress:
    """One card back along the path taken (the previous block in order when there is no path,
    as after `?startAt=`); the variables return to what they were before that card was
    submitted, and what its logic made required is required no more."""
    history = list(progress.history)
    if history:
        previous = history.pop()
    else:
        index = survey.block_index(progress.card)
        if index <= 0:
            return progress  # upstream throws "Block not found"; we stay
        previous = survey.blocks[index - 1].id
    stack = list(progress.stack)
    variables = stack.pop() if stack else progress.variables
    forced, required_by = list(progress.forced), dict(progress.required_by)
    block = (
        survey.blocks[survey.block_index(previous)] if survey.block_index(previous) >= 0 else None
    )
    if block is not None and block.elements:
        reverted = required_by.pop(block.elements[0].id, [])
        forced = [element_id for element_id in forced if element_id not in reverted]
    return Progress(
        card=previous,
        history=history,
        stack=stack,
        variables=variables,
        forced=forced,
        required_by=required_by,
    )
