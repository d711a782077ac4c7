"""The personal-link page `/c/{token}`: admission (admission.py), then one card at a time, the
next one chosen by the step engine (engine.py), stored through the responses service
(persistence.py) and shown by presentation.py. docs/compatibility.md, "Respondent page", lists
where we differ from upstream."""

import time

from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.links import tokens
from surveylink.respondent import engine, looks, persistence, presentation, repository, uploads
from surveylink.respondent.admission import Admitted, Page, Visit, admit, message
from surveylink.respondent.answers import Form, parse, whole_number
from surveylink.respondent.engine import Progress, Step
from surveylink.respondent.logic import Data
from surveylink.respondent.refill import prefill_form
from surveylink.surveys.document import Block

__all__ = ["Page", "Visit", "message", "open_page", "submit_step"]
_MAX_TTC_MS = 86_400_000
WELCOME_CLICK: Data = {"welcomeCard": "clicked"}  # what upstream's welcome card submits


async def open_page(session: AsyncSession, keys: tokens.LinkKeys, visit: Visit) -> Page:
    """GET: a state page, or the current card; a fresh open records a Display."""
    skipping = visit.param("skipPrefilled") == "true"
    admitted = await admit(session, keys, visit, lock=skipping and not visit.preview)
    if isinstance(admitted, Page):
        return admitted
    if not visit.preview and not visit.param("step"):
        await repository.add_display(session, admitted.survey_id, admitted.contact_id)
    progress = _progress(admitted, visit, visit.param("step"))
    data = persistence.known_data(admitted, visit)
    outcome = await _skip_prefilled(session, admitted, visit, Step(progress, False, None), data)
    if not isinstance(outcome, Page):
        outcome = _card(admitted, visit, outcome, data)
    return await _dressed(session, admitted, visit, outcome)


async def submit_step(session: AsyncSession, keys: tokens.LinkKeys, visit: Visit) -> Page:
    """POST: checks one card's answers and stores them with the path taken; the card that
    ends the survey finishes the response."""
    admitted = await admit(session, keys, visit, lock=not visit.preview)
    if isinstance(admitted, Page):
        return admitted
    form = visit.form or {}
    posted = _first(form, "step")
    progress = _progress(admitted, visit, posted)
    current = presentation.step_index(admitted, progress)
    # A body over the cap was not read: the current card says so beside its file questions.
    unread = visit.files is not None and visit.files.received.too_large
    if posted != str(current) and not unread:
        return Page("", redirect_step=current)  # a stale form (another tab, a double post)
    if _first(form, "action") == "back":
        return await _back(session, admitted, visit, progress)
    data = persistence.known_data(admitted, visit)
    ttc: dict[str, float] = {}
    if progress.card == engine.START:
        answers = dict(WELCOME_CLICK)
    else:
        block = engine.current_block(admitted.survey, progress) or Block(id="", elements=[])
        file_errors = await _accept_files(admitted, visit, block, form)
        answers, errors = _read_block(admitted, progress, block, form)
        errors.update(file_errors)
        if errors:
            page = presentation.block_page(
                admitted, visit, progress, data, form=form, errors=errors
            )
            return await _dressed(session, admitted, visit, page)
        ttc = {element.id: _elapsed(form) for element in block.elements}
    step = engine.submit(admitted.survey, progress, data, answers, admitted.language)
    saved = await _save(session, admitted, visit, step, answers, ttc)
    if saved is None:
        data = {**data, **answers}
        outcome = await _skip_prefilled(session, admitted, visit, step, data)
        if not isinstance(outcome, Page):
            return Page("", redirect_step=presentation.step_index(admitted, outcome))
        saved = outcome
    return await _dressed(session, admitted, visit, saved)


async def _dressed(session: AsyncSession, admitted: Admitted, visit: Visit, page: Page) -> Page:
    """The page's language, direction, stylesheet and welcome line (respondent/looks.py), and
    the files already given to its file questions (respondent/uploads.py)."""
    if page.redirect_step is not None or page.template != "survey.html":
        return page
    await looks.dress(
        session, admitted.row, admitted.survey, admitted.language, visit.base_url, page.context
    )
    views = page.context.get("elements")
    form = page.context.get("form")
    if visit.files is not None and isinstance(views, list) and isinstance(form, dict):
        elements = [
            element.model_dump(by_alias=True)
            for block in admitted.survey.blocks
            for element in block.elements
            if element.type == "fileUpload"
        ]
        owner = uploads.owner_of(admitted.survey_id, admitted.contact_id)
        visit.files.dress(views, elements, form, owner)
    return page


async def _accept_files(
    admitted: Admitted, visit: Visit, block: Block, form: Form
) -> dict[str, str]:
    """Stores the block's posted files; its file questions' answers become their URLs."""
    if visit.files is None:
        return {}
    elements = [
        element.model_dump(by_alias=True)
        for element in block.elements
        if element.type == "fileUpload"
    ]
    if not elements:
        return {}
    owner = uploads.owner_of(admitted.survey_id, admitted.contact_id)
    return await visit.files.accept(
        admitted.row.environment_id, owner, elements, form, store=not visit.preview
    )


def _first(form: Form, name: str) -> str:
    return (form.get(name) or [""])[0]


def _progress(admitted: Admitted, visit: Visit, step: str) -> Progress:
    """The stored progress; in preview nothing is stored, so the card comes from `?step=`."""
    if not visit.preview:
        return persistence.load_progress(admitted, visit)
    start = persistence.load_progress(admitted, visit)
    survey = admitted.survey
    index = whole_number(step, signed=True)
    if index is None:
        return start
    if index == presentation.WELCOME and survey.welcome_card.enabled:
        return start.model_copy(update={"card": engine.START})
    if 0 <= index < len(survey.blocks):
        return start.model_copy(update={"card": survey.blocks[index].id, "history": []})
    return start


def _read_block(
    admitted: Admitted, progress: Progress, block: Block, form: Form
) -> tuple[Data, dict[str, str]]:
    """The block's answers, and the messages to show beside those that are not valid."""
    answers: Data = {}
    errors: dict[str, str] = {}
    for element in block.elements:
        required = engine.is_required(element, progress)
        outcome = parse(element, form, admitted.language, required=required)
        errors.update(outcome.errors)
        if outcome.value is not None:
            answers[element.id] = outcome.value
    return answers, errors


async def _back(
    session: AsyncSession, admitted: Admitted, visit: Visit, progress: Progress
) -> Page:
    moved = engine.back(admitted.survey, progress)
    if not visit.preview:
        await persistence.save_back(session, admitted, moved)
    return Page("", redirect_step=presentation.step_index(admitted, moved))


async def _save(
    session: AsyncSession,
    admitted: Admitted,
    visit: Visit,
    step: Step,
    answers: Data,
    ttc: dict[str, float],
) -> Page | None:
    """Stores a submitted card; a Page when there is nothing more to do than show one."""
    if not visit.preview:
        saved = await persistence.save_step(session, admitted, visit, step, answers, ttc)
        if saved is None:
            return message("responded")
        admitted.response = saved
    if step.finished:
        data = {**persistence.known_data(admitted, visit), **answers}
        return presentation.ending_page(admitted, visit, step.progress, data, step.ending_id)
    return None


async def _skip_prefilled(
    session: AsyncSession, admitted: Admitted, visit: Visit, step: Step, data: Data
) -> Progress | Page:
    """`?skipPrefilled=true`: a block whose every element is answered by a valid prefill is
    submitted with those answers and a time of 0, as upstream's block does when it opens."""
    progress = step.progress
    for _ in range(len(admitted.survey.blocks)):
        if visit.param("skipPrefilled") != "true":
            break
        block = engine.current_block(admitted.survey, progress)
        answers = _prefilled(admitted, visit, progress, block) if block else None
        if block is None or answers is None:
            break
        step = engine.submit(admitted.survey, progress, data, answers, admitted.language)
        ttc = {element.id: 0.0 for element in block.elements}
        saved = await _save(session, admitted, visit, step, answers, ttc)
        if saved is not None:
            return saved
        data = {**data, **answers}
        progress = step.progress
    return progress


def _prefilled(admitted: Admitted, visit: Visit, progress: Progress, block: Block) -> Data | None:
    answers: Data = {}
    for element in block.elements:
        form = prefill_form(element, visit.param(element.id), admitted.language)
        required = engine.is_required(element, progress)
        outcome = parse(element, form, admitted.language, required=required)
        if outcome.errors or outcome.value is None:
            return None
        answers[element.id] = outcome.value
    return answers


def _card(admitted: Admitted, visit: Visit, progress: Progress, data: Data) -> Page:
    if progress.card == engine.START:
        return presentation.welcome_page(admitted, visit, data, progress)
    if engine.current_block(admitted.survey, progress) is not None:
        return presentation.block_page(admitted, visit, progress, data, form=None, errors={})
    return presentation.ending_page(admitted, visit, progress, data, None)


def _elapsed(form: Form) -> float:
    shown = whole_number(_first(form, "shown"))
    if shown is None:
        return 0
    return float(min(max(int(time.time() * 1000) - shown, 0), _MAX_TTC_MS))
