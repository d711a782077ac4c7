from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.environments.models import Environment, Project


async def get_organization_ids(
    session: AsyncSession, environment_ids: Sequence[str]
) -> dict[str, str]:
    """environment id → organization id, for the environments that exist."""
    statement = (
        select(Environment.id, Project.organization_id)
        .join(Project, Project.id == Environment.project_id)
        .where(Environment.id.in_(environment_ids))
    )
    return {row[0]: row[1] for row in await session.execute(statement)}


async def get_environment_with_project(
    session: AsyncSession, environment_id: str
) -> tuple[Environment, Project] | None:
    statement = (
        select(Environment, Project)
        .join(Project, Project.id == Environment.project_id)
        .where(Environment.id == environment_id)
    )
    row = (await session.execute(statement)).first()
    return None if row is None else (row[0], row[1])
