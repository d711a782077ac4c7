"""Upstream's v1 contact-attribute-key endpoints (resources spec §2.4): v1's envelope and
checks, over the same table as v2."""

from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from surveylink.attribute_keys import repository
from surveylink.attribute_keys.models import ContactAttributeKey
from surveylink.attribute_keys.schemas import (
    V1AttributeKeyCreate,
    V1AttributeKeyUpdate,
    title_from_key,
)
from surveylink.auth.permissions import AuthKey, Permission, authorize
from surveylink.core import bodies, zod
from surveylink.core.errors import MALFORMED_JSON, V1Error
from surveylink.core.schemas import ApiModel

INVALID_FIELDS = "Fields are missing or incorrectly formatted"
RESOURCE = "Attribute Key"
Model = TypeVar("Model", bound=ApiModel)


def parse_body(raw: bytes, model: type[Model]) -> Model:
    """The body as `model`, or v1's 400 with its flat `details` map."""
    try:
        data = bodies.loads(raw)
    except ValueError:
        raise V1Error.bad_request(MALFORMED_JSON) from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        schema = model.model_json_schema(by_alias=True)
        details: dict[str, Any] = {}
        for issue in error.errors():
            located = {**issue, "loc": ("body", *issue["loc"])}
            details[zod.field(issue["loc"])] = zod.issue(located, schema)
        raise V1Error.bad_request(INVALID_FIELDS, details) from None


async def list_attribute_keys(session: AsyncSession, key: AuthKey) -> list[ContactAttributeKey]:
    return await repository.list_all_attribute_keys(session, key.environment_ids)


async def create_attribute_key(
    session: AsyncSession, key: AuthKey, raw: bytes
) -> ContactAttributeKey:
    body = parse_body(raw, V1AttributeKeyCreate)
    if not key.allows(body.environment_id, Permission.WRITE):
        raise V1Error.unauthorized()
    attribute_key = ContactAttributeKey(
        key=body.key,
        name=title_from_key(body.key) if body.name is None else body.name,
        description=body.description or "",
        type="custom",
        is_unique=False,
        data_type=body.data_type or "string",
        environment_id=body.environment_id,
    )
    await _save(session, attribute_key, "Attribute key already exists")
    return attribute_key


async def get_attribute_key_for_key(
    session: AsyncSession, key: AuthKey, key_id: str, needed: Permission
) -> ContactAttributeKey:
    # Upstream's v1 key routes check no id format (a non-cuid2 id is simply not found), so this
    # is authorize(), not authorize_v1().
    return authorize(
        await repository.get_attribute_key(session, key_id),
        key,
        needed,
        missing=V1Error.not_found(RESOURCE, key_id),
        denied=V1Error.unauthorized(),
    )


async def update_attribute_key(
    session: AsyncSession, key: AuthKey, key_id: str, raw: bytes
) -> ContactAttributeKey:
    """Sets the fields sent; a default key's `key` and `dataType` stay as they are."""
    attribute_key = await get_attribute_key_for_key(session, key, key_id, Permission.WRITE)
    body = parse_body(raw, V1AttributeKeyUpdate)
    if attribute_key.type == "default" and (
        (body.key is not None and body.key != attribute_key.key)
        or (body.data_type is not None and body.data_type != attribute_key.data_type)
    ):
        # Upstream lets `email` be renamed; every contact lookup by email would then break.
        raise V1Error.bad_request("Default Contact Attribute Keys cannot be renamed or retyped")
    if "description" in body.model_fields_set:
        attribute_key.description = body.description
    if "name" in body.model_fields_set:
        attribute_key.name = body.name
    if body.key is not None:
        attribute_key.key = body.key
    if body.data_type is not None:
        attribute_key.data_type = body.data_type
    await _save(session, attribute_key, "Unique constraint failed on the fields: (`key`)")
    return attribute_key


async def delete_attribute_key(
    session: AsyncSession, key: AuthKey, key_id: str
) -> ContactAttributeKey:
    attribute_key = await get_attribute_key_for_key(session, key, key_id, Permission.MANAGE)
    if attribute_key.type == "default":
        raise V1Error.bad_request("Default Contact Attribute Keys cannot be deleted")
    await repository.delete_attribute_key(session, attribute_key)
    return attribute_key


async def _save(session: AsyncSession, attribute_key: ContactAttributeKey, conflict: str) -> None:
    session.add(attribute_key)
    try:
        await session.flush()
    except IntegrityError:
        raise V1Error.bad_request(conflict) from None
