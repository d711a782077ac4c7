from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, case, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.attribute_keys.models import ContactAttributeKey
from surveylink.contacts.models import Contact, ContactAttribute
from surveylink.core.clock import utcnow


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


async def list_contacts(session: AsyncSession, environment_ids: Sequence[str]) -> list[Contact]:
    statement = (
        select(Contact)
        .where(Contact.environment_id.in_(environment_ids))
        .order_by(Contact.created_at, Contact.id)
    )
    return list((await session.scalars(statement)).all())


async def delete_contact(session: AsyncSession, contact: Contact) -> None:
    await session.execute(delete(Contact).where(Contact.id == contact.id))
    session.expunge(contact)


async def list_contact_attributes(
    session: AsyncSession, environment_ids: Sequence[str]
) -> list[ContactAttribute]:
    """Every attribute row under the environments' keys."""
    statement = (
        select(ContactAttribute)
        .join(ContactAttributeKey, ContactAttributeKey.id == ContactAttribute.attribute_key_id)
        .where(ContactAttributeKey.environment_id.in_(environment_ids))
        .order_by(ContactAttribute.created_at, ContactAttribute.id)
    )
    return list((await session.scalars(statement)).all())


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
        ContactAttribute(
            contact_id=contact.id, attribute_key_id=key.id, value=value, is_unique=key.is_unique
        )
        for key, value in values
    )
    await session.flush()


async def get_contacts_by_email(
    session: AsyncSession, environment_id: str, emails: Sequence[str]
) -> dict[str, tuple[str, dict[str, str]]]:
    """`{email: (contact id, {key: value})}` for the environment's contacts with these emails,
    in one query."""
    with_email = (
        select(ContactAttribute.contact_id)
        .join(ContactAttributeKey, ContactAttributeKey.id == ContactAttribute.attribute_key_id)
        .where(
            ContactAttributeKey.environment_id == environment_id,
            ContactAttributeKey.key == "email",
            ContactAttribute.value.in_(emails),
        )
    )
    statement = (
        select(ContactAttribute.contact_id, ContactAttributeKey.key, ContactAttribute.value)
        .join(ContactAttributeKey, ContactAttributeKey.id == ContactAttribute.attribute_key_id)
        .where(ContactAttribute.contact_id.in_(with_email))
    )
    grouped: dict[str, dict[str, str]] = {}
    for contact_id, key, value in await session.execute(statement):
        grouped.setdefault(contact_id, {})[key] = value
    return {
        attributes["email"]: (contact_id, attributes) for contact_id, attributes in grouped.items()
    }


async def find_attribute_values(
    session: AsyncSession, environment_id: str, key: str, values: Sequence[str]
) -> set[str]:
    """Which of `values` some contact of the environment holds under `key`."""
    statement = (
        select(ContactAttribute.value)
        .join(ContactAttributeKey, ContactAttributeKey.id == ContactAttribute.attribute_key_id)
        .where(
            ContactAttributeKey.environment_id == environment_id,
            ContactAttributeKey.key == key,
            ContactAttribute.value.in_(values),
        )
    )
    return set((await session.scalars(statement)).all())


async def insert_attribute_keys(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Inserts the keys no other transaction has inserted first, in one statement.

    `ON CONFLICT DO NOTHING` on (environment, key): a concurrent upload that created the same
    key wins and this row is dropped, so read the ids back. Rows go in key order, so two
    uploads wait on each other's keys in the same order and cannot deadlock.
    """
    if not rows:
        return
    table = ContactAttributeKey.__table__
    assert isinstance(table, Table)
    ordered = sorted(rows, key=lambda row: str(row["key"]))
    statement = _dialect_insert(session)(table).values(ordered)
    await session.execute(
        statement.on_conflict_do_nothing(index_elements=[table.c.environment_id, table.c.key])
    )


async def rename_attribute_keys(session: AsyncSession, names: dict[str, str]) -> None:
    """Sets each key's name (`{id: name}`) in one statement."""
    if not names:
        return
    await session.execute(
        update(ContactAttributeKey)
        .where(ContactAttributeKey.id.in_(list(names)))
        .values(
            name=case(names, value=ContactAttributeKey.id),
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )


async def insert_contacts(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(Contact), list(rows))


async def upsert_attributes(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Inserts attribute rows, or updates the value of the (contact, key) row already there.

    Existing rows keep their id and creation time. The statement is the dialect's own
    `INSERT … ON CONFLICT DO UPDATE`, sent in batches that fit either driver's parameter cap.
    A value another contact holds under a unique key (email, userId) raises IntegrityError.
    Rows go in (key, value) order, so two uploads wait on each other's values in the same
    order and cannot deadlock on them.
    """
    if not rows:
        return
    rows = sorted(rows, key=lambda row: (str(row["attribute_key_id"]), str(row["value"])))
    upsert = _dialect_insert(session)
    table = ContactAttribute.__table__
    assert isinstance(table, Table)
    for start in range(0, len(rows), _UPSERT_BATCH):
        statement = upsert(table).values(list(rows[start : start + _UPSERT_BATCH]))
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.contact_id, table.c.attribute_key_id],
                set_={
                    "value": statement.excluded.value,
                    "value_number": statement.excluded.value_number,
                    "value_date": statement.excluded.value_date,
                    "updated_at": statement.excluded.updated_at,
                },
            )
        )


# 9 columns a row: 3,000 rows stay under SQLite's and asyncpg's 32,767 parameters.
_UPSERT_BATCH = 3000


def _dialect_insert(session: AsyncSession) -> type[postgresql.Insert] | type[sqlite.Insert]:
    """The dialect's own `INSERT`, the one that knows `ON CONFLICT`."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.Insert
    return sqlite.Insert
