"""Upstream's v1 survey management API, which Formbricks users script against."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from surveylink.auth.deps import ManageKey, ReadKey, WriteKey
from surveylink.core.bodies import RawBody
from surveylink.core.context import ContextDep
from surveylink.core.db import SessionDep
from surveylink.core.routing import API_V1, V1Route
from surveylink.core.zod import Cuid2
from surveylink.links import service as links
from surveylink.surveys import service
from surveylink.surveys.shape import raw_row, read_shape

router = APIRouter(
    prefix=API_V1, tags=["Management API - Survey"], route_class=V1Route
)  # upstream's v1 tag


@router.get("/management/surveys", operation_id="getSurveysV1")
async def get_surveys(
    key: ReadKey,
    session: SessionDep,
    limit: Annotated[str | None, Query()] = None,
    offset: Annotated[str | None, Query()] = None,
) -> dict[str, Any]:
    surveys = await service.list_surveys(session, key, limit, offset)
    return {"data": [read_shape(survey) for survey in surveys]}


@router.post("/management/surveys", operation_id="createSurveyV1")
async def create_survey(key: WriteKey, body: RawBody, session: SessionDep) -> dict[str, Any]:
    survey, used_questions = await service.create_survey(session, key, body)
    return {"data": read_shape(survey, show_questions=used_questions, decimal_as_string=True)}


@router.get("/management/surveys/{surveyId}", operation_id="getSurveyV1")
async def get_survey(key: ReadKey, session: SessionDep, surveyId: Cuid2) -> dict[str, Any]:  # noqa: N803
    survey = await service.get_survey_for_key(session, key, surveyId)
    return {"data": read_shape(survey)}


@router.put("/management/surveys/{surveyId}", operation_id="updateSurveyV1")
async def update_survey(
    key: WriteKey,
    body: RawBody,
    session: SessionDep,
    surveyId: Cuid2,  # noqa: N803
) -> dict[str, Any]:
    survey, used_questions = await service.update_survey(session, key, surveyId, body)
    return {"data": read_shape(survey, show_questions=used_questions)}


@router.delete("/management/surveys/{surveyId}", operation_id="deleteSurveyV1")
async def delete_survey(key: ManageKey, session: SessionDep, surveyId: Cuid2) -> dict[str, Any]:  # noqa: N803
    survey = await service.delete_survey(session, key, surveyId)
    return {"data": raw_row(survey)}


@router.get("/management/surveys/{surveyId}/singleUseIds", operation_id="getSingleUseIdsV1")
async def get_single_use_ids(
    key: ReadKey,
    session: SessionDep,
    context: ContextDep,
    surveyId: Cuid2,  # noqa: N803
    limit: Annotated[str | None, Query()] = None,
) -> dict[str, Any]:
    """One-time links of a link survey with single use on: `limit` of them (default 10, at most
    5000), each `{PUBLIC_URL}/s/{surveyId}?suId={id}`."""
    urls = await links.single_use_links(
        session, key, surveyId, limit, context.links.keys, context.links.base_url
    )
    return {"data": urls}
