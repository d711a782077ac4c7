"""Exception handlers: every error a request can end in, rendered in the version of its path."""

import functools
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import TypeAdapter
from starlette.exceptions import HTTPException as StarletteHTTPException

from surveylink.core import zod
from surveylink.core.errors import (
    V1_INTERNAL,
    V2_INTERNAL,
    ApiVersion,
    DomainError,
    ErrorDetail,
    Invalid,
    Unauthenticated,
    malformed_json,
    render_page,
    render_v1,
    render_v2,
    v1_body,
    v2_body,
    v2_status,
)

logger = logging.getLogger("surveylink")


def respond(request: Request, error: DomainError) -> Response:
    """`error` as the client of this path expects it."""
    version = ApiVersion.of(request.url.path)
    if version is ApiVersion.PAGE:
        status = v2_status(error)
        return HTMLResponse(render_page(status), status_code=status, headers=error.headers)
    render = render_v1 if version is ApiVersion.V1 else render_v2
    status, body = render(error)
    return JSONResponse(body, status_code=status, headers=error.headers)


async def _on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return respond(request, exc)


async def _on_invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(error["type"] == "json_invalid" for error in errors):
        # FastAPI parses the body before any dependency runs; upstream checks the key first.
        if ApiVersion.of(request.url.path) is ApiVersion.V2 and not await _authenticated(request):
            return respond(request, Unauthenticated())
        return respond(request, malformed_json())
    first = min((error["loc"][0] for error in errors), key=_location_rank)
    schema = _body_schema(request) if first == "body" else None
    details = [
        ErrorDetail(field=zod.field(error["loc"][1:]), issue=zod.issue(error, schema))
        for error in errors
        if error["loc"][0] == first
    ]
    return respond(request, Invalid(*details))


async def _authenticated(request: Request) -> bool:
    authenticated: Any = request.app.state.authenticated
    return bool(await authenticated(request))


# Upstream validates the body, then the query, then the path, and reports only the first.
_ORDER = ("body", "query", "path")


def _location_rank(location: str | int) -> int:
    return _ORDER.index(location) if location in _ORDER else len(_ORDER)


def _body_schema(request: Request) -> dict[str, Any] | None:
    body_field = getattr(request.scope.get("route"), "body_field", None)
    if body_field is None:
        return None
    return _schema_of(body_field.field_info.annotation)


@functools.cache
def _schema_of(annotation: Any) -> dict[str, Any]:
    return TypeAdapter(annotation).json_schema(by_alias=True)


async def _on_http_error(request: Request, exc: Exception) -> Response:
    """What the framework answers by itself: an unknown path (404), a wrong method (405), a
    body it could not decode (400)."""
    assert isinstance(exc, StarletteHTTPException)
    version = ApiVersion.of(request.url.path)
    if exc.status_code == 400:  # a body the framework could not even decode: upstream's bad JSON
        return respond(request, malformed_json())
    if version is ApiVersion.PAGE:
        return HTMLResponse(render_page(exc.status_code), exc.status_code, headers=exc.headers)
    if version is ApiVersion.V1:
        code = "not_found" if exc.status_code == 404 else "method_not_allowed"
        body = v1_body(code, str(exc.detail))
    else:
        body = v2_body(exc.status_code, str(exc.detail), None)
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    request_id = request.scope.get("state", {}).get("request_id", "-")
    logger.error("unhandled error on request %s", request_id, exc_info=exc)
    version = ApiVersion.of(request.url.path)
    if version is ApiVersion.PAGE:
        return HTMLResponse(render_page(500), status_code=500)
    return JSONResponse(V1_INTERNAL if version is ApiVersion.V1 else V2_INTERNAL, status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_invalid_request)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
