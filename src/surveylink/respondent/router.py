import time
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from surveylink.core.config import Settings
from surveylink.core.context import AppContext, ContextDep
from surveylink.core.db import SessionDep, transaction
from surveylink.core.errors import BadRequest
from surveylink.core.proxies import client_ip
from surveylink.core.routing import ApiRoute
from surveylink.links import tokens
from surveylink.links.tokens import LinkKeys
from surveylink.respondent import looks, pages, service, uploads
from surveylink.respondent.answers import Form

router = APIRouter(tags=["Respondent"], include_in_schema=False, route_class=ApiRoute)

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


def _uploads(received: uploads.Received, context: AppContext) -> uploads.Uploads:
    secret = uploads.signing_key(context.links.keys.hmac)
    return uploads.Uploads(received, context.storage, context.settings.max_upload_mb, secret)


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
    context: ContextDep,
    version: Annotated[str, Query(alias="v", max_length=64)] = "",
) -> Response:
    """A survey's styling as CSS custom properties, so the page needs no inline style."""
    sheet = await looks.survey_stylesheet(session, survey_id, version, context.settings.link_base)
    cache = "public, max-age=31536000, immutable" if sheet.current else "no-cache"
    headers = {"Cache-Control": cache, "ETag": f'"{sheet.version}"'}
    return Response(sheet.css, media_type="text/css", headers=headers)


def _signed(token: str, keys: LinkKeys) -> bool:
    """Whether the token is one we signed and still valid: only then may the page write."""
    try:
        tokens.verify(token, keys, now=int(time.time()))
    except (tokens.TokenInvalid, tokens.TokenExpired):
        return False
    return True


# The token is the credential: it is checked (and a form read whole) before a transaction opens,
# so a request with a forged token, or a client that trickles its form, never holds the write
# lock or a pooled connection. A bad token's page is rendered in a read-only transaction.
@router.get("/c/{token}")
async def open_survey_link(
    token: Token,
    request: Request,
    context: ContextDep,
) -> Response:
    """The personal-link page: a state page or the survey's current step."""
    link_keys = context.links.keys
    files = _uploads(uploads.Received(), context)
    visit = _visit(request, token, context.settings, files)
    # A GET that writes: a page view records a display.
    write = _signed(token, link_keys)
    async with transaction(context.sessions, write=write) as session:
        page = await service.open_page(session, link_keys, visit)
    return _answer(page, visit)


@router.post("/c/{token}")
async def submit_survey_step(
    token: Token,
    request: Request,
    context: ContextDep,
) -> Response:
    """One step's answers, posted by the page's form (with or without JavaScript); files come
    as multipart/form-data."""
    link_keys = context.links.keys
    async with uploads.received_form(request, context.settings.max_upload_mb) as received:
        if any("\x00" in key or "\x00" in "".join(values) for key, values in received.form.items()):
            raise BadRequest.on("form", "NUL characters are not allowed")  # no column holds one
        files = _uploads(received, context)
        visit = _visit(request, token, context.settings, files, received.form)
        write = _signed(token, link_keys)
        async with transaction(context.sessions, write=write) as session:
            page = await service.submit_step(session, link_keys, visit)
    return _answer(page, visit)
