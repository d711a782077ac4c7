from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.contacts.models import Contact
from surveylink.environments.models import Environment, Project
from surveylink.responses.models import Display, Response
from surveylink.surveys.models import Survey


async def contact_environment(session: AsyncSession, contact_id: str) -> str | None:
    """The environment of a contact, or None when it no longer exists."""
    statement = select(Contact.environment_id).where(Contact.id == contact_id)
    return (await session.execute(statement)).scalar_one_or_none()


async def project_styling(session: AsyncSession, environment_id: str) -> dict[str, Any] | None:
    """The theme of the project an environment belongs to."""
    statement = (
        select(Project.styling)
        .join(Environment, Environment.project_id == Project.id)
        .where(Environment.id == environment_id)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def survey_stylings(
    session: AsyncSession, survey_id: str
) -> tuple[Survey, dict[str, Any] | None] | None:
    """A survey and its project's theme, in one query."""
    statement = (
        select(Survey, Project.styling)
        .join(Environment, Environment.id == Survey.environment_id)
        .join(Project, Project.id == Environment.project_id)
        .where(Survey.id == survey_id)
    )
    row = (await session.execute(statement)).first()
    return (row[0], row[1]) if row is not None else None


async def count_responses(session: AsyncSession, survey_id: str) -> int:
    """Every response of a survey, finished or not, as upstream counts them."""
    statement = select(func.count()).select_from(Response).where(Response.survey_id == survey_id)
    return int((await session.execute(statement)).scalar_one())


async def add_display(session: AsyncSession, survey_id: str, contact_id: str) -> Display:
    display = Display(survey_id=survey_id, contact_id=contact_id)
    session.add(display)
    await session.flush()
    return display


async def latest_free_display(session: AsyncSession, survey_id: str, contact_id: str) -> str | None:
    """The contact's latest display of the survey that no response points at yet."""
    statement = (
        select(Display.id)
        .outerjoin(Response, Response.display_id == Display.id)
        .where(
            Display.survey_id == survey_id,
            Display.contact_id == contact_id,
            Response.id.is_(None),
        )
        .order_by(Display.created_at.desc(), Display.id.desc())
        .limit(1)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def lock_response(session: AsyncSession, survey_id: str, contact_id: str) -> Response | None:
    """The contact's response, row-locked until the transaction ends (PostgreSQL `FOR UPDATE`;
    SQLite's writing transactions already hold the database lock)."""
    statement = (
        select(Response)
        .where(Response.survey_id == survey_id, Response.contact_id == contact_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).first()
