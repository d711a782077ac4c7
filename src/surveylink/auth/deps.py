from typing import Annotated

from fastapi import Depends, Request

from surveylink.auth import service
from surveylink.auth.permissions import AuthKey
from surveylink.core.errors import Unauthenticated

API_KEY_HEADER = "x-api-key"
# The key is read from the header directly; the document-wide `apiKeyAuth` scheme is published
# by core/openapi.py. A FastAPI Security dependency per route would cost ~20 µs per request.


async def _authenticate(request: Request) -> AuthKey | None:
    state = request.app.state
    header = request.headers.get(API_KEY_HEADER, "")
    return await service.authenticate(state.reader, state.sessions, state.key_cache, header)


async def authenticated(request: Request) -> bool:
    return await _authenticate(request) is not None


# One dependency each, not a chain: every level of FastAPI dependency costs per request.
async def get_api_key(request: Request) -> AuthKey:
    key = await _authenticate(request)
    if key is None:
        raise Unauthenticated()
    return key


async def get_v1_api_key(request: Request) -> AuthKey:
    key = await _authenticate(request)
    # v1 also refuses keys that have no environment at all.
    if key is None or not key.grants:
        raise Unauthenticated()
    return key


ApiKeyDep = Annotated[AuthKey, Depends(get_api_key)]
V1ApiKeyDep = Annotated[AuthKey, Depends(get_v1_api_key)]
