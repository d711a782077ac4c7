"""The one request pipeline (core/routing.py): upstream's order of checks on every route,
the permission each route names, and one way to count a request (behaviour spec §1.2)."""

from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute
from httpx import ASGITransport, AsyncClient

from surveylink.app import create_app
from surveylink.auth.deps import ReadKey
from surveylink.core.config import Settings
from surveylink.core.routing import ApiRoute, V1Route, routes_of
from tests.factories import ApiEnv

UNAUTHORIZED = {"error": {"code": 401, "message": "Unauthorized"}}
V1_UNAUTHENTICATED = {
    "code": "not_authenticated",
    "message": "Not authenticated",
    "details": {"x-Api-Key": "Header not provided or API Key invalid"},
}
LINK = "/api/v2/management/surveys/{}/contact-links/contacts/{}/"
RESPONSES = "/api/v2/management/responses"
UNKNOWN = "clx00000000000000000000000"


def test_every_route_runs_the_one_pipeline(settings: Settings) -> None:
    app = create_app(settings)

    routes = [route for route in routes_of(app.routes) if isinstance(route, APIRoute)]
    v1 = {route.path for route in routes if isinstance(route, V1Route)}

    assert len(routes) > 40
    assert [route.path for route in routes if not isinstance(route, ApiRoute)] == []
    assert v1 == {route.path for route in routes if route.path.startswith("/api/v1/")}


def test_a_route_with_a_dependency_the_pipeline_does_not_know_is_refused() -> None:
    router = APIRouter(route_class=ApiRoute)

    async def tenant() -> str:
        return "t"

    with pytest.raises(TypeError, match="ApiRoute injects"):

        @router.get("/anything")
        async def anything(key: ReadKey, tenant: Annotated[str, Depends(tenant)]) -> None:
            return None


async def test_a_key_route_outside_the_pipeline_fails_loudly() -> None:
    app = FastAPI()
    router = APIRouter()  # no route_class=ApiRoute

    @router.get("/anything")
    async def anything(key: ReadKey) -> None:
        return None

    app.include_router(router)

    with pytest.raises(RuntimeError, match="route_class=ApiRoute"):
        async with AsyncClient(
            transport=ASGITransport(app=app), base_url="http://testserver"
        ) as http:
            await http.get("/anything")


async def test_a_bad_key_is_401_before_a_bad_query_and_path(client: AsyncClient) -> None:
    response = await client.get(LINK.format("BAD", "BAD") + "?expirationDays=0")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


async def test_a_bad_key_is_401_before_malformed_json(client: AsyncClient) -> None:
    response = await client.post(
        RESPONSES,
        content=b"{not json",
        headers={"x-api-key": "fbk_unknown", "content-type": "application/json"},
    )

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


async def test_a_bad_key_is_401_before_a_bad_body_on_v1(client: AsyncClient) -> None:
    response = await client.post(
        "/api/v1/management/surveys",
        content=b"{not json",
        headers={"x-api-key": "fbk_unknown", "content-type": "application/json"},
    )

    assert response.status_code == 401
    assert response.json() == V1_UNAUTHENTICATED


async def test_invalid_input_is_422_before_the_lookup_404(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.get(
        LINK.format(UNKNOWN, UNKNOWN) + "?expirationDays=0", headers=env.headers
    )

    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": 422,
            "message": "Unprocessable Entity",
            "details": [
                {"field": "expirationDays", "issue": "Too small: expected number to be >=1"}
            ],
        }
    }


async def test_query_errors_are_reported_before_path_errors(
    client: AsyncClient, env: ApiEnv
) -> None:
    response = await client.get(
        LINK.format("BAD", "BAD") + "?expirationDays=x", headers=env.headers
    )

    assert response.status_code == 422
    assert response.json()["error"]["details"] == [
        {"field": "expirationDays", "issue": "Invalid input: expected number, received NaN"}
    ]


async def test_body_errors_are_reported_before_path_errors(
    client: AsyncClient, env: ApiEnv
) -> None:
    response = await client.put(f"{RESPONSES}/BAD", json={"finished": "yes"}, headers=env.headers)

    assert response.status_code == 422
    assert [detail["field"] for detail in response.json()["error"]["details"]] == ["finished"]


async def test_path_errors_are_422_once_the_rest_is_valid(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.get(LINK.format("BAD", "ok"), headers=env.headers)

    assert response.status_code == 422
    assert response.json()["error"]["details"] == [{"field": "surveyId", "issue": "Invalid cuid2"}]


async def test_the_route_names_the_permission_a_key_needs(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey(status="inProgress")
    response = await env.create_response(survey["id"])
    write_key = await env.make_key([(env.environment_id, "write")])
    headers = {"x-api-key": write_key}

    read = await client.get(f"{RESPONSES}/{response['id']}", headers=headers)
    updated = await client.put(
        f"{RESPONSES}/{response['id']}", json={"finished": True}, headers=headers
    )
    deleted = await client.delete(f"{RESPONSES}/{response['id']}", headers=headers)

    assert (read.status_code, updated.status_code) == (200, 200)
    assert deleted.status_code == 401  # DELETE names ManageKey: write is not enough
    assert deleted.json() == UNAUTHORIZED


async def test_a_read_key_cannot_write(client: AsyncClient, env: ApiEnv) -> None:
    survey = await env.create_survey(status="inProgress")
    read_key = await env.make_key([(env.environment_id, "read")])
    body = {"surveyId": survey["id"], "finished": False, "data": {}}

    response = await client.post(RESPONSES, json=body, headers={"x-api-key": read_key})

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


async def test_an_unknown_id_is_404_then_another_organizations_id_401(
    client: AsyncClient, env: ApiEnv
) -> None:
    other = await env.other_workspace()
    foreign_key = await env.make_key([(other.production.id, "manage")], other.organization.id)
    survey = await env.create_survey(status="inProgress")
    response = await env.create_response(survey["id"])

    unknown = await client.get(f"{RESPONSES}/{UNKNOWN}", headers=env.headers)
    foreign = await client.get(f"{RESPONSES}/{response['id']}", headers={"x-api-key": foreign_key})

    assert unknown.status_code == 404
    assert foreign.status_code == 401
    assert foreign.json() == UNAUTHORIZED
