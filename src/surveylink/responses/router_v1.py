"""Upstream's v1 response API (v1 management spec §2): a thin layer over the response service,
in v1's envelope and response shape."""

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from surveylink.auth.deps import ManageKey, ReadKey, WriteKey
from surveylink.core.bodies import RawBody
from surveylink.core.context import ContextDep
from surveylink.core.db import SessionDep
from surveylink.core.envelopes import streamed_data
from surveylink.core.routing import API_V1, V1Route
from surveylink.core.zod import Cuid2
from surveylink.responses import service
from surveylink.responses.schemas import v1_response

router = APIRouter(prefix=API_V1, tags=["Management API - Response"], route_class=V1Route)

RESPONSES = "/management/responses"
RESPONSE = RESPONSES + "/{responseId}"
ResponseId = Annotated[Cuid2, Path(alias="responseId", description="The ID of the response")]


@router.get(
    RESPONSES,
    operation_id="getResponsesV1",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/json": {}}}},
)
async def get_responses(
    context: ContextDep,
    key: ReadKey,
    session: SessionDep,
    survey_id: Annotated[str | None, Query(alias="surveyId")] = None,
    limit: Annotated[str | None, Query()] = None,
    skip: Annotated[str | None, Query()] = None,
) -> StreamingResponse:
    """Newest first. With `surveyId`: that survey's responses, 25 unless `limit` says otherwise.
    Without: the responses of every environment of the key, all of them unless `limit` is set.
    `skip` skips that many. Relative file URLs in `data` are answered absolute."""
    listing = await service.plan_response_list(session, key, survey_id, limit, skip)
    chunks = service.read_response_list(context.sessions, listing)
    shape = partial(v1_response, base_url=context.links.base_url)
    return StreamingResponse(streamed_data(chunks, shape), media_type="application/json")


@router.post(RESPONSES, operation_id="createResponseV1")
async def create_response(
    context: ContextDep, key: WriteKey, body: RawBody, session: SessionDep
) -> dict[str, Any]:
    """Creates a response to a survey of the body's `environmentId` (optional when the key has
    exactly one environment); fires `responseCreated`, and `responseFinished` when finished."""
    response = await service.create_response_from_json(session, key, body, context.links.base_url)
    return {"data": v1_response(response)}


@router.get(RESPONSE, operation_id="getResponseV1")
async def get_response(
    context: ContextDep, key: ReadKey, session: SessionDep, response_id: ResponseId
) -> dict[str, Any]:
    """Gets one response; relative file URLs in `data` are answered absolute."""
    response, _ = await service.get_response_for_key(session, key, response_id)
    return {"data": v1_response(response, context.links.base_url)}


@router.put(RESPONSE, operation_id="updateResponseV1")
async def update_response(
    context: ContextDep, key: WriteKey, body: RawBody, session: SessionDep, response_id: ResponseId
) -> dict[str, Any]:
    """Merges `data`, `variables` and `ttc` into the response and overwrites `finished`,
    `endingId` and `language` when sent; fires `responseUpdated`, and `responseFinished`
    whenever the response is finished afterwards. Relative file URLs in `data` are answered
    absolute."""
    base_url = context.links.base_url
    response = await service.merge_response_for_key(session, key, response_id, body, base_url)
    return {"data": v1_response(response, base_url)}


@router.delete(RESPONSE, operation_id="deleteResponseV1")
async def delete_response(
    key: ManageKey, session: SessionDep, response_id: ResponseId
) -> dict[str, Any]:
    """Deletes a response (manage permission) and answers with it; no webhook fires."""
    response = await service.delete_response_for_key(session, key, response_id)
    return {"data": v1_response(response)}
