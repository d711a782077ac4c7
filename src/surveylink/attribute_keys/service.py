from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.attribute_keys.models import DEFAULT_KEYS, ContactAttributeKey


async def create_default_keys(session: AsyncSession, environment_id: str) -> None:
    """Upstream's five default keys, which every new environment gets."""
    session.add_all(
        ContactAttributeKey(
            key=key,
            name=name,
            description=description,
            is_unique=is_unique,
            type="default",
            environment_id=environment_id,
        )
        for key, name, description, is_unique in DEFAULT_KEYS
    )
    await session.flush()
