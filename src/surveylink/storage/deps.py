from typing import Annotated

from fastapi import Depends, Request

from surveylink.auth import service as auth_service
from surveylink.auth.deps import API_KEY_HEADER
from surveylink.auth.permissions import AuthKey
from surveylink.storage.backends import Storage


async def get_storage(request: Request) -> Storage:
    storage: Storage = request.app.state.storage
    return storage


async def get_optional_api_key(request: Request) -> AuthKey | None:
    """The request's API key when it sent a valid one; public files need none."""
    state = request.app.state
    header = request.headers.get(API_KEY_HEADER, "")
    if not header:
        return None
    return await auth_service.authenticate(state.reader, state.sessions, state.key_cache, header)


StorageDep = Annotated[Storage, Depends(get_storage)]
OptionalApiKeyDep = Annotated[AuthKey | None, Depends(get_optional_api_key)]
