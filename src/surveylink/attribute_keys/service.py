from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.attribute_keys import repository
from surveylink.attribute_keys.models import DEFAULT_KEYS, ContactAttributeKey
from surveylink.attribute_keys.schemas import (
    UNSAFE_KEY,
    AttributeKeyCreate,
    AttributeKeyFilter,
    AttributeKeyUpdate,
    is_safe_identifier,
    title_from_key,
)
from surveylink.auth.permissions import AuthKey, Permission, authorize
from surveylink.core.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    UnprocessableEntity,
)

KEY_NOT_FOUND = ("contactAttributeKey", "not found")


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


async def list_attribute_keys(
    session: AsyncSession, key: AuthKey, params: AttributeKeyFilter
) -> tuple[list[ContactAttributeKey], int]:
    """The keys of one environment (401 without read on it), else of every environment."""
    environment_ids = key.environment_ids
    if params.environment_id is not None:
        if not key.allows(params.environment_id, Permission.READ):
            raise Unauthorized()
        environment_ids = [params.environment_id]
    return await repository.list_attribute_keys(session, environment_ids, params)


async def create_attribute_key(
    session: AsyncSession, key: AuthKey, body: AttributeKeyCreate
) -> ContactAttributeKey:
    """A custom, non-unique key; a missing name is derived from the key (resources spec §3.2)."""
    if not is_safe_identifier(body.key):
        raise UnprocessableEntity.on("key", UNSAFE_KEY)
    if not key.allows(body.environment_id, Permission.WRITE):
        raise Forbidden()
    attribute_key = ContactAttributeKey(
        key=body.key,
        name=title_from_key(body.key) if body.name is None else body.name,
        description=body.description,
        data_type=body.data_type or "string",
        type="custom",
        is_unique=False,
        environment_id=body.environment_id,
    )
    session.add(attribute_key)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict.on(
            "contactAttributeKey", f'Contact attribute key with "{body.key}" already exists'
        ) from None
    return attribute_key


async def get_attribute_key_for_key(
    session: AsyncSession, key: AuthKey, key_id: str, needed: Permission
) -> ContactAttributeKey:
    """The attribute key: 404 when absent (even in another organization), then 401."""
    return authorize(
        await repository.get_attribute_key(session, key_id),
        key,
        needed,
        missing=NotFound.on(*KEY_NOT_FOUND),
        denied=Unauthorized(),
    )


def _ensure_custom(attribute_key: ContactAttributeKey, verb: str, unique_issue: str) -> None:
    if attribute_key.type == "default":
        raise BadRequest.on("contactAttributeKey", f"cannot {verb} default contact attribute key")
    if attribute_key.is_unique:
        raise BadRequest.on("contactAttributeKey", unique_issue)


async def update_attribute_key(
    session: AsyncSession, key: AuthKey, key_id: str, body: AttributeKeyUpdate
) -> ContactAttributeKey:
    """Only `name` and `description` change; default and unique keys are refused."""
    attribute_key = await get_attribute_key_for_key(session, key, key_id, Permission.WRITE)
    _ensure_custom(attribute_key, "update", "cannot update unique contact attribute key")
    attribute_key.name = body.name
    attribute_key.description = body.description
    await session.flush()
    return attribute_key


async def delete_attribute_key(
    session: AsyncSession, key: AuthKey, key_id: str
) -> ContactAttributeKey:
    """Deletes a custom key and every value stored under it."""
    attribute_key = await get_attribute_key_for_key(session, key, key_id, Permission.MANAGE)
    _ensure_custom(attribute_key, "delete", "cannot delete unique contactAttributeKey")
    await repository.delete_attribute_key(session, attribute_key)
    return attribute_key
