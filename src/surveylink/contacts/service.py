from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.auth.permissions import AuthKey, authorize
from surveylink.contacts import repository
from surveylink.contacts.models import Contact, ContactAttribute
from surveylink.contacts.schemas import ContactCreate, ContactOut
from surveylink.core.errors import BadRequest, Conflict, DomainError, Forbidden, Resource


async def create_contact(session: AsyncSession, key: AuthKey, body: ContactCreate) -> ContactOut:
    """One contact with its attributes; every key must already exist (resources spec §2.1)."""
    environment_id = body.environment_id
    if not key.allows(environment_id):
        raise Forbidden()
    if conflict := await _conflict(session, environment_id, body.attributes):
        raise conflict
    keys = await repository.get_attribute_keys(session, environment_id, body.attributes)
    missing = [name for name in body.attributes if name not in keys]
    if missing:
        raise BadRequest.on("attributes", f"attribute keys not found: {', '.join(missing)}. ")
    contact = Contact(environment_id=environment_id)
    values = [(keys[name], value) for name, value in body.attributes.items()]
    try:
        async with session.begin_nested():
            await repository.add_contact(session, contact, values)
    except IntegrityError:
        # A concurrent create took the email or userId first (the unique index of
        # contacts/models.py): answered as if it had come before the check above.
        conflict = await _conflict(session, environment_id, body.attributes)
        raise conflict or _email_taken() from None
    return ContactOut(
        id=contact.id,
        created_at=contact.created_at,
        environment_id=environment_id,
        attributes=dict(body.attributes),
    )


async def _conflict(
    session: AsyncSession, environment_id: str, attributes: dict[str, str]
) -> DomainError | None:
    """Upstream's 409 when another contact of the environment has this email or userId."""
    email = attributes["email"]
    if await repository.find_contact_by_attribute(session, environment_id, "email", email):
        return _email_taken()
    user_id = attributes.get("userId")
    if user_id and await repository.find_contact_by_attribute(
        session, environment_id, "userId", user_id
    ):
        return Conflict.on("userId", "contact with this userId already exists")
    return None


def _email_taken() -> DomainError:
    return Conflict.on("email", "contact with this email already exists")


async def list_all_contacts(session: AsyncSession, key: AuthKey) -> list[Contact]:
    """Every contact of every environment the key holds, unpaginated as upstream."""
    return await repository.list_contacts(session, key.environment_ids)


async def get_contact_for_key(session: AsyncSession, key: AuthKey, contact_id: str) -> Contact:
    """The contact: 404, then 401 when the key lacks its route's permission on its environment."""
    contact = await repository.get_contact(session, contact_id)
    return authorize(contact, key, Resource.CONTACT, contact_id)


async def delete_contact(session: AsyncSession, key: AuthKey, contact_id: str) -> None:
    """Deletes the contact; the database cascades its attributes, displays and responses."""
    contact = await get_contact_for_key(session, key, contact_id)
    await repository.delete_contact(session, contact)


async def list_all_contact_attributes(
    session: AsyncSession, key: AuthKey
) -> list[ContactAttribute]:
    return await repository.list_contact_attributes(session, key.environment_ids)
