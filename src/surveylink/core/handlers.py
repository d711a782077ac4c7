"""Exception handlers: every error a request can end in, rendered in the version of its path."""

import functools
import logging
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import TypeAdapter
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from surveylink.core import zod
from surveylink.core.db import is_outage
from surveylink.core.errors import (
    NUL_REFUSED,
    V1_INTERNAL,
    V2_INTERNAL,
    ApiVersion,
    BadRequest,
    DomainError,
    ErrorDetail,
    Invalid,
    PayloadTooLarge,
    database_unavailable,
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
    return respond_at(request.url.path, error)


def respond_at(path: str, error: DomainError) -> Response:
    """`error` as a client of `path` expects it (also for middleware, which has no route)."""
    version = ApiVersion.of(path)
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
    if ApiVersion.of(request.url.path) is ApiVersion.PAGE:
        # The page validates only its token's length: anything else is not a link.
        return HTMLResponse(render_page(404), status_code=404)
    errors = list(exc.errors())
    if any(error["type"] == "json_invalid" for error in errors):
        return respond(request, malformed_json())
    first = min((error["loc"][0] for error in errors), key=_location_rank)
    schema = _body_schema(request) if first == "body" else None
    details = [
        ErrorDetail(field=zod.field(error["loc"][1:]), issue=zod.issue(error, schema))
        for error in errors
        if error["loc"][0] == first
    ]
    return respond(request, Invalid(*details))


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


def too_large(path: str, limit: int) -> Response:
    """413 for a body over `limit` bytes in the path's version (upstream's newer answer). The
    body was not read to its end, so the connection closes after the answer."""
    issue = f"Request body must not exceed {limit} bytes"
    error = PayloadTooLarge(ErrorDetail(field="body", issue=issue), headers={"connection": "close"})
    return respond_at(path, error)


def nul_in_url(path: str, field: str) -> Response:
    """A NUL character in `field` (a query parameter, or `path`), which no column can hold: a
    validation error of the path's version (v2 422, v1 400, a page under /c/)."""
    if ApiVersion.of(path) is ApiVersion.PAGE:
        return respond_at(path, BadRequest.on(field, NUL_REFUSED))
    return respond_at(path, Invalid.on(field, NUL_REFUSED))


async def _on_database_error(request: Request, exc: Exception) -> Response:
    """503 in the path's version while the database cannot serve (it recovers by itself:
    pooled connections are checked before use); any other database error is a bug: 500."""
    if not is_outage(exc):
        return await unexpected_response(request, exc)
    request_id = request.scope.get("state", {}).get("request_id", "-")
    logger.warning("database unavailable on request %s: %s", request_id, exc.__class__.__name__)
    return respond(request, database_unavailable())


async def unexpected_response(request: Request, exc: Exception) -> Response:
    """Logs an unexpected exception once and answers with the path's generic error."""
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
    for database_error in (SQLAlchemyError, sqlite3.Error, OSError):
        app.add_exception_handler(database_error, _on_database_error)
    # Unexpected errors are answered by core/middleware.py:CatchUnexpected, which (unlike this
    # handler's middleware) does not re-raise them to the server: logged once, connection kept.
    # This handler only sees failures of the outer middleware.
    app.add_exception_handler(Exception, unexpected_response)
