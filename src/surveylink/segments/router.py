from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import AfterValidator, BeforeValidator

from surveylink.auth.deps import ApiKeyDep
from surveylink.core.config import SettingsDep
from surveylink.core.db import SessionDep
from surveylink.core.errors import error_responses
from surveylink.core.routing import RateLimitedRoute
from surveylink.core.zod import MAX_SAFE_INTEGER, Cuid2, fail, number_check
from surveylink.links.deps import LinkKeysDep
from surveylink.segments import service
from surveylink.segments.schemas import ContactLinks

router = APIRouter(tags=["Management API - Surveys - Contact Links"], route_class=RateLimitedRoute)


def _whole(value: float) -> int:
    # Upstream accepts 2.5 and then fails in the database (a 500); a client error is ours.
    if value != int(value):
        raise fail("Invalid input: expected int, received number")
    return int(value)


def _at_most_20_keys(value: str) -> str:
    if len(value.split(",")) > service.MAX_ATTRIBUTE_KEYS:
        raise fail("You can have max 20 keys.")
    return value


def _range(minimum: int, maximum: int | None = None) -> dict[str, Any]:
    """The bounds in the OpenAPI document (the validators above enforce them)."""
    bounds: dict[str, Any] = {"minimum": minimum}
    if maximum is not None:
        bounds["maximum"] = maximum
    return bounds


Limit = Annotated[
    float, BeforeValidator(number_check(1, 250, integer=False)), AfterValidator(_whole)
]
Skip = Annotated[
    float,
    BeforeValidator(number_check(0, MAX_SAFE_INTEGER, integer=False)),
    AfterValidator(_whole),
]
Days = Annotated[float, BeforeValidator(number_check(1, 365, integer=False))]
AttributeKeys = Annotated[str, AfterValidator(_at_most_20_keys)]
EXPIRATION = (
    "Number of days until the generated JWT expires. If not provided, there is no expiration."
)


@router.get(
    "/management/surveys/{surveyId}/contact-links/segments/{segmentId}",
    operation_id="getContactLinksBySegment",
    summary="Get survey links for contacts in a segment",
    response_description="Contact links generated successfully.",
    responses=error_responses(400, 401, 403, 404, 422, 429, 500),
)
async def get_contact_links_by_segment(
    key: ApiKeyDep,
    session: SessionDep,
    settings: SettingsDep,
    link_keys: LinkKeysDep,
    survey_id: Annotated[Cuid2, Path(alias="surveyId", description="The ID of the survey")],
    segment_id: Annotated[Cuid2, Path(alias="segmentId", description="The ID of the segment")],
    limit: Annotated[
        Limit, Query(description="Number of items to return", json_schema_extra=_range(1, 250))
    ] = 50,
    skip: Annotated[
        Skip, Query(description="Number of items to skip", json_schema_extra=_range(0))
    ] = 0,
    expiration_days: Annotated[
        Days | None,
        Query(alias="expirationDays", description=EXPIRATION, json_schema_extra=_range(1, 365)),
    ] = None,
    attribute_keys: Annotated[
        AttributeKeys | None,
        Query(
            alias="attributeKeys",
            description="Comma-separated list of contact attribute keys to include in the "
            "response. You can have max 20 keys. If not provided, no attributes will be included.",
        ),
    ] = None,
) -> ContactLinks:
    """Generates personalized survey links for contacts in a segment."""
    return await service.segment_links(
        session,
        key,
        survey_id,
        segment_id,
        (int(limit), int(skip)),
        expiration_days,
        attribute_keys,
        link_keys,
        settings.link_base,
    )
