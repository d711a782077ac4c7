from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.contacts.models import Contact
from surveylink.responses.models import Display, Response


async def contact_environment(session: AsyncSession, contact_id: str) -> str | None:
    """The environment of a contact, or None when it no longer exists."""
    statement = select(Contact.environment_id).where(Contact.id == contact_id)
    return (await session.execute(statement)).scalar_one_or_none()


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
