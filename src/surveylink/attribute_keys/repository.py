from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.attribute_keys.models import ContactAttributeKey
from surveylink.core.pagination import DateColumns, ListParams

DATE_COLUMNS: DateColumns = {
    "createdAt": ContactAttributeKey.created_at,
    "updatedAt": ContactAttributeKey.updated_at,
}


async def list_attribute_keys(
    session: AsyncSession, environment_ids: Sequence[str], params: ListParams
) -> tuple[list[ContactAttributeKey], int]:
    """One page of the environments' keys and the count of all that match."""
    statement = select(ContactAttributeKey).where(
        ContactAttributeKey.environment_id.in_(environment_ids)
    )
    page = params.apply(statement, DATE_COLUMNS).order_by(ContactAttributeKey.id)
    count = params.window(
        select(func.count()).select_from(ContactAttributeKey), DATE_COLUMNS
    ).where(ContactAttributeKey.environment_id.in_(environment_ids))
    rows = list((await session.scalars(page)).all())
    return rows, (await session.execute(count)).scalar_one()


async def list_all_attribute_keys(
    session: AsyncSession, environment_ids: Sequence[str]
) -> list[ContactAttributeKey]:
    statement = (
        select(ContactAttributeKey)
        .where(ContactAttributeKey.environment_id.in_(environment_ids))
        .order_by(ContactAttributeKey.created_at, ContactAttributeKey.id)
    )
    return list((await session.scalars(statement)).all())


async def get_attribute_key(session: AsyncSession, key_id: str) -> ContactAttributeKey | None:
    return await session.get(ContactAttributeKey, key_id)


async def delete_attribute_key(session: AsyncSession, key: ContactAttributeKey) -> None:
    """Deletes the key; the database cascades its attribute values."""
    await session.execute(delete(ContactAttributeKey).where(ContactAttributeKey.id == key.id))
    session.expunge(key)
