from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, exists, select

from surveylink.contacts.models import Contact
from surveylink.core.reader import Reader
from surveylink.responses.models import Response
from surveylink.surveys.models import Survey


@dataclass(frozen=True)
class LinkTarget:
    environment_id: str
    survey_type: str
    single_use: dict[str, Any] | None
    contact_environment_id: str | None
    responded: bool


# Built once: everything the link endpoint checks, in one round trip on primary keys and an index.
# singleUse as two booleans: decoding its JSON object on every request costs more than the query.
_LINK_TARGET = select(
    Survey.environment_id,
    Survey.type,
    Survey.document[("singleUse", "enabled")].as_boolean(),
    Survey.document[("singleUse", "isEncrypted")].as_boolean(),
    select(Contact.environment_id).where(Contact.id == bindparam("contact_id")).scalar_subquery(),
    exists().where(
        Response.survey_id == bindparam("survey_id"),
        Response.contact_id == bindparam("contact_id"),
    ),
).where(Survey.id == bindparam("survey_id"))


async def get_link_target(reader: Reader, survey_id: str, contact_id: str) -> LinkTarget | None:
    rows = await reader.rows(_LINK_TARGET, {"survey_id": survey_id, "contact_id": contact_id})
    if not rows:
        return None
    environment_id, survey_type, single_use, encrypted, contact_environment_id, responded = rows[0]
    settings = {"enabled": True, "isEncrypted": bool(encrypted)} if single_use else None
    return LinkTarget(
        environment_id, survey_type, settings, contact_environment_id, bool(responded)
    )
