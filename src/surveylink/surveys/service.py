"""Survey CRUD as upstream's v1 management API does it (v1 surveys spec §2)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.auth.permissions import AuthKey, authorize
from surveylink.core.bodies import parse_json
from surveylink.core.clock import utcnow
from surveylink.core.errors import (
    BadRequest,
    Conflict,
    ErrorDetail,
    Forbidden,
    Invalid,
    NotFound,
    Resource,
)
from surveylink.core.pagination import query_count
from surveylink.surveys import repository
from surveylink.surveys.models import Survey
from surveylink.surveys.shape import COLUMNS, fields_of
from surveylink.surveys.transform import questions_to_blocks
from surveylink.surveys.validation import (
    SurveyValidationError,
    validate_create,
    validate_update,
)


async def get_survey(session: AsyncSession, survey_id: str) -> Survey | None:
    """A survey by id, whoever asks: callers check access themselves."""
    return await repository.get_survey(session, survey_id)


async def list_surveys(
    session: AsyncSession, key: AuthKey, limit: str | None, offset: str | None
) -> Sequence[Survey]:
    """Surveys of every environment of the key, most recently updated first."""
    return await repository.list_surveys(
        session,
        key.environment_ids,
        None if limit is None else query_count(limit, "limit"),
        0 if offset is None else query_count(offset, "offset"),
    )


async def get_survey_for_key(session: AsyncSession, key: AuthKey, survey_id: str) -> Survey:
    """The survey if the key holds its route's permission on its environment: 404, then 401."""
    survey = await repository.get_survey(session, survey_id)
    return authorize(survey, key, Resource.SURVEY, survey_id)


def _invalid(error: SurveyValidationError) -> Invalid:
    return Invalid(
        *(ErrorDetail(field=field, issue=issue) for field, issue in error.details.items())
    )


async def create_survey(session: AsyncSession, key: AuthKey, raw: bytes) -> tuple[Survey, bool]:
    """Creates a survey; returns it and whether the input used legacy `questions`."""
    try:
        fields = validate_create(parse_json(raw))
    except SurveyValidationError as error:
        raise _invalid(error) from None
    environment_id = str(fields.pop("environmentId"))
    if not key.allows(environment_id):
        raise Forbidden()
    if await repository.get_organization_id(session, environment_id) is None:
        raise NotFound(Resource.ORGANIZATION, None)
    used_questions = bool(fields.get("questions"))
    if used_questions:
        fields["blocks"] = questions_to_blocks(fields["questions"], fields.get("endings", []))
        fields["questions"] = []
    survey = Survey(environment_id=environment_id, **_columns(fields), document=fields)
    await _save(session, survey)
    return survey, used_questions


async def update_survey(
    session: AsyncSession, key: AuthKey, survey_id: str, raw: bytes
) -> tuple[Survey, bool]:
    """Shallow-merges the body over the stored survey (§2.4); returns it and whether the body
    used legacy `questions`."""
    survey = await get_survey_for_key(session, key, survey_id)
    body = parse_json(raw)
    if not isinstance(body, dict):
        body = {}  # upstream treats an array, string or number as an empty update
    if body.get("questions") and body.get("blocks"):
        both = "Cannot provide both questions and blocks. Please provide only one of these fields."
        raise BadRequest.on("blocks", both, message=both)
    stored = fields_of(survey)
    used_questions = bool(body.get("questions"))
    if used_questions:
        endings = body.get("endings", stored["endings"])
        body = {**body, "blocks": questions_to_blocks(body["questions"], endings), "questions": []}
    merged = {**stored, **body, "id": survey.id, "environmentId": survey.environment_id}
    try:
        fields = validate_update(merged)
    except SurveyValidationError as error:
        raise _invalid(error) from None
    fields["createdBy"] = survey.created_by  # never written by PUT
    for column, value in _columns(fields).items():
        setattr(survey, column, value)
    survey.document = fields
    survey.updated_at = utcnow()
    await _save(session, survey)
    return survey, used_questions


async def complete_survey(session: AsyncSession, survey: Survey) -> None:
    """Closes a survey (upstream's autoComplete): its status becomes "completed"."""
    survey.status = "completed"
    survey.updated_at = utcnow()
    await session.flush()


async def delete_survey(session: AsyncSession, key: AuthKey, survey_id: str) -> Survey:
    survey = await get_survey_for_key(session, key, survey_id)
    await repository.delete_survey(session, survey)
    return survey


_COLUMN_NAMES = {"environmentId": "environment_id", "createdBy": "created_by"}
_NOT_IN_DOCUMENT = (*COLUMNS, "id", "createdAt", "updatedAt", "segment", "segmentId")


def _columns(fields: dict[str, Any]) -> dict[str, Any]:
    """Moves the fields that are columns out of the document dict."""
    columns = {
        _COLUMN_NAMES.get(name, name): fields[name]
        for name in COLUMNS
        if name in fields and name != "environmentId"
    }
    for name in _NOT_IN_DOCUMENT:
        fields.pop(name, None)
    return columns


async def _save(session: AsyncSession, survey: Survey) -> None:
    try:
        async with session.begin_nested():
            await repository.add_survey(session, survey)
    except IntegrityError:
        # The only unique column a client sets is the slug.
        unique = "Unique constraint failed on the fields: (`slug`)"
        raise Conflict.on("slug", "already exists", message=unique) from None
