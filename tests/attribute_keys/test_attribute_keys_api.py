"""/api/v2/management/contact-attribute-keys (resources spec §3)."""

from typing import Any
from unittest.mock import ANY

import pytest
from httpx import AsyncClient

from tests.factories import ApiEnv

KEYS = "/api/v2/management/contact-attribute-keys"


def _error(status: int, message: str, field: str, issue: str) -> dict[str, Any]:
    return {
        "error": {
            "code": status,
            "message": message,
            "details": [{"field": field, "issue": issue}],
        }
    }


async def _create(env: ApiEnv, **fields: Any) -> dict[str, Any]:
    body = {"name": None, "description": None, "environmentId": env.environment_id, **fields}
    response = await env.client.post(KEYS, json=body, headers=env.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()["data"]
    return created


async def _default_key(env: ApiEnv, name: str) -> dict[str, Any]:
    response = await env.client.get(
        KEYS, params={"environmentId": env.environment_id, "limit": 250}, headers=env.headers
    )
    return next(key for key in response.json()["data"] if key["key"] == name)


async def test_created_key_is_the_full_row(client: AsyncClient, env: ApiEnv) -> None:
    body = {
        "key": "signup_date",
        "name": None,
        "description": "When they joined",
        "environmentId": env.environment_id,
        "dataType": "date",
        "isUnique": True,
        "type": "default",
    }

    response = await client.post(KEYS, json=body, headers=env.headers)

    assert response.status_code == 201
    assert response.json() == {
        "data": {
            "id": ANY,
            "createdAt": ANY,
            "updatedAt": ANY,
            "isUnique": False,
            "key": "signup_date",
            "name": "Signup Date",
            "description": "When they joined",
            "type": "custom",
            "dataType": "date",
            "environmentId": env.environment_id,
        }
    }


async def test_explicit_empty_name_is_kept_and_data_type_defaults_to_string(
    client: AsyncClient, env: ApiEnv
) -> None:
    created = await _create(env, key="plan", name="")

    assert created["name"] == ""
    assert created["dataType"] == "string"


async def test_duplicate_key_is_409(client: AsyncClient, env: ApiEnv) -> None:
    await _create(env, key="plan")
    body = {"key": "plan", "name": "Plan", "description": None}

    response = await client.post(
        KEYS, json={**body, "environmentId": env.environment_id}, headers=env.headers
    )

    assert response.status_code == 409
    assert response.json() == _error(
        409, "Conflict", "contactAttributeKey", 'Contact attribute key with "plan" already exists'
    )


async def test_same_key_in_another_environment_is_fine(client: AsyncClient, env: ApiEnv) -> None:
    await _create(env, key="plan")

    created = await _create(env, key="plan", environmentId=env.workspace.development.id)

    assert created["environmentId"] == env.workspace.development.id


@pytest.mark.parametrize("key", ["Plan", "1plan", "plan-tier", "", "plän"])
async def test_unsafe_key_is_422(client: AsyncClient, env: ApiEnv, key: str) -> None:
    body = {"key": key, "name": None, "description": None, "environmentId": env.environment_id}

    response = await client.post(KEYS, json=body, headers=env.headers)

    assert response.status_code == 422
    assert response.json() == _error(
        422,
        "Unprocessable Entity",
        "key",
        "Key must be a safe identifier: only lowercase letters, numbers, and underscores, "
        "and must start with a letter",
    )


async def test_unsafe_key_is_not_reported_next_to_a_missing_field(
    client: AsyncClient, env: ApiEnv
) -> None:
    body = {"key": "Bad Key", "description": None, "environmentId": env.environment_id}

    response = await client.post(KEYS, json=body, headers=env.headers)

    assert response.status_code == 422
    assert response.json() == _error(
        422, "Unprocessable Entity", "name", "Invalid input: expected string, received undefined"
    )


@pytest.mark.parametrize(
    ("body", "field", "issue"),
    [
        (
            {"key": "plan", "name": None, "description": None},
            "environmentId",
            "Invalid input: expected string, received undefined",
        ),
        (
            {"key": "plan", "name": None, "description": None, "environmentId": "Not-Cuid"},
            "environmentId",
            "Invalid cuid2",
        ),
        (
            {"key": 7, "name": None, "description": None, "environmentId": "abc"},
            "key",
            "Invalid input: expected string, received number",
        ),
        (
            {
                "key": "plan",
                "name": None,
                "description": None,
                "environmentId": "abc",
                "dataType": "boolean",
            },
            "dataType",
            'Invalid option: expected one of "string"|"number"|"date"',
        ),
    ],
)
async def test_invalid_create_body_is_422(
    client: AsyncClient, env: ApiEnv, body: dict[str, Any], field: str, issue: str
) -> None:
    response = await client.post(KEYS, json=body, headers=env.headers)

    assert response.status_code == 422
    assert response.json() == _error(422, "Unprocessable Entity", field, issue)


async def test_missing_key_is_401(client: AsyncClient, env: ApiEnv) -> None:
    for method, path in [
        ("GET", KEYS),
        ("POST", KEYS),
        ("GET", KEYS + "/abc"),
        ("PUT", KEYS + "/abc"),
        ("DELETE", KEYS + "/abc"),
    ]:
        response = await client.request(method, path, headers={"x-api-key": "fbk_wrong"})

        assert response.status_code == 401, (method, path)
        assert response.json() == {"error": {"code": 401, "message": "Unauthorized"}}


async def test_create_without_write_permission_is_403(client: AsyncClient, env: ApiEnv) -> None:
    reader = await env.make_key([(env.environment_id, "read")])
    body = {"key": "plan", "name": None, "description": None, "environmentId": env.environment_id}

    response = await client.post(KEYS, json=body, headers={"x-api-key": reader})

    assert response.status_code == 403
    assert response.json() == {"error": {"code": 403, "message": "Forbidden"}}


async def test_list_pages_the_keys_of_every_environment(client: AsyncClient, env: ApiEnv) -> None:
    await _create(env, key="plan")
    await _create(env, key="tier", environmentId=env.workspace.development.id)

    response = await client.get(
        KEYS, params={"limit": 3, "skip": 1, "order": "asc"}, headers=env.headers
    )

    assert response.status_code == 200
    assert response.json()["meta"] == {"total": 12, "limit": 3, "offset": 1}
    assert '"meta":{"total":12,"limit":3,"offset":1}' in response.text  # as JavaScript writes
    assert len(response.json()["data"]) == 3


async def test_list_filters_one_environment_and_sorts(client: AsyncClient, env: ApiEnv) -> None:
    plan = await _create(env, key="plan")

    response = await client.get(
        KEYS,
        params={"environmentId": env.environment_id, "sortBy": "updatedAt"},
        headers=env.headers,
    )

    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == {"total": 6, "limit": 50, "offset": 0}
    assert body["data"][0] == plan
    assert {key["environmentId"] for key in body["data"]} == {env.environment_id}


async def test_list_date_window_is_inclusive(client: AsyncClient, env: ApiEnv) -> None:
    plan = await _create(env, key="plan")

    response = await client.get(
        KEYS,
        params={"startDate": plan["createdAt"], "filterDateField": "createdAt"},
        headers=env.headers,
    )

    assert [key["key"] for key in response.json()["data"]] == ["plan"]


async def test_list_of_unreadable_environment_is_401(client: AsyncClient, env: ApiEnv) -> None:
    other = await env.other_workspace()

    response = await client.get(
        KEYS, params={"environmentId": other.production.id}, headers=env.headers
    )

    assert response.status_code == 401
    assert response.json() == {"error": {"code": 401, "message": "Unauthorized"}}


@pytest.mark.parametrize(
    ("params", "field", "issue"),
    [
        ({"limit": "0"}, "limit", "Too small: expected number to be >=1"),
        ({"limit": "251"}, "limit", "Too big: expected number to be <=250"),
        ({"limit": "x"}, "limit", "Invalid input: expected number, received NaN"),
        ({"limit": "2.5"}, "limit", "Invalid input: expected int, received number"),
        ({"skip": "-1"}, "skip", "Too small: expected number to be >=0"),
        ({"sortBy": "name"}, "sortBy", 'Invalid option: expected one of "createdAt"|"updatedAt"'),
        ({"order": "up"}, "order", 'Invalid option: expected one of "asc"|"desc"'),
        ({"startDate": "soon"}, "startDate", "Invalid input: expected date, received Date"),
        ({"environmentId": "A_B"}, "environmentId", "Invalid cuid2"),
        (
            {"startDate": "2026-02-01", "endDate": "2026-01-01"},
            "",
            "startDate must be before endDate",
        ),
    ],
)
async def test_invalid_list_query_is_422(
    client: AsyncClient, env: ApiEnv, params: dict[str, str], field: str, issue: str
) -> None:
    response = await client.get(KEYS, params=params, headers=env.headers)

    assert response.status_code == 422
    assert response.json() == _error(422, "Unprocessable Entity", field, issue)


async def test_get_returns_the_key(client: AsyncClient, env: ApiEnv) -> None:
    plan = await _create(env, key="plan")

    response = await client.get(f"{KEYS}/{plan['id']}", headers=env.headers)

    assert response.status_code == 200
    assert response.json() == {"data": plan}


async def test_unknown_key_is_404_on_every_method(client: AsyncClient, env: ApiEnv) -> None:
    body = {"name": "x", "description": None}
    for method in ("GET", "PUT", "DELETE"):
        response = await client.request(
            method, f"{KEYS}/nokey", json=body if method == "PUT" else None, headers=env.headers
        )

        assert response.status_code == 404, method
        assert response.json() == _error(404, "Not Found", "contactAttributeKey", "not found")


async def test_bad_path_id_is_422_named_as_upstream(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.get(f"{KEYS}/Not-A-Cuid", headers=env.headers)

    assert response.status_code == 422
    assert response.json() == _error(
        422, "Unprocessable Entity", "contactAttributeKeyId", "Invalid cuid2"
    )


async def test_key_of_another_organization_is_404_then_401(
    client: AsyncClient, env: ApiEnv
) -> None:
    other = await env.other_workspace()
    outsider = await env.make_key(
        [(other.production.id, "manage")], organization_id=other.organization.id
    )
    plan = await _create(env, key="plan")

    response = await client.get(f"{KEYS}/{plan['id']}", headers={"x-api-key": outsider})

    assert response.status_code == 401
    assert response.json() == {"error": {"code": 401, "message": "Unauthorized"}}


@pytest.mark.parametrize(
    ("method", "granted"),
    [("GET", "write"), ("PUT", "read"), ("DELETE", "write")],
)
async def test_permission_per_method(
    client: AsyncClient, env: ApiEnv, method: str, granted: str
) -> None:
    plan = await _create(env, key="plan")
    limited = await env.make_key([(env.environment_id, granted)])
    body = {"name": "Plan", "description": None} if method == "PUT" else None

    response = await client.request(
        method, f"{KEYS}/{plan['id']}", json=body, headers={"x-api-key": limited}
    )

    assert response.status_code == (200 if method == "GET" else 401)


async def test_update_changes_name_and_description_only(client: AsyncClient, env: ApiEnv) -> None:
    plan = await _create(env, key="plan")
    body = {"name": "Plan", "description": "Billing plan", "key": "tier", "dataType": "number"}

    response = await client.put(f"{KEYS}/{plan['id']}", json=body, headers=env.headers)

    assert response.status_code == 200
    assert response.json() == {
        "data": {
            **plan,
            "name": "Plan",
            "description": "Billing plan",
            "updatedAt": ANY,
        }
    }


async def test_update_needs_both_fields(client: AsyncClient, env: ApiEnv) -> None:
    plan = await _create(env, key="plan")

    response = await client.put(f"{KEYS}/{plan['id']}", json={"name": "P"}, headers=env.headers)

    assert response.status_code == 422
    assert response.json() == _error(
        422,
        "Unprocessable Entity",
        "description",
        "Invalid input: expected string, received undefined",
    )


@pytest.mark.parametrize(
    ("method", "name", "issue"),
    [
        ("PUT", "firstName", "cannot update default contact attribute key"),
        ("DELETE", "firstName", "cannot delete default contact attribute key"),
        ("PUT", "email", "cannot update default contact attribute key"),
    ],
)
async def test_default_keys_are_protected(
    client: AsyncClient, env: ApiEnv, method: str, name: str, issue: str
) -> None:
    default = await _default_key(env, name)
    body = {"name": "x", "description": None} if method == "PUT" else None

    response = await client.request(
        method, f"{KEYS}/{default['id']}", json=body, headers=env.headers
    )

    assert response.status_code == 400
    assert response.json() == _error(400, "Bad Request", "contactAttributeKey", issue)


async def test_delete_returns_the_key_and_removes_its_values(
    client: AsyncClient, env: ApiEnv
) -> None:
    plan = await _create(env, key="plan")
    contact = await env.create_contact("jane@example.com", plan="pro")

    response = await client.delete(f"{KEYS}/{plan['id']}", headers=env.headers)

    assert response.status_code == 200
    assert response.json() == {"data": plan}
    assert (await client.get(f"{KEYS}/{plan['id']}", headers=env.headers)).status_code == 404
    attributes = await client.get("/api/v1/management/contact-attributes", headers=env.headers)
    assert [row["contactId"] for row in attributes.json()["data"]] == [contact["id"]]
