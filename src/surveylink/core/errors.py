"""Errors and the only place they become JSON: upstream's v2 envelope, and v1's for /api/v1."""

import functools
import logging
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


async def _on_api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    if request.url.path.startswith("/storage/"):
        return v1_error_response(_storage_v1(exc))
    return error_response(exc)


def _storage_v1(error: ApiError) -> V1Error:
    """Upstream's /storage route answers in v1's envelope: a 401 without details is "not
    authenticated", one with details "unauthorized"; a 404's detail is the resource."""
    if isinstance(error, BadRequest):
        details = {detail.field: detail.issue for detail in error.details}
        return V1Error.bad_request("Fields are missing or incorrectly formatted", details)
    if isinstance(error, Unauthorized):
        return V1Error.unauthorized() if error.details else V1Error.not_authenticated()
    if isinstance(error, NotFound) and error.details:
        return V1Error.not_found(error.details[0].field, error.details[0].issue)
    return V1Error.internal()


async def _on_v1_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, V1Error)
    return v1_error_response(exc)


async def _on_invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
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


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
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
ERROR_PAGE = (
    '<!doctype html><html lang="en"><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Something went wrong</title><h1>Something went wrong.</h1>"
    "<p>Please try again in a moment.</p></html>"
)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
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
    app.add_exception_handler(Exception, _on_unexpected)
