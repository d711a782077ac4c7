from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.attribute_keys import repository
from surveylink.attribute_keys.models import DEFAULT_KEYS, ContactAttributeKey
from surveylink.attribute_keys.schemas import (
    UNSAFE_KEY,
    AttributeKeyCreate,
    AttributeKeyFilter,
    AttributeKeyUpdate,
    V1AttributeKeyCreate,
    V1AttributeKeyUpdate,
    is_safe_identifier,
    title_from_key,
)
from surveylink.auth.permissions import AuthKey, authorize
from surveylink.core.bodies import parse_body
from surveylink.core.errors import BadRequest, Conflict, Forbidden, Invalid, Resource, Unauthorized


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
        if not key.allows(params.environment_id):
            raise Unauthorized()
        environment_ids = [params.environment_id]
    return await repository.list_attribute_keys(session, environment_ids, params)


async def list_all_attribute_keys(session: AsyncSession, key: AuthKey) -> list[ContactAttributeKey]:
    """Every key of every environment the key holds, unpaginated (upstream's v1 list)."""
    return await repository.list_all_attribute_keys(session, key.environment_ids)


async def create_attribute_key(
    session: AsyncSession, key: AuthKey, body: AttributeKeyCreate | V1AttributeKeyCreate
) -> ContactAttributeKey:
    """A custom, non-unique key; a missing name is derived from the key (resources spec §3.2)."""
    if not is_safe_identifier(body.key):
        raise Invalid.on("key", UNSAFE_KEY)
    if not key.allows(body.environment_id):
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
    await _save(
        session,
        attribute_key,
        Conflict.on(
            "contactAttributeKey",
            f'Contact attribute key with "{body.key}" already exists',
            message="Attribute key already exists",
        ),
    )
    return attribute_key


async def create_attribute_key_from_json(
    session: AsyncSession, key: AuthKey, raw: bytes
) -> ContactAttributeKey:
    """Upstream's v1 create: the body is parsed after the key was checked."""
    return await create_attribute_key(session, key, parse_body(raw, V1AttributeKeyCreate))


async def get_attribute_key_for_key(
    session: AsyncSession, key: AuthKey, key_id: str
) -> ContactAttributeKey:
    """The attribute key: 404 when absent (even in another organization), then 401."""
    return authorize(
        await repository.get_attribute_key(session, key_id),
        key,
        Resource.ATTRIBUTE_KEY,
        key_id,
    )


def _ensure_custom(attribute_key: ContactAttributeKey, verb: str, unique_issue: str) -> None:
    if attribute_key.type == "default":
        raise BadRequest.on(
            "contactAttributeKey",
            f"cannot {verb} default contact attribute key",
            message=f"Default Contact Attribute Keys cannot be {verb}d",
        )
    if attribute_key.is_unique:
        raise BadRequest.on("contactAttributeKey", unique_issue)


async def update_attribute_key(
    session: AsyncSession, key: AuthKey, key_id: str, body: AttributeKeyUpdate
) -> ContactAttributeKey:
    """Only `name` and `description` change; default and unique keys are refused."""
    attribute_key = await get_attribute_key_for_key(session, key, key_id)
    _ensure_custom(attribute_key, "update", "cannot update unique contact attribute key")
    attribute_key.name = body.name
    attribute_key.description = body.description
    await session.flush()
    return attribute_key


async def delete_attribute_key(
    session: AsyncSession, key: AuthKey, key_id: str
) -> ContactAttributeKey:
    """Deletes a custom key and every value stored under it."""
    attribute_key = await get_attribute_key_for_key(session, key, key_id)
    _ensure_custom(attribute_key, "delete", "cannot delete unique contactAttributeKey")
    await repository.delete_attribute_key(session, attribute_key)
    return attribute_key


async def edit_attribute_key(
    session: AsyncSession, key: AuthKey, key_id: str, raw: bytes
) -> ContactAttributeKey:
    """Upstream's v1 update: sets the fields sent, `key` and `dataType` included, except that a
    default key keeps its `key` and `dataType`. The body is parsed after the lookup (404 first)."""
    attribute_key = await get_attribute_key_for_key(session, key, key_id)
    body = parse_body(raw, V1AttributeKeyUpdate)
    if attribute_key.type == "default" and (
        (body.key is not None and body.key != attribute_key.key)
        or (body.data_type is not None and body.data_type != attribute_key.data_type)
    ):
        # Upstream lets `email` be renamed; every contact lookup by email would then break.
        raise BadRequest.on(
            "contactAttributeKey",
            "cannot rename or retype default contact attribute key",
            message="Default Contact Attribute Keys cannot be renamed or retyped",
        )
    for name in ("description", "name"):
        if name in body.model_fields_set:
            setattr(attribute_key, name, getattr(body, name))
    if body.key is not None:
        attribute_key.key = body.key
    if body.data_type is not None:
        attribute_key.data_type = body.data_type
    await _save(
        session,
        attribute_key,
        Conflict.on(
            "key", "already exists", message="Unique constraint failed on the fields: (`key`)"
        ),
    )
    return attribute_key


async def _save(
    session: AsyncSession, attribute_key: ContactAttributeKey, conflict: Conflict
) -> None:
    session.add(attribute_key)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise conflict from None
