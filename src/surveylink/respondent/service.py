"""The personal-link page `/c/{token}`: upstream's states in upstream's order (behaviour spec
§5), then one step of the survey at a time, stored against the contact (docs/compatibility.md,
"Respondent page", lists where we do better than upstream)."""

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.campaigns import service as campaigns
from surveylink.core.errors import ApiError
from surveylink.links import tokens
from surveylink.respondent import meta, repository
from surveylink.respondent.answers import Form, parse
from surveylink.respondent.refill import prefill_form, stored_form
from surveylink.respondent.texts import PAGES, WORDS, html_lang, language_of, stored_language, text
from surveylink.respondent.views import element_view, ending_view
from surveylink.responses import repository as responses_repository
from surveylink.responses import service as responses
from surveylink.responses.models import Response
from surveylink.responses.schemas import ResponseCreate, ResponseMeta
from surveylink.surveys import service as surveys
from surveylink.surveys.models import Survey
from surveylink.surveys.shape import fields_of

_CUID = re.compile(r"^[0-9a-z]{2,32}$")
_MAX_TTC_MS = 86_400_000
WELCOME = -1


@dataclass(frozen=True)
class Visit:
    """What the page needs from one request; the token in the path is the credential."""

    token: str
    query: list[tuple[str, str]]
    headers: Mapping[str, str]
    base_url: str
    form: Form | None = None

    def param(self, name: str) -> str:
        return next((value for key, value in self.query if key == name), "")

    @property
    def preview(self) -> bool:
        return self.param("preview") == "true"


@dataclass
class Page:
    template: str
    status: int = 200
    context: dict[str, Any] = field(default_factory=dict)
    redirect_step: int | None = None  # set: answer 303 to the page at that step


@dataclass
class Admitted:
    row: Survey
    contact_id: str
    survey: dict[str, Any]
    response: Response | None
    language: str
    single_use_id: str | None

    @property
    def survey_id(self) -> str:
        return self.row.id

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return [block for block in self.survey["blocks"] if block.get("elements")]


def message(state: str, status: int = 200, **texts: str) -> Page:
    heading, body = PAGES[state]
    return Page("message.html", status, {"state": state, "heading": heading, "text": body, **texts})


async def _admit(
    session: AsyncSession, keys: tokens.LinkKeys, visit: Visit, *, lock: bool
) -> Admitted | Page:
    """Upstream's checks in upstream's order; a Page when the survey cannot be shown."""
    try:
        link = tokens.verify_link(visit.token, keys, now=int(time.time()))
    except tokens.TokenExpired:
        return message("expired", 410)
    except tokens.TokenInvalid:
        return message("invalid", 404)
    if not await campaigns.link_admitted(session, link):
        return message("invalid", 404)  # revoked: the same page as any invalid link
    claims = link.claims
    if lock:
        response = await repository.lock_response(session, claims.survey_id, claims.contact_id)
    else:
        response = await responses_repository.get_response_for_contact(
            session, claims.survey_id, claims.contact_id
        )
    if response is not None and response.finished:
        return message("responded")
    survey = await surveys.get_survey(session, claims.survey_id)
    if survey is None:
        return message("invalid", 404)
    environment = await repository.contact_environment(session, claims.contact_id)
    if environment != survey.environment_id:
        return message("invalid", 404)
    fields = fields_of(survey)
    single_use = fields.get("singleUse") or {}
    single_use_id = None
    if single_use.get("enabled"):
        single_use_id = _single_use_id(
            visit.param("suId"), bool(single_use.get("isEncrypted")), link.keys
        )
        if single_use_id is None:
            return message("invalid", 404)
    if survey.status == "draft" or survey.type != "link":
        return message("not_found", 404)
    if survey.status in ("paused", "completed"):
        return _closed(survey.status, fields)
    language = language_of(fields, visit.param("lang"))
    return Admitted(survey, claims.contact_id, fields, response, language, single_use_id)


def _single_use_id(raw: str, encrypted: bool, keys: tokens.LinkKeys) -> str | None:
    if not raw.strip():
        return None
    if not encrypted:
        return raw
    try:
        value = tokens.decrypt_id(raw, keys.aes)
    except tokens.TokenInvalid:
        return None
    return value if _CUID.match(value) else None


def _closed(status: str, survey: dict[str, Any]) -> Page:
    page = message(status)
    custom = survey.get("surveyClosedMessage") or {}
    if status == "completed" and (custom.get("heading") or custom.get("subheading")):
        page.context["heading"] = text(custom.get("heading"), "default")
        page.context["text"] = text(custom.get("subheading"), "default")
    return page


def resume_step(admitted: Admitted) -> int:
    """The first step not yet submitted (a submitted step has a `ttc` entry per element)."""
    if admitted.response is None:
        return WELCOME if admitted.survey["welcomeCard"].get("enabled") else 0
    done = set(admitted.response.ttc)
    for index, block in enumerate(admitted.blocks):
        if not {element.get("id") for element in block["elements"]} <= done:
            return index
    return max(len(admitted.blocks) - 1, 0)


def _allowed_step(admitted: Admitted, requested: str, preview: bool) -> int:
    resume = resume_step(admitted)
    last = max(len(admitted.blocks) - 1, 0)
    if not requested.lstrip("-").isdigit():
        return resume
    step = int(requested)
    if step == WELCOME and admitted.survey["welcomeCard"].get("enabled"):
        return WELCOME
    return min(max(step, 0), last if preview else max(resume, 0))


async def open_page(session: AsyncSession, keys: tokens.LinkKeys, visit: Visit) -> Page:
    """GET: a state page, or the current step; a fresh open records a Display."""
    admitted = await _admit(session, keys, visit, lock=False)
    if isinstance(admitted, Page):
        return admitted
    if not visit.preview and not visit.param("step"):
        await repository.add_display(session, admitted.survey_id, admitted.contact_id)
    step = _allowed_step(admitted, visit.param("step"), visit.preview)
    return _step_page(admitted, visit, step, form=None, errors={})


async def submit_step(session: AsyncSession, keys: tokens.LinkKeys, visit: Visit) -> Page:
    """POST: checks one step's answers and stores them; the last step finishes the response."""
    admitted = await _admit(session, keys, visit, lock=not visit.preview)
    if isinstance(admitted, Page):
        return admitted
    form = visit.form or {}
    step = _allowed_step(admitted, (form.get("step") or [""])[0], visit.preview)
    if step == WELCOME:
        return Page("", redirect_step=0)
    if (form.get("action") or [""])[0] == "back":
        return Page("", redirect_step=max(step - 1, 0))
    elements = admitted.blocks[step]["elements"] if admitted.blocks else []
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for element in elements:
        outcome = parse(element, form, admitted.language)
        errors.update(outcome.errors)
        if outcome.value is not None:
            data[element["id"]] = outcome.value
    if errors:
        return _step_page(admitted, visit, step, form=form, errors=errors)
    finished = step >= len(admitted.blocks) - 1
    if not visit.preview:
        ttc = {element["id"]: _elapsed(form) for element in elements}
        answers = {**data, **_hidden(admitted, visit)}
        saved = await _save(session, admitted, visit, answers, ttc, finished=finished)
        if saved is None:
            return message("responded")
    if finished:
        return _ending_page(admitted, visit)
    return Page("", redirect_step=step + 1)


def _elapsed(form: Form) -> float:
    shown = (form.get("shown") or [""])[0]
    if not shown.isdigit():
        return 0
    return float(min(max(int(time.time() * 1000) - int(shown), 0), _MAX_TTC_MS))


def _hidden(admitted: Admitted, visit: Visit) -> dict[str, str]:
    hidden = admitted.survey.get("hiddenFields") or {}
    ids = hidden.get("fieldIds") or []
    return {field_id: visit.param(field_id) for field_id in ids if visit.param(field_id)}


async def _save(
    session: AsyncSession,
    admitted: Admitted,
    visit: Visit,
    data: dict[str, Any],
    ttc: dict[str, float],
    *,
    finished: bool,
) -> Response | None:
    """Creates or extends the contact's response; None when it is already finished."""
    ending = _ending(admitted.survey)
    ending_id = str(ending["id"]) if finished and ending and ending.get("id") else None
    response = admitted.response
    if response is None:
        body = ResponseCreate(
            survey_id=admitted.survey_id,
            contact_id=admitted.contact_id,
            finished=finished,
            data=data,
            ttc=ttc,
            language=stored_language(admitted.survey, admitted.language),
            meta=ResponseMeta.model_validate(
                meta.response_meta(visit.base_url, visit.query, visit.headers)
            ),
            single_use_id=admitted.single_use_id,
            display_id=await repository.latest_free_display(
                session, admitted.survey_id, admitted.contact_id
            ),
            ending_id=ending_id,
        )
        try:
            return await responses.create_response(session, admitted.row, body)
        except ApiError:
            # Another request created it first; that row, now locked, settles the race.
            response = await repository.lock_response(
                session, admitted.survey_id, admitted.contact_id
            )
            if response is None:
                raise
    if response.finished:
        return None
    return await responses.save_answers(
        session, response, data=data, ttc=ttc, finished=finished, ending_id=ending_id
    )


def _ending(survey: dict[str, Any]) -> dict[str, Any] | None:
    endings = [ending for ending in survey.get("endings") or [] if isinstance(ending, dict)]
    return endings[0] if endings else None


def _step_query(visit: Visit, step: int) -> str:
    kept = [(key, value) for key, value in visit.query if key != "step"]
    return "?" + urlencode([*kept, ("step", str(step))])


def _base_context(admitted: Admitted, visit: Visit) -> dict[str, Any]:
    return {
        "title": admitted.row.name,
        "lang": html_lang(admitted.survey, admitted.language),
        "preview": visit.preview,
    }


def _step_page(
    admitted: Admitted, visit: Visit, step: int, *, form: Form | None, errors: dict[str, str]
) -> Page:
    context = _base_context(admitted, visit)
    if step == WELCOME:
        card = admitted.survey["welcomeCard"]
        context["welcome"] = {
            "headline": text(card.get("headline"), admitted.language),
            "subheader": text(card.get("html") or card.get("subheader"), admitted.language),
            "button_label": text(card.get("buttonLabel"), admitted.language) or WORDS["next"],
            "href": _step_query(visit, 0),
        }
        return Page("survey.html", 200, context)
    blocks = admitted.blocks
    block = blocks[step] if blocks else {"elements": []}
    last = step >= len(blocks) - 1
    elements = block["elements"]
    context.update(
        step=step,
        total=max(len(blocks), 1),
        elements=[element_view(e, admitted.language, visit.base_url) for e in elements],
        form=form if form is not None else _known_form(admitted, visit, elements),
        errors=errors,
        first_error=next(iter(errors), None),
        shown=int(time.time() * 1000),
        back_label=text(block.get("backButtonLabel"), admitted.language) or WORDS["back"],
        show_back=step > 0 and not admitted.survey.get("isBackButtonHidden"),
        next_label=text(block.get("buttonLabel"), admitted.language)
        or WORDS["finish" if last else "next"],
        words=WORDS,
    )
    return Page("survey.html", 422 if errors else 200, context)


def _known_form(admitted: Admitted, visit: Visit, elements: list[dict[str, Any]]) -> Form:
    """Answers already given (resuming or going back), else upstream's query prefill."""
    stored = admitted.response.data if admitted.response is not None else {}
    form: Form = {}
    for element in elements:
        element_id = element.get("id")
        if element_id in stored:
            form.update(stored_form(element, stored[element_id], admitted.language))
        elif visit.param(str(element_id)):
            form.update(prefill_form(element, visit.param(str(element_id)), admitted.language))
    return form


def _ending_page(admitted: Admitted, visit: Visit) -> Page:
    context = _base_context(admitted, visit)
    context["ending"] = ending_view(_ending(admitted.survey), admitted.language)
    return Page("survey.html", 200, context)
