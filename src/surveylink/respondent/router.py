from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from surveylink.core.config import Settings, SettingsDep
from surveylink.core.db import SessionDep, WriteSessionDep
from surveylink.core.errors import BadRequest
from surveylink.core.proxies import client_ip
from surveylink.links.deps import LinkKeysDep
from surveylink.links.tokens import LinkKeys
from surveylink.respondent import looks, pages, service, uploads
from surveylink.respondent.answers import Form
from surveylink.storage.backends import Storage
from surveylink.storage.deps import StorageDep

router = APIRouter(tags=["Respondent"], include_in_schema=False)

Token = Annotated[str, Path(max_length=4096)]


def _visit(
    request: Request,
    token: str,
    settings: Settings,
    files: uploads.Uploads,
    form: Form | None = None,
) -> service.Visit:
    return service.Visit(
        token=token,
        query=list(request.query_params.multi_items()),
        headers=request.headers,
        base_url=settings.link_base,
        form=form,
        client_ip=client_ip(
            request.client.host if request.client else None,
            request.headers.get("x-forwarded-for"),
            settings.trusted_networks,
        ),
        files=files,
    )


def _uploads(
    received: uploads.Received, storage: Storage, settings: Settings, keys: LinkKeys
) -> uploads.Uploads:
    secret = uploads.signing_key(keys.hmac)
    return uploads.Uploads(received, storage, settings.max_upload_mb, secret)


def _answer(page: service.Page, visit: service.Visit) -> Response:
    if page.redirect_step is not None:
        kept = [(key, value) for key, value in visit.query if key != "step"]
        query = urlencode([*kept, ("step", str(page.redirect_step))])
        return RedirectResponse(f"/c/{visit.token}?{query}", status_code=303, headers=pages.HEADERS)
    if "locale" not in page.context:  # a state page: no survey language to follow
        accept = visit.headers.get("accept-language", "")
        page.context.update(looks.state_language(visit.param("lang"), accept))
    return pages.render(page.template, page.status, page.context)


@router.get("/c/_style/{surveyId}.css")
async def get_survey_stylesheet(
    survey_id: Annotated[str, Path(alias="surveyId", max_length=64)],
    session: SessionDep,
    settings: SettingsDep,
    version: Annotated[str, Query(alias="v", max_length=64)] = "",
) -> Response:
    """A survey's styling as CSS custom properties, so the page needs no inline style."""
    sheet = await looks.survey_stylesheet(session, survey_id, version, settings.link_base)
    cache = "public, max-age=31536000, immutable" if sheet.current else "no-cache"
    headers = {"Cache-Control": cache, "ETag": f'"{sheet.version}"'}
    return Response(sheet.css, media_type="text/css", headers=headers)


@router.get("/c/{token}")
async def open_survey_link(
    token: Token,
    request: Request,
    session: WriteSessionDep,
    settings: SettingsDep,
    link_keys: LinkKeysDep,
    storage: StorageDep,
) -> Response:
    """The personal-link page: a state page or the survey's current step."""
    files = _uploads(uploads.Received(), storage, settings, link_keys)
    visit = _visit(request, token, settings, files)
    return _answer(await service.open_page(session, link_keys, visit), visit)


@router.post("/c/{token}")
async def submit_survey_step(
    token: Token,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    link_keys: LinkKeysDep,
    storage: StorageDep,
) -> Response:
    """One step's answers, posted by the page's form (with or without JavaScript); files come
    as multipart/form-data."""
    async with uploads.received_form(request, settings.max_upload_mb) as received:
        if any("\x00" in key or "\x00" in "".join(values) for key, values in received.form.items()):
            raise BadRequest.on("form", "NUL characters are not allowed")  # no column holds one
        files = _uploads(received, storage, settings, link_keys)
        visit = _visit(request, token, settings, files, received.form)
        return _answer(await service.submit_step(session, link_keys, visit), visit)
