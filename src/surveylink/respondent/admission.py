"""Who may see the survey behind `/c/{token}`: upstream's states in upstream's order (behaviour
spec §5), then its PIN gate. Everything here runs before a single step is shown."""

import hmac
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.links import tokens
from surveylink.respondent import repository, uploads
from surveylink.respondent.answers import Form
from surveylink.respondent.texts import PAGES, language_of, text
from surveylink.responses import repository as responses_repository
from surveylink.responses.models import Response
from surveylink.surveys import service as surveys
from surveylink.surveys.document import SurveyDocument
from surveylink.surveys.models import Survey
from surveylink.surveys.shape import load_survey

_CUID = re.compile(r"^[0-9a-z]{2,32}$")
PIN_HEADING = "This survey is protected. Enter the PIN below."  # upstream's `s.enter_pin`
PIN_WRONG = "That PIN is not correct."  # ours: upstream only outlines the boxes in red


@dataclass(frozen=True)
class Visit:
    """What the page needs from one request; the token in the path is the credential."""

    token: str
    query: list[tuple[str, str]]
    headers: Mapping[str, str]
    base_url: str
    form: Form | None = None
    client_ip: str | None = None  # the respondent's address (core/proxies.py)
    files: uploads.Uploads | None = None  # file questions (respondent/uploads.py)

    def param(self, name: str) -> str:
        return next((value for key, value in self.query if key == name), "")

    @property
    def preview(self) -> bool:
        return self.param("preview") == "true"


@dataclass
class Page:
    template: str
    status: int = 200
    context: dict[str, object] = field(default_factory=dict)
    redirect_step: int | None = None  # set: answer 303 to the page at that step


@dataclass
class Admitted:
    row: Survey
    contact_id: str
    survey: SurveyDocument
    response: Response | None
    language: str
    single_use_id: str | None

    @property
    def survey_id(self) -> str:
        return self.row.id


def message(state: str, status: int = 200, **texts: str) -> Page:
    heading, body = PAGES[state]
    return Page("message.html", status, {"state": state, "heading": heading, "text": body, **texts})


async def admit(
    session: AsyncSession, keys: tokens.LinkKeys, visit: Visit, *, lock: bool
) -> Admitted | Page:
    """Upstream's checks in upstream's order; a Page when the survey cannot be shown."""
    try:
        claims = tokens.verify(visit.token, keys, now=int(time.time()))
    except tokens.TokenExpired:
        return message("expired", 410)
    except tokens.TokenInvalid:
        return message("invalid", 404)
    if lock:
        response = await repository.lock_response(session, claims.survey_id, claims.contact_id)
    else:
        response = await responses_repository.get_response_for_contact(
            session, claims.survey_id, claims.contact_id
        )
    if response is not None and response.finished:
        return message("responded")
    row = await surveys.get_survey(session, claims.survey_id)
    if row is None:
        return message("invalid", 404)
    environment = await repository.contact_environment(session, claims.contact_id)
    if environment != row.environment_id:
        return message("invalid", 404)
    survey = load_survey(row)
    single_use_id = None
    if survey.single_use and survey.single_use.enabled:
        single_use_id = _single_use_id(visit.param("suId"), survey.single_use.is_encrypted, keys)
        if single_use_id is None:
            return message("invalid", 404)
    if row.status == "draft" or row.type != "link":
        return message("not_found", 404)
    if row.status in ("paused", "completed"):
        return _closed(row.status, survey)
    language = language_of(survey, visit.param("lang"))
    if survey.pin and not _pin_entered(survey.pin, visit.param("pin")):
        return _pin_page(survey, visit, language)
    return Admitted(row, claims.contact_id, survey, response, language, single_use_id)


_MAX_SINGLE_USE_ID = 255  # responses.single_use_id


def _single_use_id(raw: str, encrypted: bool, keys: tokens.LinkKeys) -> str | None:
    if not raw.strip() or len(raw) > _MAX_SINGLE_USE_ID:
        return None
    if not encrypted:
        return raw
    try:
        value = tokens.decrypt_id(raw, keys.aes)
    except tokens.TokenInvalid:
        return None
    return value if _CUID.match(value) else None


def _closed(status: str, survey: SurveyDocument) -> Page:
    page = message(status)
    custom = survey.survey_closed_message
    if status == "completed" and custom is not None and (custom.heading or custom.subheading):
        page.context["heading"] = text(custom.heading, "default")
        page.context["text"] = text(custom.subheading, "default")
    return page


def _pin_entered(pin: str, entered: str) -> bool:
    return hmac.compare_digest(pin.encode(), entered.encode())


def _pin_page(survey: SurveyDocument, visit: Visit, language: str) -> Page:
    """Upstream's PIN screen. The PIN form is a GET that keeps the page's query, so the PIN
    stays in the address for the steps that follow (the token there is the credential too)."""
    kept = [[key, value] for key, value in visit.query if key not in ("pin", "step")]
    context: dict[str, object] = {
        "title": survey.name,
        "heading": PIN_HEADING,
        "kept": kept,
        "error": PIN_WRONG if visit.param("pin") else "",
        "language": language,
    }
    return Page("pin.html", 200, context)
