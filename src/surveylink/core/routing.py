"""`RateLimitedRoute`: counts a request against its key's rate limit after validation.

Upstream's wrapper authenticates, validates body, query and path, and only then counts the request
(behaviour spec §1.2 step 5), so a rejected request never uses up the limit. A FastAPI dependency
cannot sit there: dependencies are solved before the route's own params are validated. So this
route class wraps the endpoint itself: FastAPI calls the wrapper only once everything validated,
and the wrapper counts, then calls the endpoint.

To opt a v2 router in: `APIRouter(tags=[…], route_class=RateLimitedRoute)`. Its endpoints must
take the key as `key: ApiKeyDep` (routes without a key, such as health, are never counted).
"""

import functools
import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request

from surveylink.auth.permissions import AuthKey
from surveylink.core.bodies import JsonRoute
from surveylink.core.ratelimit import RateLimiter

_REQUEST = "_rate_limit_request"

Endpoint = Callable[..., Coroutine[Any, Any, Any]]


class RateLimitedRoute(JsonRoute):  # JsonRoute: bodies read as upstream's JSON.parse reads them
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _counted(endpoint), **kwargs)


def _counted(endpoint: Endpoint) -> Endpoint:
    signature = inspect.signature(endpoint, eval_str=True)
    # FastAPI hands the request to one parameter only: reuse the endpoint's own if it has one.
    own = next((p.name for p in signature.parameters.values() if p.annotation is Request), None)
    name = own or _REQUEST

    @functools.wraps(endpoint)
    async def counted(*args: Any, **kwargs: Any) -> Any:
        request: Request = kwargs[name] if own else kwargs.pop(name)
        limiter: RateLimiter | None = request.app.state.rate_limiter
        key = next((value for value in kwargs.values() if isinstance(value, AuthKey)), None)
        if limiter is not None and key is not None:
            await limiter.hit(key.id)
        return await endpoint(*args, **kwargs)

    if own is None:
        # FastAPI reads this signature: the endpoint's own params plus the request, which it
        # passes in as it passes any `Request` parameter.
        request = inspect.Parameter(_REQUEST, inspect.Parameter.KEYWORD_ONLY, annotation=Request)
        counted.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*signature.parameters.values(), request]
        )
    return counted
