from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.responses.models import Response


async def add_response(session: AsyncSession, response: Response) -> None:
    session.add(response)
    await session.flush()


async def get_response(session: AsyncSession, response_id: str) -> Response | None:
    return await session.get(Response, response_id)


async def get_response_for_contact(
    session: AsyncSession, survey_id: str, contact_id: str
) -> Response | None:
    statement = select(Response).where(
        Response.survey_id == survey_id, Response.contact_id == contact_id
    )
    return (await session.scalars(statement)).first()
