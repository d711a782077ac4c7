"""v1 contact attribute keys (resources spec §2.4): v1's envelope and checks."""

from typing import Any
from unittest.mock import ANY

import pytest
from httpx import AsyncClient

from tests.factories import ApiEnv

KEYS = "/api/v1/management/contact-attribute-keys"
UNAUTHORIZED = {
    "code": "unauthorized",
    "message": "You are not authorized to access this resource",
    "details": {},
}


def _bad_request(message: str, details: dict[str, str] | None = None) -> dict[str, Any]:
    return {"code": "bad_request", "message": message, "details": details or {}}


async def _create(env: ApiEnv, **fields: Any) -> dict[str, Any]:
    body = {"key": "plan", "type": "custom", "environmentId": env.environment_id, **fields}
    response = await env.client.post(KEYS, json=body, headers=env.headers)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()["data"]
    return created


async def _default(env: ApiEnv, key: str) -> dict[str, Any]:
    response = await env.client.get(KEYS, headers=env.headers)
    return next(
        row
        for row in response.json()["data"]
        if row["key"] == key and row["environmentId"] == env.environment_id
    )


async def test_list_returns_every_key_of_the_key_environments(
    client: AsyncClient, env: ApiEnv
) -> None:
    response = await client.get(KEYS, headers=env.headers)

    assert response.status_code == 200
    rows = response.json()["data"]
    assert len(rows) == 10
    assert rows[0] == {
        "id": ANY,
        "createdAt": ANY,
        "updatedAt": ANY,
        "isUnique": ANY,
        "key": ANY,
        "name": ANY,
        "description": ANY,
        "type": "default",
        "dataType": "string",
        "environmentId": ANY,
    }


async def test_create_derives_name_and_empty_description(client: AsyncClient, env: ApiEnv) -> None:
    created = await _create(env, key="signup_date", dataType="date")

    assert created == {
        "id": ANY,
        "createdAt": ANY,
        "updatedAt": ANY,
        "isUnique": False,
        "key": "signup_date",
        "name": "Signup Date",
        "description": "",
        "type": "custom",
        "dataType": "date",
        "environmentId": env.environment_id,
    }


@pytest.mark.parametrize(
    ("body", "details"),
    [
        (
            {"key": "Plan", "type": "custom", "environmentId": "x"},
            {
                "key": "Key must be a safe identifier: only lowercase letters, numbers, and "
                "underscores, and must start with a letter"
            },
        ),
        (
            {"key": "plan", "environmentId": "x"},
            {"type": "Invalid input: expected string, received undefined"},
        ),
        (
            {"key": "plan", "type": "default", "environmentId": "x"},
            {"type": 'Invalid option: expected one of "custom"'},
        ),
        ([], {"": "Invalid input: expected object, received array"}),
    ],
)
async def test_invalid_create_body_is_400(
    client: AsyncClient, env: ApiEnv, body: Any, details: dict[str, str]
) -> None:
    response = await client.post(KEYS, json=body, headers=env.headers)

    assert response.status_code == 400
    assert response.json() == _bad_request("Fields are missing or incorrectly formatted", details)


async def test_malformed_json_is_400(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.post(
        KEYS, content=b"{", headers={**env.headers, "content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json() == _bad_request("Malformed JSON input, please check your request body")


async def test_duplicate_create_is_400(client: AsyncClient, env: ApiEnv) -> None:
    await _create(env)
    body = {"key": "plan", "type": "custom", "environmentId": env.environment_id}

    response = await client.post(KEYS, json=body, headers=env.headers)

    assert response.status_code == 400
    assert response.json() == _bad_request("Attribute key already exists")


async def test_create_without_write_is_401(client: AsyncClient, env: ApiEnv) -> None:
    reader = await env.make_key([(env.environment_id, "read")])
    body = {"key": "plan", "type": "custom", "environmentId": env.environment_id}

    response = await client.post(KEYS, json=body, headers={"x-api-key": reader})

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


async def test_missing_key_is_401(client: AsyncClient, env: ApiEnv) -> None:
    for method, path in [
        ("GET", KEYS),
        ("POST", KEYS),
        ("PUT", KEYS + "/a"),
        ("DELETE", KEYS + "/a"),
    ]:
        response = await client.request(method, path)

        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_unknown_key_is_404(client: AsyncClient, env: ApiEnv, method: str) -> None:
    response = await client.request(method, f"{KEYS}/Not-Even-A-Cuid", headers=env.headers)

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "Attribute Key not found",
        "details": {"resource_id": "Not-Even-A-Cuid", "resource_type": "Attribute Key"},
    }


@pytest.mark.parametrize(("method", "granted"), [("PUT", "read"), ("DELETE", "write")])
async def test_permission_per_method(
    client: AsyncClient, env: ApiEnv, method: str, granted: str
) -> None:
    plan = await _create(env)
    limited = await env.make_key([(env.environment_id, granted)])

    response = await client.request(
        method, f"{KEYS}/{plan['id']}", json={}, headers={"x-api-key": limited}
    )

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


async def test_get_returns_the_row(client: AsyncClient, env: ApiEnv) -> None:
    plan = await _create(env)

    response = await client.get(f"{KEYS}/{plan['id']}", headers=env.headers)

    assert response.json() == {"data": plan}


async def test_update_sets_the_fields_sent(client: AsyncClient, env: ApiEnv) -> None:
    plan = await _create(env, description="Billing")

    response = await client.put(
        f"{KEYS}/{plan['id']}", json={"name": "Tier", "key": "tier"}, headers=env.headers
    )

    assert response.status_code == 200
    assert response.json() == {"data": {**plan, "name": "Tier", "key": "tier", "updatedAt": ANY}}


async def test_update_to_a_taken_key_is_400(client: AsyncClient, env: ApiEnv) -> None:
    plan = await _create(env)

    response = await client.put(f"{KEYS}/{plan['id']}", json={"key": "email"}, headers=env.headers)

    assert response.status_code == 400
    assert response.json() == _bad_request("Unique constraint failed on the fields: (`key`)")


async def test_invalid_update_is_400(client: AsyncClient, env: ApiEnv) -> None:
    plan = await _create(env)

    response = await client.put(
        f"{KEYS}/{plan['id']}", json={"dataType": "bool"}, headers=env.headers
    )

    assert response.status_code == 400
    assert response.json() == _bad_request(
        "Fields are missing or incorrectly formatted",
        {"dataType": 'Invalid option: expected one of "string"|"number"|"date"'},
    )


async def test_default_key_keeps_its_key(client: AsyncClient, env: ApiEnv) -> None:
    email = await _default(env, "email")

    renamed = await client.put(f"{KEYS}/{email['id']}", json={"key": "mail"}, headers=env.headers)
    described = await client.put(
        f"{KEYS}/{email['id']}", json={"description": "Work email"}, headers=env.headers
    )

    assert renamed.status_code == 400
    assert renamed.json() == _bad_request(
        "Default Contact Attribute Keys cannot be renamed or retyped"
    )
    assert described.status_code == 200
    assert described.json()["data"]["description"] == "Work email"


async def test_delete_returns_the_row(client: AsyncClient, env: ApiEnv) -> None:
    plan = await _create(env)

    response = await client.delete(f"{KEYS}/{plan['id']}", headers=env.headers)

    assert response.status_code == 200
    assert response.json() == {"data": plan}


async def test_default_key_cannot_be_deleted(client: AsyncClient, env: ApiEnv) -> None:
    first_name = await _default(env, "firstName")

    response = await client.delete(f"{KEYS}/{first_name['id']}", headers=env.headers)

    assert response.status_code == 400
    assert response.json() == _bad_request("Default Contact Attribute Keys cannot be deleted")
