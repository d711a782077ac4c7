"""Upstream's v1 contact API: listing, reading and deleting, in v1's envelope."""

from typing import Annotated

from fastapi import APIRouter, Path

from surveylink.auth.deps import ManageKey, ReadKey
from surveylink.contacts import service
from surveylink.contacts.schemas import ContactAttributeV1, ContactV1, DeletedV1
from surveylink.core.db import SessionDep
from surveylink.core.envelopes import Data
from surveylink.core.routing import API_V1, V1Route
from surveylink.core.zod import Cuid2

router = APIRouter(prefix=API_V1, route_class=V1Route)
CONTACTS_TAG = "Management API v1 - Contacts"

ContactId = Annotated[Cuid2, Path(alias="contactId")]


@router.get("/management/contacts", operation_id="getContactsV1", tags=[CONTACTS_TAG])
async def get_contacts(key: ReadKey, session: SessionDep) -> Data[list[ContactV1]]:
    contacts = await service.list_all_contacts(session, key)
    return Data(data=[ContactV1.model_validate(contact) for contact in contacts])


@router.get("/management/contacts/{contactId}", operation_id="getContactV1", tags=[CONTACTS_TAG])
async def get_contact(key: ReadKey, session: SessionDep, contact_id: ContactId) -> Data[ContactV1]:
    contact = await service.get_contact_for_key(session, key, contact_id)
    return Data(data=ContactV1.model_validate(contact))


@router.delete(
    "/management/contacts/{contactId}", operation_id="deleteContactV1", tags=[CONTACTS_TAG]
)
async def delete_contact(
    key: ManageKey, session: SessionDep, contact_id: ContactId
) -> Data[DeletedV1]:
    await service.delete_contact(session, key, contact_id)
    return Data(data=DeletedV1(success="Contact deleted successfully"))


@router.get(
    "/management/contact-attributes",
    operation_id="getContactAttributesV1",
    tags=["Management API v1 - Contact Attributes"],
)
async def get_contact_attributes(
    key: ReadKey, session: SessionDep
) -> Data[list[ContactAttributeV1]]:
    rows = await service.list_all_contact_attributes(session, key)
    return Data(data=[ContactAttributeV1.model_validate(row) for row in rows])
