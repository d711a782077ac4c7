"""The API key of a request, as a route names it: `key: ReadKey`, `WriteKey` or `ManageKey`.

Each alias carries the permission its route needs (upstream's GET read, POST/PUT write, DELETE
manage) to the services, which only ask `key.allows(environment_id)`. The key is read and checked
once per request by the request pipeline (core/routing.py), before anything else.
"""

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import Headers

from surveylink.auth import keys, service
from surveylink.auth.permissions import AuthKey, Permission
from surveylink.core.context import AppContext

API_KEY_HEADER = "x-api-key"
_BEARER = "bearer "


def presented_key(headers: Headers) -> str:
    """The key a request sends: `x-api-key`, else an `Authorization: Bearer fbk_…` token, as
    upstream reads them from Formbricks 5 on (`x-api-key` wins; values trimmed; a Bearer token
    counts only when it has the shape of an `fbk_` key). Empty when there is none."""
    value = headers.get(API_KEY_HEADER, "").strip()
    if value:
        return value
    authorization = headers.get("authorization", "").strip()
    if authorization[: len(_BEARER)].lower() != _BEARER:
        return ""
    token = authorization[len(_BEARER) :].strip()
    return token if keys.secret_of(token) is not None else ""


async def authenticate(request: Request, context: AppContext) -> AuthKey | None:
    """The key behind the request's headers, or None."""
    header = presented_key(request.headers)
    return await service.authenticate(context.reader, context.sessions, context.key_cache, header)


class KeyNeeded:
    """The dependency behind the key aliases below. The pipeline (core/routing.py `ApiRoute`)
    recognises it and hands the parameter the request's key, needing `permission`; FastAPI
    never calls it, so a router that forgot `route_class=ApiRoute` fails loudly.

    `optional`: a request without a valid key gets None instead of a 401, and is not counted
    against any rate limit (public files). `any_environments`: v1 also lets through a key with
    no environment, which v1 routes otherwise refuse (`/me` answers it itself)."""

    def __init__(
        self, permission: Permission, *, optional: bool = False, any_environments: bool = False
    ) -> None:
        self.permission = permission
        self.optional = optional
        self.any_environments = any_environments

    async def __call__(self, request: Request) -> AuthKey:
        raise RuntimeError(f"{request.url.path}: API keys need a router with route_class=ApiRoute")


ReadKey = Annotated[AuthKey, Depends(KeyNeeded(Permission.READ))]
WriteKey = Annotated[AuthKey, Depends(KeyNeeded(Permission.WRITE))]
ManageKey = Annotated[AuthKey, Depends(KeyNeeded(Permission.MANAGE))]
# v1 `/me` (v1 spec §1): a key without environments gets its 400 from the route, not a 401.
AnyReadKey = Annotated[AuthKey, Depends(KeyNeeded(Permission.READ, any_environments=True))]
# Files: public ones need no key; private ones are checked by the service.
OptionalReadKey = Annotated[AuthKey | None, Depends(KeyNeeded(Permission.READ, optional=True))]
