from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.attribute_keys.models import ContactAttributeKey
from surveylink.contacts.models import Contact, ContactAttribute


async def find_contact_by_attribute(
    session: AsyncSession, environment_id: str, key: str, value: str
) -> str | None:
    """The id of a contact of the environment whose attribute `key` is exactly `value`."""
    statement = (
        select(ContactAttribute.contact_id)
        .join(ContactAttributeKey, ContactAttributeKey.id == ContactAttribute.attribute_key_id)
        .where(
            ContactAttributeKey.environment_id == environment_id,
            ContactAttributeKey.key == key,
            ContactAttribute.value == value,
        )
        .limit(1)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def get_attribute_keys(
    session: AsyncSession, environment_id: str, keys: Iterable[str]
) -> dict[str, ContactAttributeKey]:
    statement = select(ContactAttributeKey).where(
        ContactAttributeKey.environment_id == environment_id,
        ContactAttributeKey.key.in_(list(keys)),
    )
    return {row.key: row for row in (await session.scalars(statement)).all()}


async def get_contact(session: AsyncSession, contact_id: str) -> Contact | None:
    return await session.get(Contact, contact_id)


async def get_attributes(session: AsyncSession, contact_id: str) -> dict[str, str]:
    """All of a contact's attributes as `{key: value}`, in one query."""
    grouped = await get_attributes_by_contact(session, [contact_id])
    return grouped[contact_id]


async def get_attributes_by_contact(
    session: AsyncSession, contact_ids: Sequence[str]
) -> dict[str, dict[str, str]]:
    """Attributes of many contacts in one query."""
    statement = (
        select(ContactAttribute.contact_id, ContactAttributeKey.key, ContactAttribute.value)
        .join(ContactAttributeKey, ContactAttributeKey.id == ContactAttribute.attribute_key_id)
        .where(ContactAttribute.contact_id.in_(contact_ids))
        .order_by(ContactAttribute.created_at, ContactAttribute.id)
    )
    grouped: dict[str, dict[str, str]] = {contact_id: {} for contact_id in contact_ids}
    for contact_id, key, value in await session.execute(statement):
        grouped[contact_id][key] = value
    return grouped


async def add_contact(
    session: AsyncSession,
    contact: Contact,
    values: Iterable[tuple[ContactAttributeKey, str]],
) -> None:
    session.add(contact)
    await session.flush()
    session.add_all(
        ContactAttribute(contact_id=contact.id, attribute_key_id=key.id, value=value)
        for key, value in values
    )
    await session.flush()
