"""Our OpenAPI document (`/api/v2/openapi.json`): upstream's tags, ids and security scheme.

FastAPI writes the paths, parameters and success schemas from the routes. This adds what every
route shares and FastAPI cannot know: the error statuses the pipeline itself answers with (401
before anything else, 400 for malformed JSON, 422 in upstream's envelope rather than FastAPI's,
429 on rate-limited routes, the generic 500), upstream's tag descriptions, and the servers.
Route-specific errors (403, 404, 409, …) are declared on the route with `error_responses`.
"""

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from surveylink.core.errors import ErrorEnvelope, error_responses
from surveylink.core.routing import ApiRoute, routes_of

# Upstream's tags, in its order (reference openapi.yml), then ours.
TAGS = [
    ("Health", "Operations for checking critical application dependencies health status."),
    ("Roles", "Operations for managing roles."),
    ("Me", "Operations for managing your API key."),
    ("Management API - Responses", "Operations for managing responses."),
    ("Management API - Contacts", "Operations for managing contacts."),
    ("Management API - Contact Attributes", "Operations for managing contact attributes."),
    ("Management API - Contact Attribute Keys", "Operations for managing contact attribute keys."),
    ("Management API - Surveys", "Operations for managing surveys."),
    (
        "Management API - Surveys - Contact Links",
        "Operations for generating personalized survey links for contacts.",
    ),
    ("Management API - Webhooks", "Operations for managing webhooks."),
    # Upstream's v1 tags (docs/api-reference/openapi.json): v1 envelope and errors.
    ("Management API - Action Class", "Operations for managing action classes (v1)."),
    ("Management API - Me", "The environment of a one-environment API key (v1)."),
    ("Management API - Response", "Operations for managing responses (v1)."),
    ("Management API - Survey", "Operations for managing surveys (v1)."),
    ("Management API - Webhook", "Operations for managing webhooks (v1)."),
    ("Management API - Segments", "Segments of contacts and their members (surveylink's own)."),
]
API_KEY_AUTH = {
    "type": "apiKey",
    "in": "header",
    "name": "x-api-key",
    "description": "Use your Formbricks x-api-key to authenticate.",
}
BEARER_AUTH = {
    "type": "http",
    "scheme": "bearer",
    "description": "Or send the same `fbk_` key as `Authorization: Bearer …` (x-api-key wins).",
}
V1_ERROR = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "details": {"type": "object"},
    },
    "required": ["code", "message", "details"],
}


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def build(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version="3.1.0",
        description=app.description,
        routes=routes_of(app.routes),
        servers=[{"url": "/", "description": "This surveylink server"}],
    )
    names = {tag for _, route in api_routes(app) for tag in route.tags}
    document["tags"] = [{"name": name, "description": text} for name, text in TAGS if name in names]
    components = document.setdefault("components", {})
    schemes = components.setdefault("securitySchemes", {})
    schemes["apiKeyAuth"] = API_KEY_AUTH
    schemes["bearerAuth"] = BEARER_AUTH
    # Either one (upstream's is x-api-key); public operations say `[]`.
    document["security"] = [{"apiKeyAuth": []}, {"bearerAuth": []}]
    schemas = components.setdefault("schemas", {})
    for path, route in api_routes(app):
        for method in route.methods or ():
            operation = document["paths"][path][method.lower()]
            if path.startswith("/api/v1/"):
                _v1_errors(route, operation)
            else:
                _v2_errors(route, operation)
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    envelope = ErrorEnvelope.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, schema in envelope.pop("$defs", {}).items():
        schemas.setdefault(name, schema)
    schemas.setdefault("ErrorEnvelope", envelope)
    return document


def api_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """(path as mounted, route) of every documented route, through included routers."""
    for context in iter_route_contexts(routes_of(app.routes)):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema and context.path_format:
            yield context.path_format, route


def _v2_errors(route: APIRoute, operation: dict[str, Any]) -> None:
    statuses = [500]
    if operation.get("security") != []:  # every operation needs the key unless it says not
        statuses.append(401)
    if operation.get("parameters") or route.body_field is not None:
        statuses.append(422)
    if route.body_field is not None:
        statuses.extend((400, 413))  # malformed JSON, a body over 2 MiB
    if _counted(route):
        statuses.append(429)
    responses = operation["responses"]
    envelope = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for status, response in error_responses(*statuses).items():
        if str(status) not in responses or str(status) == "422":
            responses[str(status)] = {
                "description": response["description"],
                "content": {"application/json": {"schema": envelope}},
            }
    operation["responses"] = dict(sorted(responses.items()))


def _counted(route: APIRoute) -> bool:
    """Whether the route's requests count against the rate limit (those that need a key)."""
    return isinstance(route, ApiRoute) and route.counted


def _v1_errors(route: APIRoute, operation: dict[str, Any]) -> None:
    responses = operation["responses"]
    responses.pop("422", None)
    content = {"application/json": {"schema": V1_ERROR}}
    responses.setdefault("400", {"description": "Bad Request.", "content": content})
    responses.setdefault("401", {"description": "Not authenticated.", "content": content})
    responses.setdefault("404", {"description": "Not Found.", "content": content})
    if _counted(route):  # against the key's one v1 limit (core/routing.py)
        responses.setdefault("429", {"description": _V1_TOO_MANY, "content": content})
    responses.setdefault("500", {"description": "Internal Server Error.", "content": content})
    operation["responses"] = dict(sorted(responses.items()))


_V1_TOO_MANY = (
    "Too Many Requests: the key's per-minute limit, shared by every v1 route, is used up."
)
