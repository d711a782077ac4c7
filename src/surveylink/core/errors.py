"""Errors and the only place they become JSON: upstream's v2 envelope, and v1's for /api/v1."""

import functools
import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, TypeAdapter
from starlette.exceptions import HTTPException as StarletteHTTPException

from surveylink.core import zod

logger = logging.getLogger("surveylink")

GENERIC_500_DETAIL = {
    "field": "error",
    "issue": "An error occurred while processing your request. Please try again later.",
}
MALFORMED_JSON = "Malformed JSON input, please check your request body"


class ErrorDetail(BaseModel):
    model_config = ConfigDict(frozen=True)

    field: str
    issue: str
    meta: dict[str, Any] | None = None


class ErrorBody(BaseModel):
    code: int
    message: str
    details: list[ErrorDetail] = []  # absent on 401, 403 and 429


class ErrorEnvelope(BaseModel):
    """Upstream's v2 error body, for the OpenAPI document."""

    error: ErrorBody


_DESCRIPTIONS = {
    400: "Bad Request: malformed JSON, or a request the resource refuses.",
    401: "Unauthorized: missing or unknown x-api-key, or no permission on the environment.",
    403: "Forbidden.",
    404: "Not Found.",
    409: "Conflict.",
    413: "Payload Too Large: the body is over 2 MiB.",
    422: "Unprocessable Entity: the body, query or path failed validation.",
    429: "Too Many Requests: the key's per-minute limit is used up; see Retry-After.",
    500: "Internal Server Error.",
    503: "Service Unavailable.",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status it can answer with, in upstream's envelope."""
    return {
        status: {"model": ErrorEnvelope, "description": _DESCRIPTIONS[status]}
        for status in statuses
    }


class ApiError(Exception):
    """A v2 error: `{"error": {"code", "message", "details"?}}`."""

    status: ClassVar[int] = 500
    message: ClassVar[str] = "Internal Server Error"
    shows_details: ClassVar[bool] = True

    def __init__(self, *details: ErrorDetail, headers: dict[str, str] | None = None) -> None:
        super().__init__(self.message)
        self.details = list(details)
        self.headers = headers or {}

    @classmethod
    def on(cls, field: str, issue: str, **meta: Any) -> "ApiError":
        return cls(ErrorDetail(field=field, issue=issue, meta=meta or None))


class BadRequest(ApiError):
    status = 400
    message = "Bad Request"


class Unauthorized(ApiError):
    status = 401
    message = "Unauthorized"
    shows_details = False


class Forbidden(ApiError):
    status = 403
    message = "Forbidden"
    shows_details = False


class NotFound(ApiError):
    status = 404
    message = "Not Found"


class Conflict(ApiError):
    status = 409
    message = "Conflict"


class UnprocessableEntity(ApiError):
    status = 422
    message = "Unprocessable Entity"


class TooManyRequests(ApiError):
    status = 429
    message = "Too Many Requests"
    shows_details = False


class PayloadTooLarge(ApiError):
    status = 413
    message = "Payload Too Large"


class ServiceUnavailable(ApiError):
    status = 503
    message = "Service Unavailable"


def error_response(error: ApiError) -> JSONResponse:
    body: dict[str, object] = {"code": error.status, "message": error.message}
    if error.status == 500:
        body["details"] = [GENERIC_500_DETAIL]  # whatever was raised: internals never leak
    elif error.shows_details:
        body["details"] = [detail.model_dump(exclude_none=True) for detail in error.details]
    return JSONResponse({"error": body}, status_code=error.status, headers=error.headers)


class V1Error(Exception):
    """A v1 error: `{"code", "message", "details"}` with no `error` wrapper."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.text = status, code, message
        self.details = details or {}
        self.headers = headers or {}

    @classmethod
    def not_authenticated(cls) -> "V1Error":
        return cls(
            401,
            "not_authenticated",
            "Not authenticated",
            {"x-Api-Key": "Header not provided or API Key invalid"},
        )

    @classmethod
    def unauthorized(cls) -> "V1Error":
        return cls(401, "unauthorized", "You are not authorized to access this resource")

    @classmethod
    def bad_request(cls, message: str, details: dict[str, Any] | None = None) -> "V1Error":
        return cls(400, "bad_request", message, details)

    @classmethod
    def not_found(cls, resource_type: str, resource_id: str | None) -> "V1Error":
        details = {"resource_id": resource_id, "resource_type": resource_type}
        return cls(404, "not_found", f"{resource_type} not found", details)

    @classmethod
    def internal(cls, message: str = "An unexpected error occurred.") -> "V1Error":
        return cls(500, "internal_server_error", message)


def v1_error_response(error: V1Error) -> JSONResponse:
    body = {"code": error.code, "message": error.text, "details": error.details}
    return JSONResponse(body, status_code=error.status, headers=error.headers)


def _is_v1(request: Request) -> bool:
    return request.url.path.startswith("/api/v1/")


def is_page(path: str) -> bool:
    """The respondent page's paths: every answer there is HTML, never an API envelope."""
    return path == "/c" or path.startswith("/c/")


async def _on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if is_page(request.url.path):
        return error_page(exc.status)
    return error_response(exc)


async def _on_v1_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, V1Error)
    return v1_error_response(exc)


async def _on_invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if is_page(request.url.path):
        return error_page(404)  # the page validates only its token's length: not a link
    errors = list(exc.errors())
    if any(error["type"] == "json_invalid" for error in errors):
        if _is_v1(request):
            return v1_error_response(V1Error.bad_request(MALFORMED_JSON))
        # FastAPI parses the body before any dependency runs; upstream checks the key first.
        if not await request.app.state.authenticated(request):
            return error_response(Unauthorized())
        return error_response(BadRequest(ErrorDetail(field="error", issue=MALFORMED_JSON)))
    first = min((error["loc"][0] for error in errors), key=_location_rank)
    schema = _body_schema(request) if first == "body" else None
    failing = [error for error in errors if error["loc"][0] == first]
    if _is_v1(request):
        # v1's flat map: one entry per path, the last message wins.
        flat = {zod.field(error["loc"][1:]): zod.issue(error, schema) for error in failing}
        return v1_error_response(
            V1Error.bad_request("Fields are missing or incorrectly formatted", flat)
        )
    details = [
        ErrorDetail(field=zod.field(error["loc"][1:]), issue=zod.issue(error, schema))
        for error in failing
    ]
    return error_response(UnprocessableEntity(*details))


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
    assert isinstance(exc, StarletteHTTPException)
    if is_page(request.url.path):
        return error_page(exc.status_code, exc.headers)
    if _is_v1(request):
        code = "not_found" if exc.status_code == 404 else "method_not_allowed"
        return v1_error_response(V1Error(exc.status_code, code, str(exc.detail)))
    if exc.status_code == 400:  # a body FastAPI could not even decode: upstream's bad JSON
        return error_response(BadRequest(ErrorDetail(field="error", issue=MALFORMED_JSON)))
    return JSONResponse(
        {"error": {"code": exc.status_code, "message": str(exc.detail)}},
        status_code=exc.status_code,
        headers=exc.headers,
    )


# What a respondent sees when a survey page fails: a page, not an API envelope; no internals.
_PAGE = (
    '<!doctype html><html lang="en"><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>{title}</title><h1>{title}</h1><p>{text}</p></html>"
)
_PAGE_TEXTS = {
    400: ("This request could not be read.", "Please open your survey link again."),
    404: ("Page not found.", "Please check the address of your survey link."),
    405: ("Page not found.", "Please check the address of your survey link."),
    413: ("Your answer is too long.", "Please shorten it and send it again."),
    500: ("Something went wrong.", "Please try again in a moment."),
}
ERROR_PAGE = _PAGE.format(title=_PAGE_TEXTS[500][0], text=_PAGE_TEXTS[500][1])


def error_page(status: int, headers: Mapping[str, str] | None = None) -> HTMLResponse:
    title, text = _PAGE_TEXTS.get(status, _PAGE_TEXTS[400])
    page = _PAGE.format(title=title, text=text)
    return HTMLResponse(page, status_code=status, headers=headers)


def too_large(path: str, limit: int) -> Response:
    """413 for a body over `limit` bytes, in the envelope of the path's API version: upstream's
    newer `payload_too_large` answers (v2 and v1), or a page under /c/. The body was not read
    to its end, so the connection closes after the answer."""
    issue = f"Request body must not exceed {limit} bytes"
    close = {"connection": "close"}
    if path.startswith("/api/v1/"):
        body = {
            "code": "payload_too_large",
            "message": "Payload Too Large",
            "details": {"error": issue},
        }
        return JSONResponse(body, status_code=413, headers=close)
    if not path.startswith("/api/"):
        return error_page(413, close)
    error = PayloadTooLarge(ErrorDetail(field="body", issue=issue), headers=close)
    return error_response(error)


NUL_REFUSED = "Invalid input: NUL characters are not allowed"


def nul_in_url(path: str, field: str) -> Response:
    """A NUL character in `field` (a query parameter, or `path`), which no column can hold: a
    validation error of the path's API version (v2 422, v1 400), a 400 page under /c/."""
    if path.startswith("/api/v1/"):
        return v1_error_response(
            V1Error.bad_request("Fields are missing or incorrectly formatted", {field: NUL_REFUSED})
        )
    if not path.startswith("/api/"):
        return error_page(400)
    return error_response(UnprocessableEntity(ErrorDetail(field=field, issue=NUL_REFUSED)))


async def unexpected_response(request: Request, exc: Exception) -> Response:
    """Logs an unexpected exception once and answers with the generic error of the path."""
    request_id = request.scope.get("state", {}).get("request_id", "-")
    logger.error("unhandled error on request %s", request_id, exc_info=exc)
    if _is_v1(request):
        return v1_error_response(V1Error.internal())
    if not request.url.path.startswith("/api/"):
        return HTMLResponse(ERROR_PAGE, status_code=500)
    return error_response(ApiError())


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(V1Error, _on_v1_error)
    app.add_exception_handler(RequestValidationError, _on_invalid_request)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    # Unexpected errors are answered by core/middleware.py:CatchUnexpected, which (unlike this
    # handler's middleware) does not re-raise them to the server: logged once, connection kept.
    # This handler only sees failures of the outer middleware.
    app.add_exception_handler(Exception, unexpected_response)
