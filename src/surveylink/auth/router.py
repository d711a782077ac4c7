from fastapi import APIRouter

from surveylink.auth import service
from surveylink.auth.deps import ReadKey
from surveylink.auth.schemas import Me, Role
from surveylink.core.envelopes import Data
from surveylink.core.errors import error_responses
from surveylink.core.routing import API_V2, ApiRoute

router = APIRouter(prefix=API_V2, responses=error_responses(401, 429, 500), route_class=ApiRoute)


@router.get("/me", operation_id="me", summary="Me", tags=["Me"])
async def me(key: ReadKey) -> Data[Me]:
    """Fetches the projects and organizations associated with the API key."""
    return Data(data=service.describe_key(key))


@router.get("/roles", operation_id="getRoles", summary="Get roles", tags=["Roles"])
async def get_roles(key: ReadKey) -> Data[list[Role]]:
    """Gets roles from the database."""
    return Data(data=service.ROLES)
