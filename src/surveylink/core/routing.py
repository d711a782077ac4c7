"""`ApiRoute`: the one request pipeline of every route: v1, v2 and the pages.

Upstream's v2 wrapper runs each request through fixed steps and stops at the first failure
(behaviour spec §1.2): authenticate (401), then the body, query and path (400 for JSON that does
not parse, else 422), then the rate limit (429, so a rejected request is never counted), then
the handler. Its v1 wrapper counts right after the key, before anything is read (v1 spec §7).
`ApiRoute` answers exactly so, and only then opens the database transaction: a client that
trickles its body, or sends a bad key, never holds a write lock or a pooled connection. Pages
(`/c/`, `/s/`, `/storage/`) run through it too, without a key.

A route declares everything in its signature, as any FastAPI route (the OpenAPI document comes
from it): path, query and body parameters, and what the pipeline injects —
`key: ReadKey | WriteKey | ManageKey` and their variants (auth/deps.py), `session: SessionDep`
(core/db.py), `context: ContextDep` (core/context.py), `body: RawBody` (core/bodies.py),
`Request` and `Response`.
The pipeline reads the signature once, at start-up, and validates each parameter with its own
pydantic validator: FastAPI's generic dependency solving costs ~35 µs for three parameters, the
compiled checks below ~2 µs each, on every request of every route.

To use it: `APIRouter(prefix=API_V2, tags=[…], route_class=ApiRoute)` for v2, `prefix=API_V1`
and `route_class=V1Route` for v1, `route_class=ApiRoute` alone for pages; `create_app` puts
the routes in one `RouteTable`.
"""

import email.message
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, get_args, get_origin

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_body_to_args, request_params_to_args
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, serialize_response
from fastapi.utils import is_body_allowed_for_status_code
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from starlette._utils import get_route_path
from starlette.datastructures import QueryParams
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from surveylink.auth.deps import KeyNeeded, authenticate
from surveylink.auth.permissions import AuthKey
from surveylink.core import ratelimit
from surveylink.core.bodies import loads, raw_body
from surveylink.core.context import AppContext, app_context, get_context
from surveylink.core.db import get_session, transaction
from surveylink.core.errors import Unauthenticated, malformed_json

API_V1 = "/api/v1"
API_V2 = "/api/v2"
Handler = Callable[[Request], Coroutine[Any, Any, Response]]
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNDEFINED: Any = PydanticUndefined  # what FastAPI passes for an absent body


class ApiRoute(APIRoute):
    # Upstream counts v1 and v2 requests of a key separately (v1 spec §7).
    rate_namespace: ClassVar[str] = ratelimit.V2
    # v1's wrapper counts a request as soon as its key is known, before reading anything.
    counts_before_input: ClassVar[bool] = False
    # v1's wrapper also refuses keys that have no environment at all (v1 spec §0.1).
    keys_need_environments: ClassVar[bool] = False

    def get_route_handler(self) -> Handler:
        return _Pipeline(self).handle

    @property
    def counted(self) -> bool:
        """Whether requests count against the rate limit: those of routes that need a key."""
        return any(
            isinstance(sub.call, KeyNeeded) and not sub.call.optional
            for sub in self.dependant.dependencies
        )


class V1Route(ApiRoute):
    rate_namespace = ratelimit.V1
    counts_before_input = True
    keys_need_environments = True


@dataclass(frozen=True)
class _Param:
    """A scalar path or query parameter, checked with its own validator."""

    name: str
    alias: str
    location: str  # "path" or "query", as FastAPI names it in error locations
    info: FieldInfo
    validate: Callable[..., tuple[Any, list[Any]]]


@dataclass
class _Plan:
    """What one route's signature asks of the pipeline, read once."""

    key: tuple[str, KeyNeeded] | None = None
    contexts: list[str] = field(default_factory=list)
    session: str | None = None
    raw_body: str | None = None
    request: str | None = None
    response: str | None = None
    path: list[_Param] = field(default_factory=list)
    query: list[_Param] = field(default_factory=list)
    # Anything else (query models, lists, headers) goes through FastAPI's own extraction.
    other: list[tuple[str, Any]] = field(default_factory=list)


class _Pipeline:
    def __init__(self, route: ApiRoute) -> None:
        dependant = route.dependant
        assert dependant.call is not None
        self.endpoint = dependant.call
        self.plan = _plan(route.path, dependant)
        self.body_fields = dependant.body_params
        self.embed_body = route._embed_body_fields
        self.reads_body = bool(self.body_fields) or self.plan.raw_body is not None
        self.namespace = route.rate_namespace
        self.counts_before_input = route.counts_before_input
        self.keys_need_environments = route.keys_need_environments
        self.status_code = route.status_code
        self.response_field = route.response_field
        self.declared_models = _declared_models(route.response_model)
        self.exclude_none = route.response_model_exclude_none
        self.by_alias = route.response_model_by_alias

    async def handle(self, request: Request) -> Response:
        context = app_context(request.app)
        plan = self.plan
        values: dict[str, Any] = {}
        # 1. Authenticate: nothing else is looked at for a request without a valid key.
        counted: AuthKey | None = None  # the key this request counts against
        if plan.key is not None:
            name, needed = plan.key
            key = await authenticate(request, context)
            if key is not None and not (key.grants or needed.any_environments):
                key = None if self.keys_need_environments else key
            if key is None and not needed.optional:
                raise Unauthenticated()
            values[name] = key if key is None else key.needing(needed.permission)
            counted = None if needed.optional else key
        if counted is not None and self.counts_before_input:
            await self._count(context, counted)
            counted = None
        # 2. Read the body (before any transaction), 3. validate body, query and path.
        body: Any = _UNDEFINED
        if self.reads_body:
            raw = await request.body()
            if plan.raw_body is not None:
                values[plan.raw_body] = raw
            if self.body_fields:
                body = _decode(raw, request.headers.get("content-type"))
        errors = await self._validate(request, body, values)
        if errors:
            raise RequestValidationError(errors, body=None if body is _UNDEFINED else body)
        # 4. Count against the key's rate limit: only requests that got this far count.
        if counted is not None:
            await self._count(context, counted)
        for name in plan.contexts:
            values[name] = context
        if plan.request is not None:
            values[plan.request] = request
        sub_response = None
        if plan.response is not None:
            sub_response = values[plan.response] = _sub_response()
        # 5. The handler, in one short transaction when it asks for a session: committed
        # before the response is sent, so a 2xx always means committed.
        if plan.session is None:
            result = await self.endpoint(**values)
        else:
            write = request.method not in _READS
            async with transaction(context.sessions, write=write) as session:
                values[plan.session] = session
                result = await self.endpoint(**values)
        return await self._respond(result, sub_response)

    async def _count(self, context: AppContext, key: AuthKey) -> None:
        if context.limiter is not None:
            await context.limiter.hit(key.id, self.namespace)

    async def _validate(self, request: Request, body: Any, values: dict[str, Any]) -> list[Any]:
        plan = self.plan
        errors: list[Any] = []
        if plan.path:
            _check(plan.path, request.path_params, values, errors)
        if plan.query:
            query_string = request.scope["query_string"]
            query = request.query_params if query_string else _NO_QUERY
            _check(plan.query, query, values, errors)
        for attribute, model_field in plan.other:
            found, failed = request_params_to_args([model_field], getattr(request, attribute))
            values.update(found)
            errors.extend(failed)
        if self.body_fields:
            found, failed = await request_body_to_args(self.body_fields, body, self.embed_body)
            values.update(found)
            errors.extend(failed)
        return errors

    async def _respond(self, result: Any, sub_response: Response | None) -> Response:
        if isinstance(result, Response):
            return result
        status_code = self.status_code
        if sub_response is not None and sub_response.status_code:
            status_code = sub_response.status_code
        if self.response_field is None:
            response: Response = JSONResponse(jsonable_encoder(result), status_code or 200)
        elif type(result) in self.declared_models:
            # The declared model, built by the route: FastAPI would validate it a second time.
            content = result.model_dump_json(by_alias=self.by_alias, exclude_none=self.exclude_none)
            response = Response(content, status_code or 200, media_type="application/json")
        else:
            content = await serialize_response(
                field=self.response_field,
                response_content=result,
                by_alias=self.by_alias,
                exclude_none=self.exclude_none,
                dump_json=True,
            )
            response = Response(content, status_code or 200, media_type="application/json")
        if not is_body_allowed_for_status_code(response.status_code):
            response.body = b""
        if sub_response is not None:
            response.headers.raw.extend(sub_response.headers.raw)
        return response


_NO_QUERY = QueryParams("")


def _check(
    params: Sequence[_Param], source: Any, values: dict[str, Any], errors: list[Any]
) -> None:
    for param in params:
        raw = source.get(param.alias)
        if raw is None:
            if param.info.is_required():
                errors.append(_missing((param.location, param.alias)))
            else:
                values[param.name] = param.info.get_default(call_default_factory=True)
            continue
        value, failed = param.validate(raw, values, loc=(param.location, param.alias))
        if failed:
            errors.extend(failed)
        else:
            values[param.name] = value


def _missing(loc: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "missing", "loc": loc, "msg": "Field required", "input": None}


def _decode(raw: bytes, content_type: str | None) -> Any:
    """The body as FastAPI reads it: JSON when declared JSON, else the bytes themselves."""
    if not raw:
        return _UNDEFINED
    if content_type:
        message = email.message.Message()
        message["content-type"] = content_type
        subtype = message.get_content_subtype()
        if message.get_content_maintype() == "application" and (
            subtype == "json" or subtype.endswith("+json")
        ):
            try:
                return loads(raw)
            except ValueError:  # bad JSON or bad UTF-8: upstream's 400
                raise malformed_json() from None
    return raw


def _sub_response() -> Response:
    """The `Response` a route may set a status or headers on, as FastAPI passes one."""
    response = Response()
    del response.headers["content-length"]
    response.status_code = None  # type: ignore[assignment]
    return response


def _plan(path: str, dependant: Dependant) -> _Plan:
    plan = _Plan(request=dependant.request_param_name, response=dependant.response_param_name)
    for dependency in dependant.dependencies:
        call, name = dependency.call, dependency.name
        assert name is not None
        if isinstance(call, KeyNeeded) and plan.key is None:
            plan.key = (name, call)
        elif call is get_context:
            plan.contexts.append(name)
        elif call is get_session:
            plan.session = name
        elif call is raw_body:
            plan.raw_body = name
        else:
            raise TypeError(
                f"{path}: ApiRoute injects a key, the session, the context, the raw body, "
                f"Request and Response only; {call!r} is none of them"
            )
    for location, attribute, fields, fast in (
        ("path", "path_params", dependant.path_params, plan.path),
        ("query", "query_params", dependant.query_params, plan.query),
        ("header", "headers", dependant.header_params, None),
        ("cookie", "cookies", dependant.cookie_params, None),
    ):
        for model_field in fields:
            if fast is not None and _is_scalar(model_field.field_info.annotation):
                info, check = model_field.field_info, model_field.validate
                fast.append(_Param(model_field.name, model_field.alias, location, info, check))
            else:
                plan.other.append((attribute, model_field))
    return plan


def _declared_models(annotation: Any) -> tuple[type, ...]:
    """The model classes a route's return annotation names: `Data[X]` is also built as `Data`."""
    if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return ()
    origin = annotation.__pydantic_generic_metadata__["origin"]
    return (annotation,) if origin is None else (annotation, origin)


def _is_scalar(annotation: Any) -> bool:
    """One value per name (not a list, not a model of several parameters)."""
    for candidate in (annotation, *get_args(annotation)):
        origin = get_origin(candidate) or candidate
        if isinstance(origin, type) and (
            issubclass(origin, BaseModel | list | tuple | set | frozenset | dict)
        ):
            return False
    return True


class RouteTable(BaseRoute):
    """The app's routes behind one match, indexed by the static start of their path.

    Starlette matches a request against each route in turn (~1 µs a route), and FastAPI's
    `include_router` adds a matcher per router on top (~10 µs for the first route, ~50 µs for
    the fortieth). Here a request is tried only against the routes that share its first path
    segments (up to four: `/api/v2/management/responses`), in declaration order.
    """

    DEPTH = 4

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes = list(routes)
        self._index: dict[tuple[str, ...], list[BaseRoute]] = {}
        for route in self.routes:
            path: str = getattr(route, "path", "")
            if not path.startswith("/"):
                raise TypeError(f"RouteTable holds routes with a path, not {route!r}")
            self._index.setdefault(_static_start(path), []).append(route)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        segments = tuple(get_route_path(scope).split("/", self.DEPTH + 1)[1 : self.DEPTH + 1])
        partial: Scope | None = None
        # Longest static start first: `/c/{token}` is only tried when nothing longer matched.
        for length in range(len(segments), -1, -1):
            for route in self._index.get(segments[:length], ()):
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    child_scope["route"] = route
                    return match, child_scope
                if match is Match.PARTIAL and partial is None:
                    partial = {**child_scope, "route": route}
        if partial is not None:
            return Match.PARTIAL, partial
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: BaseRoute = scope["route"]
        await route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        for route in self.routes:
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                pass
        raise NoMatchFound(name, path_params)


def _static_start(path: str) -> tuple[str, ...]:
    """The segments of a route path before its first parameter, at most `RouteTable.DEPTH`."""
    static: list[str] = []
    for segment in path.split("/")[1 : RouteTable.DEPTH + 1]:
        if "{" in segment:
            break
        static.append(segment)
    return tuple(static)


def routes_of(routes: Sequence[BaseRoute]) -> list[BaseRoute]:
    """Every route, with those inside a RouteTable listed in its place (for the OpenAPI)."""
    flat: list[BaseRoute] = []
    for route in routes:
        flat.extend(route.routes if isinstance(route, RouteTable) else [route])
    return flat
