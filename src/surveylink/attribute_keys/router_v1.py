"""Upstream's v1 contact-attribute-key API, in v1's envelope."""

from typing import Annotated

from fastapi import APIRouter, Path

from surveylink.attribute_keys import service
from surveylink.attribute_keys.schemas import AttributeKeyOut
from surveylink.auth.deps import ManageKey, ReadKey, WriteKey
from surveylink.core.bodies import RawBody
from surveylink.core.db import SessionDep
from surveylink.core.envelopes import Data
from surveylink.core.routing import API_V1, V1Route

router = APIRouter(
    prefix=API_V1, tags=["Management API v1 - Contact Attribute Keys"], route_class=V1Route
)

KEYS = "/management/contact-attribute-keys"
KEY = KEYS + "/{contactAttributeKeyId}"
KeyId = Annotated[str, Path(alias="contactAttributeKeyId")]


@router.get(KEYS, operation_id="getContactAttributeKeysV1")
async def get_contact_attribute_keys(
    key: ReadKey, session: SessionDep
) -> Data[list[AttributeKeyOut]]:
    rows = await service.list_all_attribute_keys(session, key)
    return Data(data=[AttributeKeyOut.model_validate(row) for row in rows])


@router.post(KEYS, operation_id="createContactAttributeKeyV1")
async def create_contact_attribute_key(
    key: WriteKey, body: RawBody, session: SessionDep
) -> Data[AttributeKeyOut]:
    created = await service.create_attribute_key_from_json(session, key, body)
    return Data(data=AttributeKeyOut.model_validate(created))


@router.get(KEY, operation_id="getContactAttributeKeyV1")
async def get_contact_attribute_key(
    key: ReadKey, session: SessionDep, key_id: KeyId
) -> Data[AttributeKeyOut]:
    found = await service.get_attribute_key_for_key(session, key, key_id)
    return Data(data=AttributeKeyOut.model_validate(found))


@router.put(KEY, operation_id="updateContactAttributeKeyV1")
async def update_contact_attribute_key(
    key: WriteKey, body: RawBody, session: SessionDep, key_id: KeyId
) -> Data[AttributeKeyOut]:
    updated = await service.edit_attribute_key(session, key, key_id, body)
    return Data(data=AttributeKeyOut.model_validate(updated))


@router.delete(KEY, operation_id="deleteContactAttributeKeyV1")
async def delete_contact_attribute_key(
    key: ManageKey, session: SessionDep, key_id: KeyId
) -> Data[AttributeKeyOut]:
    deleted = await service.delete_attribute_key(session, key, key_id)
    return Data(data=AttributeKeyOut.model_validate(deleted))
