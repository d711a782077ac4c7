"""The welcome card's line under its button: time to finish and how many people responded,
with upstream's formula and texts (packages/surveys welcome-card.tsx, lib/utils.ts). Pure."""

import math
from collections.abc import Mapping
from typing import Any

from surveylink.respondent.i18n import Texts

SECONDS_PER_QUESTION = 15
MOST_MINUTES = 6
# Upstream shows the count only from this many responses on.
FEWEST_SHOWN = 4


def _element_index(survey: Mapping[str, Any], total_cards: int) -> int:
    """Upstream's calculateElementIdx for the first element: how far into the survey the
    first block's jumps lead (the middle when one reaches an ending)."""
    blocks = [block for block in survey.get("blocks") or [] if block.get("elements")]
    elements = [element for block in blocks for element in block["elements"]]
    middle = total_cards // 2
    targets = [
        action.get("target")
        for logic in blocks[0].get("logic") or []
        for action in logic.get("actions") or []
        if action.get("objective") == "jumpToBlock"
    ]
    first_ids = {block["elements"][0].get("id") for block in blocks if block.get("id") in targets}
    reached = [index for index, element in enumerate(elements) if element.get("id") in first_ids]
    index = 1
    if reached and reached[-1] > 0:
        index = min(middle, reached[-1] - 1)
    ending_ids = {ending.get("id") for ending in survey.get("endings") or []}
    if any(target in ending_ids for target in targets):
        index = middle
    return index


def time_to_finish(survey: Mapping[str, Any], texts: Texts) -> str:
    """ "Takes less than 2 minutes": 15 seconds a question, scaled by where the first jumps
    lead, never more than "6+ minutes"."""
    blocks = [block for block in survey.get("blocks") or [] if block.get("elements")]
    count = sum(len(block["elements"]) for block in blocks)
    if not count:
        return texts.ngettext("Takes 1 minute", "Takes {count} minutes", 0)
    total_cards = count + (1 if survey.get("endings") else 0)
    index = _element_index(survey, total_cards)
    seconds = count / index * SECONDS_PER_QUESTION if index else math.inf
    if seconds > MOST_MINUTES * 60:
        return texts.gettext("Takes {count}+ minutes", count=MOST_MINUTES)
    minutes, remaining = int(seconds // 60), seconds % 60
    if remaining > 0:
        return texts.ngettext(
            "Takes less than 1 minute", "Takes less than {count} minutes", max(minutes + 1, 1)
        )
    return texts.ngettext("Takes 1 minute", "Takes {count} minutes", minutes)


def people_responded(count: int, texts: Texts) -> str:
    return texts.ngettext("1 person responded", "{count} people responded", count)


def needs_response_count(survey: Mapping[str, Any]) -> bool:
    card = survey.get("welcomeCard") or {}
    return bool(card.get("enabled") and card.get("showResponseCount"))


def info(survey: Mapping[str, Any], responses: int | None, texts: Texts) -> dict[str, Any] | None:
    """What the card shows under its button, or None (upstream's three cases)."""
    card = survey.get("welcomeCard") or {}
    timed = bool(card.get("timeToFinish"))
    counted = bool(card.get("showResponseCount")) and (responses or 0) >= FEWEST_SHOWN
    people = people_responded(responses or 0, texts) if counted else ""
    if timed:
        line = time_to_finish(survey, texts)
        return {"time": True, "text": f"{line} ⋅ {people}" if people else line}
    if people:
        return {"time": False, "text": people}
    return None
