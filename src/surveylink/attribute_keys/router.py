from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from surveylink.attribute_keys import service
from surveylink.attribute_keys.schemas import (
    AttributeKeyCreate,
    AttributeKeyFilter,
    AttributeKeyOut,
    AttributeKeyUpdate,
)
from surveylink.auth.deps import ManageKey, ReadKey, WriteKey
from surveylink.core.db import SessionDep
from surveylink.core.envelopes import Data, Page, PageMeta
from surveylink.core.errors import error_responses
from surveylink.core.routing import API_V2, ApiRoute
from surveylink.core.zod import Cuid2

router = APIRouter(
    prefix=API_V2, tags=["Management API - Contact Attribute Keys"], route_class=ApiRoute
)

KEYS = "/management/contact-attribute-keys"
# The contract writes `{id}`; upstream validates it as `contactAttributeKeyId`, the name its
# 422 details carry, so the path names it that way (docs/compatibility.md).
KEY = KEYS + "/{contactAttributeKeyId}"
KeyId = Annotated[
    Cuid2,
    Path(alias="contactAttributeKeyId", description="The ID of the contact attribute key"),
]


@router.get(KEYS, operation_id="getContactAttributeKeys")
async def get_contact_attribute_keys(
    key: ReadKey, session: SessionDep, params: Annotated[AttributeKeyFilter, Query()]
) -> Page[AttributeKeyOut]:
    """Gets contact attribute keys from the database."""
    rows, total = await service.list_attribute_keys(session, key, params)
    return Page(
        data=[AttributeKeyOut.model_validate(row) for row in rows],
        meta=PageMeta(total=total, limit=params.limit, offset=params.skip),
    )


@router.post(
    KEYS,
    operation_id="createContactAttributeKey",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(403, 404, 409),
)
async def create_contact_attribute_key(
    key: WriteKey, session: SessionDep, body: AttributeKeyCreate
) -> Data[AttributeKeyOut]:
    """Creates a contact attribute key in the database."""
    created = await service.create_attribute_key(session, key, body)
    return Data(data=AttributeKeyOut.model_validate(created))


@router.get(KEY, operation_id="getContactAttributeKey", responses=error_responses(404))
async def get_contact_attribute_key(
    key: ReadKey, session: SessionDep, key_id: KeyId
) -> Data[AttributeKeyOut]:
    """Gets a contact attribute key from the database."""
    found = await service.get_attribute_key_for_key(session, key, key_id)
    return Data(data=AttributeKeyOut.model_validate(found))


@router.put(KEY, operation_id="updateContactAttributeKey", responses=error_responses(400, 404, 409))
async def update_contact_attribute_key(
    key: WriteKey, session: SessionDep, key_id: KeyId, body: AttributeKeyUpdate
) -> Data[AttributeKeyOut]:
    """Updates a contact attribute key in the database."""
    updated = await service.update_attribute_key(session, key, key_id, body)
    return Data(data=AttributeKeyOut.model_validate(updated))


@router.delete(KEY, operation_id="deleteContactAttributeKey", responses=error_responses(400, 404))
async def delete_contact_attribute_key(
    key: ManageKey, session: SessionDep, key_id: KeyId
) -> Data[AttributeKeyOut]:
    """Deletes a contact attribute key from the database."""
    deleted = await service.delete_attribute_key(session, key, key_id)
    return Data(data=AttributeKeyOut.model_validate(deleted))
