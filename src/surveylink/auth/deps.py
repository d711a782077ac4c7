from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from surveylink.auth import service
from surveylink.auth.permissions import AuthKey
from surveylink.core.db import SessionDep
from surveylink.core.errors import Unauthorized, V1Error

api_key_header = APIKeyHeader(
    name="x-api-key",
    scheme_name="apiKeyAuth",
    description="Use your Formbricks x-api-key to authenticate.",
    auto_error=False,
)
HeaderDep = Annotated[str | None, Security(api_key_header)]


async def _authenticate(request: Request, session: SessionDep, header: HeaderDep) -> AuthKey | None:
    return await service.authenticate(session, request.app.state.sessions, header or "")


async def get_api_key(key: Annotated[AuthKey | None, Depends(_authenticate)]) -> AuthKey:
    if key is None:
        raise Unauthorized()
    return key


async def get_v1_api_key(key: Annotated[AuthKey | None, Depends(_authenticate)]) -> AuthKey:
    # v1 also refuses keys that have no environment at all.
    if key is None or not key.grants:
        raise V1Error.not_authenticated()
    return key


ApiKeyDep = Annotated[AuthKey, Depends(get_api_key)]
V1ApiKeyDep = Annotated[AuthKey, Depends(get_v1_api_key)]
