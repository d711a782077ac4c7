from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.core.pagination import MAX_OFFSET, DateColumns
from surveylink.responses.models import Display, Response
from surveylink.responses.schemas import ResponseFilter
from surveylink.surveys.models import Survey

DATE_COLUMNS: DateColumns = {"createdAt": Response.created_at, "updatedAt": Response.updated_at}


async def add_response(session: AsyncSession, response: Response) -> None:
    session.add(response)
    await session.flush()


async def get_response(session: AsyncSession, response_id: str) -> Response | None:
    return await session.get(Response, response_id)


async def get_response_with_survey(
    session: AsyncSession, response_id: str
) -> tuple[Response, Survey] | None:
    """The response and its survey (for the environment and the webhook payload), one query."""
    statement = select(Response, Survey).join(Survey).where(Response.id == response_id)
    row = (await session.execute(statement)).first()
    return None if row is None else (row[0], row[1])


async def get_response_for_contact(
    session: AsyncSession, survey_id: str, contact_id: str
) -> Response | None:
    statement = select(Response).where(
        Response.survey_id == survey_id, Response.contact_id == contact_id
    )
    return (await session.scalars(statement)).first()


async def list_responses(
    session: AsyncSession, environment_ids: Sequence[str], params: ResponseFilter
) -> list[Response]:
    """One page of the responses to surveys of these environments."""
    statement = select(Response).join(Survey).where(Survey.environment_id.in_(environment_ids))
    if params.survey_id is not None:
        statement = statement.where(Response.survey_id == params.survey_id)
    if params.contact_id is not None:
        statement = statement.where(Response.contact_id == params.contact_id)
    statement = params.apply(statement, DATE_COLUMNS).order_by(Response.id)
    return list((await session.scalars(statement)).all())


async def list_newest_responses(
    session: AsyncSession,
    environment_ids: Sequence[str],
    limit: int | None,
    skip: int,
    survey_id: str | None = None,
    after: tuple[datetime, str] | None = None,
) -> list[Response]:
    """Responses to surveys of these environments (or to one survey), newest first; `after`
    (createdAt, id) starts past that response."""
    statement = select(Response).join(Survey).where(Survey.environment_id.in_(environment_ids))
    if survey_id is not None:
        statement = statement.where(Response.survey_id == survey_id)
    if after is not None:
        created_at, response_id = after
        statement = statement.where(
            or_(
                Response.created_at < created_at,
                and_(Response.created_at == created_at, Response.id < response_id),
            )
        )
    statement = statement.order_by(Response.created_at.desc(), Response.id.desc())
    statement = statement.limit(limit).offset(min(skip, MAX_OFFSET))
    return list((await session.scalars(statement)).all())


async def delete_response(session: AsyncSession, response: Response) -> None:
    """Deletes the response and, as upstream does, the display it answered: only a display of
    the same survey, whatever the row says (one written before displays were checked)."""
    await session.execute(delete(Response).where(Response.id == response.id))
    if response.display_id is not None:
        await session.execute(
            delete(Display).where(
                Display.id == response.display_id, Display.survey_id == response.survey_id
            )
        )
    session.expunge(response)


async def count_responses(session: AsyncSession, survey_id: str) -> int:
    """Every response of a survey, finished or not (upstream's `getResponseCountBySurveyId`);
    served by the (survey_id, created_at) index."""
    statement = select(func.count()).select_from(Response).where(Response.survey_id == survey_id)
    return int(await session.scalar(statement) or 0)


async def is_display_of_survey(session: AsyncSession, display_id: str, survey_id: str) -> bool:
    """Whether the display exists and belongs to the survey (and so to its environment)."""
    statement = select(Display.id).where(Display.id == display_id, Display.survey_id == survey_id)
    return (await session.execute(statement)).first() is not None
