"""Domain errors, and the only place they become a response: upstream's v2 envelope under
/api/v2, v1's body under /api/v1, and an HTML page elsewhere (the respondent page).

Services raise what went wrong in the domain's terms (`NotFound(Resource.SURVEY, id)`,
`Unauthorized()`, `Invalid(...)`); they never choose a status code or a wire shape. Each API
version renders every domain error once, below.
"""

import html
import logging
from dataclasses import dataclass
from enum import Enum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict

logger = logging.getLogger("surveylink")

GENERIC_500_DETAIL = {
    "field": "error",
    "issue": "An error occurred while processing your request. Please try again later.",
}
MALFORMED_JSON = "Malformed JSON input, please check your request body"
INVALID_FIELDS = "Fields are missing or incorrectly formatted"


class ErrorDetail(BaseModel):
    model_config = ConfigDict(frozen=True)

    field: str
    issue: str
    meta: dict[str, Any] | None = None


@dataclass(frozen=True)
class _Resource:
    field: str  # v2 names it in `details[].field`
    name: str  # v1 names it in its message and `details.resource_type`


class Resource(Enum):
    """What a `NotFound` was looking for, named as each API version names it."""

    SURVEY = _Resource("survey", "Survey")
    CONTACT = _Resource("contact", "Contact")
    ATTRIBUTE_KEY = _Resource("contactAttributeKey", "Attribute Key")
    RESPONSE = _Resource("response", "Response")
    WEBHOOK = _Resource("webhook", "Webhook")
    DELIVERY = _Resource("delivery", "Delivery")
    SEGMENT = _Resource("segment", "Segment")
    ORGANIZATION = _Resource("organization", "Organization")
    ENVIRONMENT = _Resource("environment", "Environment")
    ACTION_CLASS = _Resource("actionClass", "Action Class")
    FILE = _Resource("file", "file")


class DomainError(Exception):
    """Something a request cannot do. `details` name the fields at fault; `message` is the
    one-line summary a version without field details (v1) shows instead."""

    def __init__(
        self,
        *details: ErrorDetail,
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or type(self).__name__)
        self.details = list(details)
        self.message = message
        self.headers = headers or {}

    @classmethod
    def on(cls, field: str, issue: str, *, message: str | None = None, **meta: Any) -> Self:
        return cls(ErrorDetail(field=field, issue=issue, meta=meta or None), message=message)


class Unauthenticated(DomainError):
    """No API key, or one that does not exist."""


class Unauthorized(DomainError):
    """The key lacks the permission on the environment of the resource it asked for."""


class Forbidden(DomainError):
    """The key may not act in the environment its request names."""


class NotFound(DomainError):
    def __init__(self, resource: Resource, resource_id: str | None = None) -> None:
        super().__init__(ErrorDetail(field=resource.value.field, issue="not found"))
        self.resource = resource.value
        self.resource_id = resource_id


class BadRequest(DomainError):
    """A well-formed request the resource refuses."""


class BrokenRules(BadRequest):
    """Answers that break the survey's validation rules; `details` name each element."""


class Conflict(DomainError):
    """The request collides with what is stored (a unique value, a running attempt)."""


class Invalid(DomainError):
    """The body, query or path failed validation; `details` say where and why."""


class TooManyRequests(DomainError):
    pass


class PayloadTooLarge(DomainError):
    """The body is over the size limit; it was not read to its end."""


class Unavailable(DomainError):
    """A dependency (the database) cannot serve the request now."""


def malformed_json() -> BadRequest:
    return BadRequest.on("error", MALFORMED_JSON, message=MALFORMED_JSON)


NUL_REFUSED = "Invalid input: NUL characters are not allowed"


# v2: upstream's `{"error": {"code", "message", "details"?}}`.

_V2: dict[type[DomainError], tuple[int, str, bool]] = {
    # class: (status, message, shows details)
    Unauthenticated: (401, "Unauthorized", False),
    Unauthorized: (401, "Unauthorized", False),
    Forbidden: (403, "Forbidden", False),
    NotFound: (404, "Not Found", True),
    BadRequest: (400, "Bad Request", True),
    BrokenRules: (400, "Bad Request", True),
    Conflict: (409, "Conflict", True),
    Invalid: (422, "Unprocessable Entity", True),
    TooManyRequests: (429, "Too Many Requests", False),
    PayloadTooLarge: (413, "Payload Too Large", True),
    Unavailable: (503, "Service Unavailable", True),
}


def v2_status(error: DomainError) -> int:
    return _V2[type(error)][0]


def v2_body(status: int, message: str, details: list[dict[str, Any]] | None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": status, "message": message}
    if details is not None:
        body["details"] = details
    return {"error": body}


def render_v2(error: DomainError) -> tuple[int, dict[str, Any]]:
    status, message, shows_details = _V2[type(error)]
    details = None
    if shows_details:
        details = [detail.model_dump(exclude_none=True) for detail in error.details]
    return status, v2_body(status, message, details)


V2_INTERNAL = v2_body(500, "Internal Server Error", [GENERIC_500_DETAIL])


# v1: `{"code", "message", "details"}` with no wrapper (v1 surveys spec §1.4).

NOT_AUTHENTICATED: tuple[int, str, str, dict[str, Any]] = (
    401,
    "not_authenticated",
    "Not authenticated",
    {"x-Api-Key": "Header not provided or API Key invalid"},
)
NOT_AUTHORIZED: tuple[int, str, str, dict[str, Any]] = (
    401,
    "unauthorized",
    "You are not authorized to access this resource",
    {},
)
V1_INTERNAL = {
    "code": "internal_server_error",
    "message": "An unexpected error occurred.",
    "details": {},
}
RATE_LIMITED = "Maximum number of requests reached. Please try again later."


def v1_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details or {}}


def render_v1(error: DomainError) -> tuple[int, dict[str, Any]]:
    details: dict[str, Any]
    if isinstance(error, Unauthenticated):
        status, code, message, details = NOT_AUTHENTICATED
    elif isinstance(error, Unauthorized | Forbidden):  # v1 has no 403
        status, code, message, details = NOT_AUTHORIZED
    elif isinstance(error, NotFound):
        name, resource_id = error.resource.name, error.resource_id
        status, code, message = 404, "not_found", f"{name} not found"
        details = {"resource_id": resource_id, "resource_type": name}
    elif isinstance(error, Invalid):
        # v1's flat map: one entry per field, the last issue wins.
        flat = {detail.field: detail.issue for detail in error.details}
        status, code, message, details = 400, "bad_request", INVALID_FIELDS, flat
    elif isinstance(error, PayloadTooLarge):  # upstream's newer v1 answer
        issue = "; ".join(detail.issue for detail in error.details)
        status, code, message, details = 413, "payload_too_large", "Payload Too Large", {}
        details = {"error": issue}
    elif isinstance(error, TooManyRequests):
        status, code, message, details = 429, "too_many_requests", RATE_LIMITED, {}
    elif isinstance(error, BrokenRules):
        # One entry per element, its messages joined (v1 management spec §2.3 step 8).
        joined: dict[str, list[str]] = {}
        for detail in error.details:
            joined.setdefault(detail.field, []).append(detail.issue)
        status, code, message = 400, "bad_request", "Validation failed"
        details = {field: "; ".join(issues) for field, issues in joined.items()}
    elif isinstance(error, Unavailable):
        status, code, message, details = 503, "service_unavailable", "Service Unavailable", {}
    else:  # BadRequest, Conflict: v1 answers both as 400 with the summary
        summary = error.message or "; ".join(detail.issue for detail in error.details)
        status, code, message, details = 400, "bad_request", summary, {}
    return status, v1_body(code, message, details)


# Pages (/c/…): what a respondent sees. No internals, ever.

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
    429: ("Too many requests", "Please wait a moment and try again."),
    503: ("Temporarily unavailable", "Please try again in a moment."),
}
_PAGE_DEFAULT_4XX = ("Request not accepted", "Please go back and try again.")
_PAGE_5XX = ("Something went wrong.", "Please try again in a moment.")


def render_page(status: int) -> str:
    default = _PAGE_5XX if status >= 500 else _PAGE_DEFAULT_4XX
    title, text = _PAGE_TEXTS.get(status, default)
    return _PAGE.format(title=html.escape(title), text=html.escape(text))


class ApiVersion(Enum):
    V1 = "v1"
    V2 = "v2"
    PAGE = "page"

    @classmethod
    def of(cls, path: str) -> "ApiVersion":
        if path.startswith(("/api/v1/", "/storage/")):  # upstream's storage route is v1
            return cls.V1
        if path.startswith("/api/"):
            return cls.V2
        return cls.PAGE


_DESCRIPTIONS = {
    400: "Bad Request: malformed JSON, or a request the resource refuses.",
    401: "Unauthorized: missing or unknown API key, or no permission on the environment.",
    403: "Forbidden.",
    404: "Not Found.",
    409: "Conflict.",
    413: "Payload Too Large: the body is over 2 MiB.",
    422: "Unprocessable Entity: the body, query or path failed validation.",
    429: "Too Many Requests: the key's per-minute limit is used up; see Retry-After.",
    500: "Internal Server Error.",
    503: "Service Unavailable.",
}


class ErrorBody(BaseModel):
    code: int
    message: str
    details: list[ErrorDetail] = []  # absent on 401, 403 and 429


class ErrorEnvelope(BaseModel):
    """Upstream's v2 error body, for the OpenAPI document."""

    error: ErrorBody


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status it can answer with, in upstream's envelope."""
    return {
        status: {"model": ErrorEnvelope, "description": _DESCRIPTIONS[status]}
        for status in statuses
    }
