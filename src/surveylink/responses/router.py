from fastapi import APIRouter, status

from surveylink.auth.deps import ApiKeyDep
from surveylink.core.db import SessionDep
from surveylink.core.envelopes import Data
from surveylink.core.errors import error_responses
from surveylink.core.routing import RateLimitedRoute
from surveylink.responses import service
from surveylink.responses.schemas import ResponseCreate, ResponseOut

router = APIRouter(tags=["Management API - Responses"], route_class=RateLimitedRoute)


@router.post(
    "/management/responses",
    operation_id="createResponse",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(404, 409),
)
async def create_response(
    key: ApiKeyDep, session: SessionDep, body: ResponseCreate
) -> Data[ResponseOut]:
    """Creates a response in the database."""
    response = await service.create_response_for_key(session, key, body)
    return Data(data=ResponseOut.model_validate(response))
