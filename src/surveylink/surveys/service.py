"""Survey CRUD as upstream's v1 management API does it (v1 surveys spec §2)."""

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.auth.permissions import AuthKey, Permission, authorize_v1
from surveylink.core import bodies
from surveylink.core.clock import utcnow
from surveylink.core.errors import MALFORMED_JSON, V1Error
from surveylink.core.zod import MAX_SAFE_INTEGER, js_number
from surveylink.surveys import repository
from surveylink.surveys.models import Survey
from surveylink.surveys.shape import COLUMNS, fields_of
from surveylink.surveys.transform import questions_to_blocks
from surveylink.surveys.validation import (
    SurveyValidationError,
    validate_create,
    validate_update,
)

INVALID_FIELDS = "Fields are missing or incorrectly formatted"


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
        None if limit is None else _count(limit, "limit"),
        0 if offset is None else _count(offset, "offset"),
    )


def _count(text: str, name: str) -> int:
    number = js_number(text)
    if math.isnan(number) or math.isinf(number) or number < 0 or number != int(number):
        raise V1Error.bad_request(f"Invalid {name}: expected a whole number >= 0")
    if number > MAX_SAFE_INTEGER:  # checked before the database sees it
        raise V1Error.bad_request(f"Invalid {name}: expected a whole number <= {MAX_SAFE_INTEGER}")
    return int(number)


async def get_survey_for_key(
    session: AsyncSession, key: AuthKey, survey_id: str, needed: Permission
) -> Survey:
    """The survey if the key holds `needed` on its environment; v1's 404 or 401 otherwise."""
    return await authorize_v1(
        lambda survey_id: repository.get_survey(session, survey_id),
        survey_id,
        "Survey",
        key,
        needed,
    )


def parse_body(raw: bytes) -> Any:
    try:
        return bodies.loads(raw)
    except ValueError:
        raise V1Error.bad_request(MALFORMED_JSON) from None


async def create_survey(session: AsyncSession, key: AuthKey, raw: bytes) -> tuple[Survey, bool]:
    """Creates a survey; returns it and whether the input used legacy `questions`."""
    try:
        fields = validate_create(parse_body(raw))
    except SurveyValidationError as error:
        raise V1Error.bad_request(INVALID_FIELDS, error.details) from None
    environment_id = str(fields.pop("environmentId"))
    if not key.allows(environment_id, Permission.WRITE):
        raise V1Error.unauthorized()
    if await repository.get_organization_id(session, environment_id) is None:
        raise V1Error.not_found("Organization", None)
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
    survey = await get_survey_for_key(session, key, survey_id, Permission.WRITE)
    body = parse_body(raw)
    if not isinstance(body, dict):
        body = {}  # upstream treats an array, string or number as an empty update
    if body.get("questions") and body.get("blocks"):
        raise V1Error.bad_request(
            "Cannot provide both questions and blocks. Please provide only one of these fields."
        )
    stored = fields_of(survey)
    used_questions = bool(body.get("questions"))
    if used_questions:
        endings = body.get("endings", stored["endings"])
        body = {**body, "blocks": questions_to_blocks(body["questions"], endings), "questions": []}
    merged = {**stored, **body, "id": survey.id, "environmentId": survey.environment_id}
    try:
        fields = validate_update(merged)
    except SurveyValidationError as error:
        raise V1Error.bad_request(INVALID_FIELDS, error.details) from None
    fields["createdBy"] = survey.created_by  # never written by PUT
    for column, value in _columns(fields).items():
        setattr(survey, column, value)
    survey.document = fields
    survey.updated_at = utcnow()
    await _save(session, survey)
    return survey, used_questions


async def delete_survey(session: AsyncSession, key: AuthKey, survey_id: str) -> Survey:
    survey = await get_survey_for_key(session, key, survey_id, Permission.MANAGE)
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
        raise V1Error.bad_request("Unique constraint failed on the fields: (`slug`)") from None
