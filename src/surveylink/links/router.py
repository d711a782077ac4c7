from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BeforeValidator

from surveylink.auth.deps import ApiKeyDep
from surveylink.core.envelopes import Data
from surveylink.core.errors import error_responses
from surveylink.core.zod import Cuid2, number_check
from surveylink.links import service
from surveylink.links.deps import link_context
from surveylink.links.route import PersonalLinkRoute
from surveylink.links.schemas import PersonalLink
from surveylink.shortlinks import service as shortlinks
from surveylink.shortlinks.schemas import SHORT, ShortFlag

# Its own route class: the busiest route skips FastAPI's generic parameter solving (route.py).
router = APIRouter(tags=["Management API - Surveys - Contact Links"], route_class=PersonalLinkRoute)

ExpirationDays = Annotated[int, BeforeValidator(number_check(1, 365, integer=True))]

LINK_PATH = "/management/surveys/{surveyId}/contact-links/contacts/{contactId}"


# Upstream's contract path ends in "/" and its server redirects that away; we answer both
# directly (docs/compatibility.md).
@router.get(
    LINK_PATH + "/",
    operation_id="getPersonalizedSurveyLink",
    response_model=Data[PersonalLink],
    description="Retrieves a personalized link for a specific survey.",
    summary="Get personalized survey link for a contact",
    response_description="Personalized survey link retrieved successfully.",
    responses=error_responses(400, 404),
)
@router.get(LINK_PATH, include_in_schema=False)
async def get_personalized_survey_link(
    key: ApiKeyDep,
    request: Request,
    survey_id: Annotated[Cuid2, Path(alias="surveyId", description="The ID of the survey")],
    contact_id: Annotated[Cuid2, Path(alias="contactId", description="The ID of the contact")],
    expiration_days: Annotated[
        ExpirationDays | None,
        Query(
            alias="expirationDays",
            description="Number of days until the generated JWT expires. "
            "If not provided, there is no expiration.",
            json_schema_extra={"minimum": 1, "maximum": 365},
        ),
    ] = None,
    short: Annotated[ShortFlag, Query(description=SHORT + " (surveylink extension)")] = False,
) -> JSONResponse:
    """Retrieves a personalized link for a specific survey."""
    context = link_context(request)
    link = await service.personal_link(context, key, survey_id, contact_id, expiration_days)
    if short:
        sessions = request.app.state.sessions
        [link] = await shortlinks.shorten(
            sessions, context.base_url, survey_id, [(contact_id, link)]
        )
    # Returned as a ready response: FastAPI would otherwise validate the model a second time.
    return JSONResponse({"data": link.model_dump()})
