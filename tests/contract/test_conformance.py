"""Schemathesis against the running app: upstream's contract, then our own document.

The reference document is cut down to the operations the app serves (read from `app.routes`, so
routes merged later are covered without edits here). Every generated request, valid or not, is
sent in-process to an app whose database holds a link survey, a contact and a segment, with a
valid manage key. Checks: never a 5xx; success bodies match the document's schema; any other
status is either documented or one of upstream's own error statuses in upstream's envelope.
The only exceptions are those `docs/compatibility.md` lists (`EXCEPTIONS` below).
"""

import asyncio
import copy
import re
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
import yaml
from httpx import ASGITransport, AsyncClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from surveylink.app import create_app
from surveylink.core.config import Settings
from surveylink.core.context import app_context
from surveylink.core.openapi import api_routes
from tests.factories import ApiEnv
from tests.hostile.corpus import INTEGERS, STRINGS, URL_STRINGS
from tests.reference import upstream_openapi

pytestmark = pytest.mark.contract

PREFIX = "/api/v2"
EXAMPLES = 100  # per operation and generation mode
# Statuses upstream's v2 pipeline itself answers with (behaviour spec §2.1), undocumented there.
UPSTREAM_ERRORS = {400, 401, 403, 404, 409, 422, 429}
# (method, reference path) → why its success body differs from the reference schema.
EXCEPTIONS: dict[tuple[str, str], str] = {}

# GETs that the seeded database and key must answer with 200 at least once.
READ_OPERATIONS = [
    f"GET {prefix}{path}"
    for prefix in ("", PREFIX)
    for path in (
        "/health",
        "/me",
        "/roles",
        "/management/surveys/{surveyId}/contact-links/contacts/{contactId}/",
        "/management/surveys/{surveyId}/contact-links/segments/{segmentId}",
    )
]

Check = Callable[..., bool | None]


@pytest.fixture
async def seeded(env: ApiEnv) -> dict[str, str]:
    """Ids of real resources, offered to the generator beside random ones."""
    survey = await env.create_survey(status="inProgress")
    contact = await env.create_contact("ada@example.com", firstName="Ada")
    segment = await env.create_segment("everyone", [])
    return {
        "surveyId": survey["id"],
        "contactId": contact["id"],
        "segmentId": segment,
        "environmentId": env.environment_id,
    }


async def test_app_conforms_to_upstreams_contract(
    settings: Settings, env: ApiEnv, seeded: dict[str, str]
) -> None:
    app = create_app(settings)
    reference = _served_part(_load_reference(), app)
    schema = schemathesis.openapi.from_dict(reference)

    failures = await asyncio.to_thread(
        _fuzz, app, schema, env, seeded, PREFIX, [not_a_server_error, _upstream_status, _body]
    )

    assert not failures, "\n\n".join(failures)


async def test_app_conforms_to_its_own_document(
    settings: Settings, env: ApiEnv, seeded: dict[str, str]
) -> None:
    app = create_app(settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as http:
        document = (await http.get("/api/v2/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)

    checks: list[Check] = [not_a_server_error, status_code_conformance, _body]
    failures = await asyncio.to_thread(_fuzz, app, schema, env, seeded, "", checks)

    assert not failures, "\n\n".join(failures)


class _JsonishLoader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML ships no stubs
    """YAML as a JSON tool reads it: `2024-01-01T00:00:00Z` stays a string, not a datetime."""


_JsonishLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load_reference() -> dict[str, Any]:
    document: dict[str, Any] = yaml.load(upstream_openapi().read_text(), Loader=_JsonishLoader)  # noqa: S506
    return document


def _served_part(reference: dict[str, Any], app: Any) -> dict[str, Any]:
    """The reference with only the operations this app serves, and no server of its own."""
    served = {
        (method.lower(), _shape(path))
        for path, route in api_routes(app)
        for method in route.methods or ()
    }
    document = copy.deepcopy(reference)
    document.pop("servers", None)
    paths: dict[str, Any] = {}
    for path, operations in reference["paths"].items():
        kept = {
            method: operation
            for method, operation in operations.items()
            if (method, _shape(PREFIX + path)) in served
        }
        if kept:
            paths[path] = kept
    document["paths"] = paths
    assert paths, "the app serves none of the reference's paths"
    return document


def _shape(path: str) -> str:
    """A path with its parameter names erased: upstream's `{id}` may be our `{responseId}`."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def _fuzz(
    app: Any,
    schema: Any,
    env: ApiEnv,
    seeded: dict[str, str],
    prefix: str,
    checks: list[Check],
) -> list[str]:
    """Every operation in both generation modes; returns one line per failing operation."""
    failures: list[str] = []
    # One event loop for the whole run, as a server has: the app's connection pool lives on it.
    loop = asyncio.new_event_loop()
    http = Http(loop, AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver"))
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            if "/api/v1/" in operation.path:
                continue  # v1 has its own envelope and its own tests
            label = f"{operation.method.upper()} {operation.path}"
            for mode, hostile in (
                (GenerationMode.POSITIVE, False),
                (GenerationMode.NEGATIVE, False),
                (GenerationMode.POSITIVE, True),
            ):
                try:
                    _run(http, operation, mode, env, seeded, prefix, checks, hostile=hostile)
                except Unsatisfiable:
                    continue  # nothing to get wrong: e.g. no parameters to negate
                except (Exception, BaseExceptionGroup) as error:  # one report for everything
                    name = "hostile" if hostile else mode.value
                    failures.append(f"{label} [{name}]: {error}"[:1500])
        # Generated ids alone would only ever meet 404s: the seeded ones must get through.
        unreached = [label for label in READ_OPERATIONS if 200 not in http.seen.get(label, {200})]
        failures.extend(
            f"{label}: never answered 200 ({sorted(http.seen[label])})" for label in unreached
        )
    finally:
        loop.run_until_complete(http.client.aclose())
        loop.run_until_complete(app_context(app).engine.dispose())
        loop.close()
    return failures


class Http:
    """Blocking calls into the in-process app, for Hypothesis' synchronous test bodies."""

    def __init__(self, loop: asyncio.AbstractEventLoop, client: AsyncClient) -> None:
        self.loop, self.client = loop, client
        self.seen: dict[str, set[int]] = {}  # statuses per operation

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        return self.loop.run_until_complete(self.client.request(method, url, **kwargs))


def _run(
    http: Http,
    operation: Any,
    mode: GenerationMode,
    env: ApiEnv,
    seeded: dict[str, str],
    prefix: str,
    checks: list[Check],
    *,
    hostile: bool = False,
) -> None:
    names = {parameter.name for parameter in operation.path_parameters}
    real_ids = {name: value for name, value in seeded.items() if name in names}
    headers = {"x-api-key": env.api_key}
    strategies = [operation.as_strategy(generation_mode=mode, headers=headers)]
    if real_ids:
        strategies.append(
            operation.as_strategy(generation_mode=mode, headers=headers, path_parameters=real_ids)
        )

    if hostile:
        strategies = [_with_hostile_value(strategy) for strategy in strategies]

    @settings(
        max_examples=EXAMPLES // 2 if hostile else EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def exchange(case: Case[Any]) -> None:
        kwargs = case.as_transport_kwargs(base_url=f"http://testserver{prefix}")
        response = http.request(
            kwargs["method"],
            kwargs["url"],
            headers=kwargs.get("headers"),
            params=kwargs.get("params"),
            content=_content(kwargs),
        )
        http.seen.setdefault(f"{case.operation.method.upper()} {case.operation.path}", set()).add(
            response.status_code
        )
        case.validate_response(response, checks=checks)

    exchange()


# Valid requests with one value swapped for a hostile one (tests/hostile/corpus.py): NUL, strings
# longer than any column, 40,000-digit and scientific numbers. Lone surrogates stay in the
# corpus's own test: schemathesis' checks of a case cannot encode them.
_QUERY_VALUES = [*URL_STRINGS.values(), *INTEGERS.values()]
_BODY_VALUES = [text for label, text in STRINGS.items() if "surrogate" not in label]


def _with_hostile_value(strategy: Any) -> Any:
    return st.tuples(strategy, st.integers(0, 2**16), st.integers(0, 2**16)).map(_swap)


def _swap(drawn: tuple[Case[Any], int, int]) -> Case[Any]:
    case, slot, pick = drawn
    body = copy.deepcopy(case.body)
    slots: list[tuple[Any, Any, list[str]]] = [
        (case.query, name, _QUERY_VALUES) for name in case.query or {}
    ]
    slots.extend((parent, key, _BODY_VALUES) for parent, key in _string_leaves(body))
    if not slots:
        return case
    hostile = case.derive(query=dict(case.query or {}))
    hostile.body = body
    parent, key, values = slots[slot % len(slots)]
    target = hostile.query if parent is case.query else parent
    target[key] = values[pick % len(values)]
    return hostile


def _string_leaves(value: Any) -> list[tuple[Any, Any]]:
    """(container, key) of every string inside a JSON value."""
    found: list[tuple[Any, Any]] = []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        if isinstance(item, str):
            found.append((value, key))
        else:
            found.extend(_string_leaves(item))
    return found


def _content(kwargs: dict[str, Any]) -> bytes | str | None:
    if "json" in kwargs:
        import json

        return json.dumps(kwargs["json"])
    data = kwargs.get("data")
    return data if isinstance(data, bytes | str) else None


def _upstream_status(ctx: Any, response: Any, case: Case[Any]) -> bool | None:
    """Documented, or one of upstream's pipeline errors in its exact envelope."""
    documented = set(case.operation.definition.raw.get("responses", {}))
    if str(response.status_code) in documented:
        return None
    assert response.status_code in UPSTREAM_ERRORS, f"undocumented {response.status_code}"
    error = response.json()["error"]
    assert error["code"] == response.status_code
    assert isinstance(error["message"], str)
    details = error.get("details")
    if response.status_code in (401, 403, 429):
        assert details is None, "upstream never sends details with 401, 403, 429"
    else:
        assert isinstance(details, list)
        assert all({"field", "issue"} <= set(item) for item in details)
    return True


def _body(ctx: Any, response: Any, case: Case[Any]) -> bool | None:
    """The documented schema of the response, unless compatibility.md lists the operation."""
    key = (case.operation.method.upper(), case.operation.path)
    if key in EXCEPTIONS:
        return None
    return response_schema_conformance(ctx, response, case)
