"""How a survey page looks: its language, direction, stylesheet and welcome line. Hooks that
the step pages call; the stylesheet itself is served by `survey_stylesheet`."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.core.errors import NotFound, Resource
from surveylink.respondent import i18n, repository, styling, welcome
from surveylink.respondent.texts import default_code, html_lang
from surveylink.surveys.document import SurveyDocument
from surveylink.surveys.models import Survey
from surveylink.surveys.shape import fields_of

STYLE_PATH = "/c/_style/{}.css"


@dataclass(frozen=True)
class Stylesheet:
    css: str
    version: str
    current: bool  # the page asked for this very version: it may be cached for good


def state_language(lang: str, accept_language: str) -> dict[str, str]:
    """A state page (expired, invalid, …) has no survey language: ?lang, else the browser's."""
    locale = i18n.best_locale(lang) or i18n.accepted_locale(accept_language) or i18n.FALLBACK
    return {"locale": locale, "lang": locale, "dir": "rtl" if i18n.is_rtl_code(locale) else "ltr"}


async def dress(
    session: AsyncSession,
    row: Survey,
    document: SurveyDocument,
    language: str,
    base_url: str,
    context: dict[str, Any],
) -> None:
    """Adds the page's words, direction, stylesheet and the welcome card's line to a survey
    page's context."""
    survey = fields_of(row)  # styling and the welcome line read the stored survey as sent
    code = html_lang(document, language)
    locale = i18n.page_locale(code)
    context["locale"] = locale
    context["dir"] = i18n.direction(survey, language, default_code(document))
    project = await repository.project_styling(session, row.environment_id)
    chosen = styling.effective_styling(project, survey.get("styling"))
    css = styling.stylesheet(chosen, base_url)
    context["style_href"] = STYLE_PATH.format(row.id) + f"?v={styling.version(css)}"
    context["arrangement"] = styling.arrangement(chosen)
    context["hide_progress"] = bool(chosen.get("hideProgressBar"))
    if context.get("welcome"):
        count = None
        if welcome.needs_response_count(survey):
            count = await repository.count_responses(session, row.id)
        context["welcome_info"] = welcome.info(survey, count, i18n.texts(locale))


async def survey_stylesheet(
    session: AsyncSession, survey_id: str, requested: str, base_url: str
) -> Stylesheet:
    """The stylesheet of a link survey that respondents can open."""
    found = await repository.survey_stylings(session, survey_id)
    if found is None or found[0].type != "link" or found[0].status == "draft":
        raise NotFound(Resource.SURVEY, survey_id)
    row, project = found
    chosen = styling.effective_styling(project, row.document.get("styling"))
    css = styling.stylesheet(chosen, base_url)
    version = styling.version(css)
    return Stylesheet(css, version, requested == version)
