from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import Headers

from surveylink.auth import keys, service
from surveylink.auth.permissions import AuthKey
from surveylink.core.errors import Unauthenticated
from surveylink.core.ratelimit import RateLimiter

API_KEY_HEADER = "x-api-key"
# The key is read from the header directly; the document-wide `apiKeyAuth` scheme is published
# by core/openapi.py. A FastAPI Security dependency per route would cost ~20 µs per request.


def api_key_of(headers: Headers) -> str:
    """The key a request sends: `x-api-key`, else an `Authorization: Bearer fbk_…` token, as
    upstream reads them from Formbricks 5 on (`x-api-key` wins; values trimmed; a Bearer token
    counts only when it has the shape of an `fbk_` key)."""
    value = headers.get(API_KEY_HEADER, "").strip()
    if value:
        return value
    authorization = headers.get("authorization", "").strip()
    if authorization[:7].lower() != "bearer ":
        return ""
    token = authorization[7:].strip()
    return token if keys.secret_of(token) is not None else ""


async def _authenticate(request: Request) -> AuthKey | None:
    state = request.app.state
    header = api_key_of(request.headers)
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
    """v1's wrapper: the key (one with no environment is refused too), then one request
    counted against the key's v1 limit, before the body or the query are read."""
    key = await _authenticate(request)
    if key is None or not key.grants:
        raise Unauthenticated()
    await _count_v1(request, key)
    return key


async def get_v1_me_key(request: Request) -> AuthKey:
    """v1 `/me` checks the key and counts the request itself: a key without environments gets
    past here (the route answers it 400)."""
    key = await _authenticate(request)
    if key is None:
        raise Unauthenticated()
    await _count_v1(request, key)
    return key


async def _count_v1(request: Request, key: AuthKey) -> None:
    limiter: RateLimiter | None = request.app.state.v1_rate_limiter
    if limiter is not None:
        await limiter.hit(key.id)


ApiKeyDep = Annotated[AuthKey, Depends(get_api_key)]
V1ApiKeyDep = Annotated[AuthKey, Depends(get_v1_api_key)]
V1MeKeyDep = Annotated[AuthKey, Depends(get_v1_me_key)]
