from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.environments.models import Environment, Project
from surveylink.surveys.models import Survey


async def get_survey(session: AsyncSession, survey_id: str) -> Survey | None:
    return await session.get(Survey, survey_id)


async def list_surveys(
    session: AsyncSession, environment_ids: Sequence[str], limit: int | None, offset: int
) -> Sequence[Survey]:
    statement = (
        select(Survey)
        .where(Survey.environment_id.in_(environment_ids))
        .order_by(Survey.updated_at.desc(), Survey.id.desc())
        .offset(offset)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return (await session.scalars(statement)).all()


async def get_organization_id(session: AsyncSession, environment_id: str) -> str | None:
    statement = (
        select(Project.organization_id)
        .join(Environment, Environment.project_id == Project.id)
        .where(Environment.id == environment_id)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def add_survey(session: AsyncSession, survey: Survey) -> None:
    session.add(survey)
    await session.flush()


async def delete_survey(session: AsyncSession, survey: Survey) -> None:
    await session.delete(survey)
    await session.flush()
