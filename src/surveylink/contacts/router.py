from fastapi import APIRouter, Response, status

from surveylink.auth.deps import WriteKey
from surveylink.contacts import bulk, service
from surveylink.contacts.schemas import (
    BulkUploadResult,
    ContactBulkUpload,
    ContactCreate,
    ContactOut,
)
from surveylink.core.db import SessionDep
from surveylink.core.envelopes import Data
from surveylink.core.errors import error_responses
from surveylink.core.routing import API_V2, ApiRoute

router = APIRouter(prefix=API_V2, tags=["Management API - Contacts"], route_class=ApiRoute)


@router.put(
    "/management/contacts/bulk",
    operation_id="uploadBulkContacts",
    response_model_exclude_none=True,
    responses={
        **error_responses(403),
        207: {"model": Data[BulkUploadResult], "description": "Some contacts skipped"},
    },
)
async def upload_bulk_contacts(
    key: WriteKey, session: SessionDep, body: ContactBulkUpload, response: Response
) -> Data[BulkUploadResult]:
    """Uploads contacts in bulk. This endpoint expects the bulk request shape: `contacts` must
    be an array, and each contact item must contain an `attributes` array of
    `{ attributeKey, value }` objects. Unlike `POST /management/contacts`, this endpoint does
    not accept a top-level `attributes` object. Each contact must include an `email` attribute
    in its `attributes` array, and that email must be valid."""
    result = await bulk.upload_contacts(session, key, body)
    if result.meta is not None:
        response.status_code = status.HTTP_207_MULTI_STATUS
    return Data(data=result)


@router.post(
    "/management/contacts",
    operation_id="createContact",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(403, 409),
)
async def create_contact(
    key: WriteKey, session: SessionDep, body: ContactCreate
) -> Data[ContactOut]:
    """Creates a contact in the database. Each contact must have a valid email address in the
    attributes. All attribute keys must already exist in the environment. The email is used as
    the unique identifier along with the environment."""
    return Data(data=await service.create_contact(session, key, body))
