"""The survey page's cards as template contexts: the welcome card, a block of elements, an
ending. Pure; what to show is decided by the engine, how it reads by views.py."""

import time

from surveylink.respondent import engine
from surveylink.respondent.admission import Admitted, Page, Visit
from surveylink.respondent.answers import Form
from surveylink.respondent.engine import Progress
from surveylink.respondent.logic import Data
from surveylink.respondent.refill import prefill_form, stored_form
from surveylink.respondent.texts import WORDS, html_lang
from surveylink.respondent.views import Shown, element_view, ending_view
from surveylink.surveys.document import Block

WELCOME = -1


def step_index(admitted: Admitted, progress: Progress) -> int:
    """The number of the card in the page's address (`?step=`): the block's index, -1 for the
    welcome card."""
    if progress.card == engine.START:
        return WELCOME
    return admitted.survey.block_index(progress.card)


def shown(admitted: Admitted, visit: Visit, data: Data, progress: Progress) -> Shown:
    seed = f"{admitted.survey_id}:{admitted.contact_id}"
    return Shown(admitted.language, visit.base_url, data, progress.variables, seed)


def base_context(admitted: Admitted, visit: Visit) -> dict[str, object]:
    return {
        "title": admitted.row.name,
        "lang": html_lang(admitted.survey, admitted.language),
        "preview": visit.preview,
    }


def welcome_page(admitted: Admitted, visit: Visit, data: Data, progress: Progress) -> Page:
    """Upstream's welcome card; its button is a form post, as upstream records the click."""
    card = admitted.survey.welcome_card
    say = shown(admitted, visit, data, progress).say
    context = base_context(admitted, visit)
    context["welcome"] = {
        "headline": say(card.headline),
        "subheader": say(card.html or card.subheader),
        "button_label": say(card.button_label) or WORDS["next"],
        "step": WELCOME,
        "shown": int(time.time() * 1000),
    }
    return Page("survey.html", 200, context)


def block_page(
    admitted: Admitted,
    visit: Visit,
    progress: Progress,
    data: Data,
    *,
    form: Form | None,
    errors: dict[str, str],
) -> Page:
    survey = admitted.survey
    block = engine.current_block(survey, progress) or Block(id="", elements=[])
    index = survey.block_index(block.id)
    last = index >= len(survey.blocks) - 1
    texts = shown(admitted, visit, data, progress)
    context = base_context(admitted, visit)
    context.update(
        step=max(index, 0),
        total=max(len(survey.blocks), 1),
        elements=[
            element_view(e, texts, required=engine.is_required(e, progress)) for e in block.elements
        ],
        form=form if form is not None else known_form(admitted, visit, block, data),
        errors=errors,
        first_error=next(iter(errors), None),
        shown=int(time.time() * 1000),
        back_label=texts.say(block.back_button_label) or WORDS["back"],
        show_back=engine.shows_back(survey, progress),
        next_label=texts.say(block.button_label) or WORDS["finish" if last else "next"],
        words=WORDS,
    )
    return Page("survey.html", 422 if errors else 200, context)


def known_form(admitted: Admitted, visit: Visit, block: Block, data: Data) -> Form:
    """Answers already given (resuming or going back), else upstream's query prefill."""
    form: Form = {}
    for element in block.elements:
        if element.id in data:
            form.update(stored_form(element, data[element.id], admitted.language))
        elif visit.param(element.id):
            form.update(prefill_form(element, visit.param(element.id), admitted.language))
    return form


def ending_page(
    admitted: Admitted, visit: Visit, progress: Progress, data: Data, ending_id: str | None
) -> Page:
    """The ending reached; past the last block, the survey's first ending (upstream shows it
    without storing it), else upstream's default card."""
    survey = admitted.survey
    ending = survey.ending(ending_id or progress.card) or (
        survey.endings[0] if survey.endings else None
    )
    context = base_context(admitted, visit)
    context["ending"] = ending_view(ending, shown(admitted, visit, data, progress))
    return Page("survey.html", 200, context)
