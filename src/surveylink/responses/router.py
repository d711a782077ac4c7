from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from surveylink.auth.deps import ManageKey, ReadKey, WriteKey
from surveylink.core.context import ContextDep
from surveylink.core.db import SessionDep
from surveylink.core.envelopes import Data
from surveylink.core.errors import error_responses
from surveylink.core.routing import API_V2, ApiRoute
from surveylink.core.zod import Cuid2
from surveylink.responses import service
from surveylink.responses.schemas import (
    ResponseCreate,
    ResponseFilter,
    ResponseOut,
    ResponseUpdate,
)

router = APIRouter(prefix=API_V2, tags=["Management API - Responses"], route_class=ApiRoute)

RESPONSES = "/management/responses"
# The contract writes `{id}`; upstream validates it as `responseId`, the name its 422 details
# carry, so the path names it that way.
RESPONSE = RESPONSES + "/{responseId}"
ResponseId = Annotated[Cuid2, Path(alias="responseId", description="The ID of the response")]


@router.get(RESPONSES, operation_id="getResponses")
async def get_responses(
    context: ContextDep,
    key: ReadKey,
    session: SessionDep,
    params: Annotated[ResponseFilter, Query()],
) -> Data[list[ResponseOut]]:
    """Gets responses from the database. Relative file URLs in `data` are answered absolute,
    starting with PUBLIC_URL."""
    rows = await service.list_responses(session, key, params)
    return Data(data=[ResponseOut.read(row, context.links.base_url) for row in rows])


@router.post(
    RESPONSES,
    operation_id="createResponse",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(404, 409),
)
async def create_response(
    context: ContextDep, key: WriteKey, session: SessionDep, body: ResponseCreate
) -> Data[ResponseOut]:
    """Creates a response in the database. This will trigger the response pipeline, including
    webhooks, integrations, follow-up emails, and other configured actions."""
    response = await service.create_response_for_key(session, key, body, context.links.base_url)
    return Data(data=ResponseOut.model_validate(response))


@router.get(RESPONSE, operation_id="getResponse", responses=error_responses(404))
async def get_response(
    context: ContextDep, key: ReadKey, session: SessionDep, response_id: ResponseId
) -> Data[ResponseOut]:
    """Gets a response from the database. Relative file URLs in `data` are answered absolute,
    starting with PUBLIC_URL."""
    response, _ = await service.get_response_for_key(session, key, response_id)
    return Data(data=ResponseOut.read(response, context.links.base_url))


@router.put(RESPONSE, operation_id="updateResponse", responses=error_responses(400, 404, 409))
async def update_response(
    context: ContextDep,
    key: WriteKey,
    session: SessionDep,
    response_id: ResponseId,
    body: ResponseUpdate,
) -> Data[ResponseOut]:
    """Updates a response in the database. This will trigger the response pipeline, including
    webhooks, integrations, follow-up emails (if the response is marked as finished), and other
    configured actions. Relative file URLs in `data` are answered absolute, starting with
    PUBLIC_URL."""
    base_url = context.links.base_url
    response = await service.update_response_for_key(session, key, response_id, body, base_url)
    return Data(data=ResponseOut.read(response, base_url))


@router.delete(RESPONSE, operation_id="deleteResponse", responses=error_responses(404))
async def delete_response(
    key: ManageKey, session: SessionDep, response_id: ResponseId
) -> Data[ResponseOut]:
    """Deletes a response from the database."""
    response = await service.delete_response_for_key(session, key, response_id)
    return Data(data=ResponseOut.model_validate(response))
