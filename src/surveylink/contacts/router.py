from fastapi import APIRouter, status

from surveylink.auth.deps import ApiKeyDep
from surveylink.contacts import service
from surveylink.contacts.schemas import ContactCreate, ContactOut
from surveylink.core.db import SessionDep
from surveylink.core.envelopes import Data
from surveylink.core.errors import error_responses
from surveylink.core.routing import RateLimitedRoute

router = APIRouter(tags=["Management API - Contacts"], route_class=RateLimitedRoute)


@router.post(
    "/management/contacts",
    operation_id="createContact",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(403, 409),
)
async def create_contact(
    key: ApiKeyDep, session: SessionDep, body: ContactCreate
) -> Data[ContactOut]:
    """Creates a contact in the database. Each contact must have a valid email address in the
    attributes. All attribute keys must already exist in the environment. The email is used as
    the unique identifier along with the environment."""
    return Data(data=await service.create_contact(session, key, body))
