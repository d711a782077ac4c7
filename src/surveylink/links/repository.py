from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.contacts.models import Contact
from surveylink.responses.models import Response
from surveylink.surveys.models import Survey


@dataclass(frozen=True)
class LinkTarget:
    environment_id: str
    survey_type: str
    single_use: dict[str, Any] | None
    contact_environment_id: str | None
    responded: bool


async def get_link_target(
    session: AsyncSession, survey_id: str, contact_id: str
) -> LinkTarget | None:
    """Everything the link endpoint checks, in one round trip on primary keys and one index."""
    contact_environment = (
        select(Contact.environment_id).where(Contact.id == contact_id).scalar_subquery()
    )
    responded = exists().where(Response.survey_id == survey_id, Response.contact_id == contact_id)
    statement = select(
        Survey.environment_id,
        Survey.type,
        Survey.document["singleUse"],
        contact_environment,
        responded,
    ).where(Survey.id == survey_id)
    row = (await session.execute(statement)).first()
    if row is None:
        return None
    return LinkTarget(row[0], row[1], row[2], row[3], bool(row[4]))
