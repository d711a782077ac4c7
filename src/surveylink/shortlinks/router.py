from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import RedirectResponse, Response

from surveylink.auth.deps import ReadKey
from surveylink.core.context import ContextDep
from surveylink.core.errors import error_responses
from surveylink.core.routing import API_V2, ApiRoute
from surveylink.core.zod import Cuid2
from surveylink.links.router import ExpirationDays
from surveylink.respondent import pages
from surveylink.respondent import service as respondent
from surveylink.shortlinks import qr, service
from surveylink.shortlinks.schemas import SHORT, ShortFlag

router = APIRouter(tags=["Respondent"], include_in_schema=False, route_class=ApiRoute)
api_router = APIRouter(
    prefix=API_V2, tags=["Management API - Surveys - Contact Links"], route_class=ApiRoute
)

# The redirect carries the personal link: no cache may keep it, no Referer may pass it on.
REDIRECT_HEADERS = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


@router.get("/s/{code}")
async def open_short_link(code: str, context: ContextDep) -> Response:
    """A short link: on to its personal link (302), where `/c/` makes all its checks."""
    found = await service.resolve(context.reader, code)
    if isinstance(found, str):
        url = context.settings.link_base + found
        return RedirectResponse(url, status_code=302, headers=REDIRECT_HEADERS)
    page = respondent.message(found.state, found.status)
    return pages.render(page.template, page.status, page.context)


QR_CONTENT = {
    "image/svg+xml": {"schema": {"type": "string"}},
    "image/png": {"schema": {"type": "string", "format": "binary"}},
}


@api_router.get(
    "/management/surveys/{surveyId}/contact-links/contacts/{contactId}/qr",
    operation_id="getPersonalizedSurveyLinkQrCode",
    summary="Get a contact's personalized survey link as a QR code",
    response_class=Response,
    responses={
        200: {"description": "The QR code (SVG or PNG).", "content": QR_CONTENT},
        **error_responses(400, 404),
    },
)
async def get_personalized_survey_link_qr_code(
    key: ReadKey,
    context: ContextDep,
    survey_id: Annotated[Cuid2, Path(alias="surveyId", description="The ID of the survey")],
    contact_id: Annotated[Cuid2, Path(alias="contactId", description="The ID of the contact")],
    expiration_days: Annotated[
        ExpirationDays | None,
        Query(
            alias="expirationDays",
            description="Days until the link expires (1 to 365); none: it never expires.",
            json_schema_extra={"minimum": 1, "maximum": 365},
        ),
    ] = None,
    short: Annotated[ShortFlag, Query(description=SHORT + " Makes a much smaller code.")] = False,
    image_format: Annotated[
        Literal["svg", "png"] | None,
        Query(
            alias="format",
            description="`svg` or `png`; without it the Accept header decides (`image/png` "
            "preferred to `image/svg+xml` gives PNG), and SVG is the default.",
        ),
    ] = None,
    accept: Annotated[str, Header(include_in_schema=False)] = "",
) -> Response:
    """The personal link of a contact (as `getPersonalizedSurveyLink` makes it, with the same
    checks in the same order) encoded as a QR code for print: SVG (scalable) or PNG (8 pixels
    per module), error correction M, with the standard 4-module quiet zone on white.
    (surveylink extension)"""
    chosen = qr.negotiate(image_format, accept)
    image = await service.qr_code(
        context.links,
        context.sessions,
        key,
        survey_id,
        contact_id,
        expiration_days,
        short,
        chosen,
    )
    return Response(image, media_type=qr.MEDIA_TYPES[chosen])
