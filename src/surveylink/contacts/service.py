from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.auth.permissions import AuthKey, Permission
from surveylink.contacts import repository
from surveylink.contacts.models import Contact
from surveylink.contacts.schemas import ContactCreate, ContactOut
from surveylink.core.errors import BadRequest, Conflict, Forbidden


async def create_contact(session: AsyncSession, key: AuthKey, body: ContactCreate) -> ContactOut:
    """One contact with its attributes; every key must already exist (resources spec §2.1)."""
    environment_id = body.environment_id
    if not key.allows(environment_id, Permission.WRITE):
        raise Forbidden()
    email = body.attributes["email"]
    if await repository.find_contact_by_attribute(session, environment_id, "email", email):
        raise Conflict.on("email", "contact with this email already exists")
    user_id = body.attributes.get("userId")
    if user_id and await repository.find_contact_by_attribute(
        session, environment_id, "userId", user_id
    ):
        raise Conflict.on("userId", "contact with this userId already exists")
    keys = await repository.get_attribute_keys(session, environment_id, body.attributes)
    missing = [name for name in body.attributes if name not in keys]
    if missing:
        raise BadRequest.on("attributes", f"attribute keys not found: {', '.join(missing)}. ")
    contact = Contact(environment_id=environment_id)
    await repository.add_contact(
        session, contact, [(keys[name], value) for name, value in body.attributes.items()]
    )
    return ContactOut(
        id=contact.id,
        created_at=contact.created_at,
        environment_id=environment_id,
        attributes=dict(body.attributes),
    )
