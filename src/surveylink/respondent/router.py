from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from surveylink.core.config import SettingsDep
from surveylink.core.db import SessionDep, WriteSessionDep
from surveylink.core.errors import BadRequest
from surveylink.core.limits import MAX_BODY_BYTES
from surveylink.links.deps import LinkKeysDep
from surveylink.respondent import pages, service
from surveylink.respondent.answers import Form

router = APIRouter(tags=["Respondent"], include_in_schema=False)

Token = Annotated[str, Path(max_length=4096)]


def _visit(request: Request, token: str, base_url: str, form: Form | None = None) -> service.Visit:
    return service.Visit(
        token=token,
        query=list(request.query_params.multi_items()),
        headers=request.headers,
        base_url=base_url,
        form=form,
    )


def _answer(page: service.Page, visit: service.Visit) -> Response:
    if page.redirect_step is not None:
        kept = [(key, value) for key, value in visit.query if key != "step"]
        query = urlencode([*kept, ("step", str(page.redirect_step))])
        return RedirectResponse(f"/c/{visit.token}?{query}", status_code=303, headers=pages.HEADERS)
    return pages.render(page.template, page.status, page.context)


@router.get("/c/{token}")
async def open_survey_link(
    token: Token,
    request: Request,
    session: WriteSessionDep,
    settings: SettingsDep,
    link_keys: LinkKeysDep,
) -> Response:
    """The personal-link page: a state page or the survey's current step."""
    visit = _visit(request, token, settings.link_base)
    return _answer(await service.open_page(session, link_keys, visit), visit)


@router.post("/c/{token}")
async def submit_survey_step(
    token: Token,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    link_keys: LinkKeysDep,
) -> Response:
    """One step's answers, posted by the page's form (with or without JavaScript)."""
    # One bound for the whole form, the body's (core/limits.py), not Starlette's 1 MiB a field.
    submitted = await request.form(max_part_size=MAX_BODY_BYTES)
    form: Form = {}
    for key, value in submitted.multi_items():
        if isinstance(value, str):
            if "\x00" in key or "\x00" in value:  # no column holds one: a 400 page
                raise BadRequest.on("form", "NUL characters are not allowed")
            form.setdefault(key, []).append(value)
    visit = _visit(request, token, settings.link_base, form)
    return _answer(await service.submit_step(session, link_keys, visit), visit)
