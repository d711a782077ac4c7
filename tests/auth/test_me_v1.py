"""v1 `/me` (v1 management spec §1): the bare environment object of a one-environment key."""

import pytest
from httpx import AsyncClient

from surveylink.core.clock import iso
from tests.factories import ApiEnv

ME = "/api/v1/management/me"
ONE_ENVIRONMENT_ONLY = {
    "code": "bad_request",
    "message": "You can't use this method with this API key",
    "details": {},
}


@pytest.mark.parametrize("permission", ["read", "write", "manage"])
async def test_a_one_environment_key_gets_its_environment_bare(
    client: AsyncClient, env: ApiEnv, permission: str
) -> None:
    key = await env.make_key([(env.environment_id, permission)])
    production = env.workspace.production

    response = await client.get(ME, headers={"x-api-key": key})

    assert response.status_code == 200
    assert response.json() == {
        "id": production.id,
        "type": "production",
        "createdAt": iso(production.created_at),
        "updatedAt": iso(production.updated_at),
        "appSetupCompleted": False,
        "project": {"id": env.workspace.project.id, "name": "Website"},
    }


async def test_the_legacy_path_redirects_here_keeping_the_key(
    client: AsyncClient, env: ApiEnv
) -> None:
    key = await env.make_key([(env.workspace.development.id, "read")])

    response = await client.get("/api/v1/me", headers={"x-api-key": key}, follow_redirects=True)

    assert [hop.status_code for hop in response.history] == [308]
    assert response.status_code == 200
    assert response.json()["id"] == env.workspace.development.id
    assert response.json()["type"] == "development"


async def test_keys_with_several_or_no_environments_are_400(
    client: AsyncClient, env: ApiEnv
) -> None:
    empty = await env.make_key([])

    several = await client.get(ME, headers=env.headers)
    none = await client.get(ME, headers={"x-api-key": empty})

    assert (several.status_code, several.json()) == (400, ONE_ENVIRONMENT_ONLY)
    assert (none.status_code, none.json()) == (400, ONE_ENVIRONMENT_ONLY)


@pytest.mark.parametrize("headers", [{}, {"x-api-key": "fbk_unknown"}, {"x-api-key": "legacy"}])
async def test_a_missing_or_unknown_key_is_not_authenticated(
    client: AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get(ME, headers=headers)

    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Not authenticated",
        "details": {"x-Api-Key": "Header not provided or API Key invalid"},
    }


async def test_a_bearer_key_works_too(client: AsyncClient, env: ApiEnv) -> None:
    key = await env.make_key([(env.environment_id, "read")])

    response = await client.get(ME, headers={"authorization": f"Bearer {key}"})

    assert response.status_code == 200
    assert response.json()["id"] == env.environment_id
