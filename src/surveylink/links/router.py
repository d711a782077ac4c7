from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BeforeValidator

from surveylink.auth.deps import ReadKey
from surveylink.core.context import ContextDep
from surveylink.core.envelopes import Data
from surveylink.core.errors import error_responses
from surveylink.core.routing import API_V2, ApiRoute
from surveylink.core.zod import Cuid2, number_check
from surveylink.links import service
from surveylink.links.schemas import PersonalLink
from surveylink.shortlinks import service as shortlinks
from surveylink.shortlinks.schemas import SHORT, ShortFlag

router = APIRouter(
    prefix=API_V2, tags=["Management API - Surveys - Contact Links"], route_class=ApiRoute
)

ExpirationDays = Annotated[int, BeforeValidator(number_check(1, 365, integer=True))]

LINK_PATH = "/management/surveys/{surveyId}/contact-links/contacts/{contactId}"


# Upstream's contract path ends in "/" and its server redirects that away; we answer both
# directly (docs/compatibility.md). The contract's form is registered first (the decorator
# nearest the function), so it is the first route its requests are matched against.
@router.get(LINK_PATH, include_in_schema=False)
@router.get(
    LINK_PATH + "/",
    operation_id="getPersonalizedSurveyLink",
    description="Retrieves a personalized link for a specific survey.",
    summary="Get personalized survey link for a contact",
    response_description="Personalized survey link retrieved successfully.",
    responses=error_responses(400, 404),
)
async def get_personalized_survey_link(
    key: ReadKey,
    context: ContextDep,
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
) -> Data[PersonalLink]:
    """Retrieves a personalized link for a specific survey."""
    links = context.links
    link = await service.personal_link(links, key, survey_id, contact_id, expiration_days)
    if short:
        [link] = await shortlinks.shorten(
            context.sessions, links.base_url, survey_id, [(contact_id, link)]
        )
    return Data(data=link)
