"""POST /api/v2/management/contacts (resources spec §2.1)."""

from unittest.mock import ANY

import pytest
from httpx import AsyncClient

from tests.factories import ApiEnv

CONTACTS = "/api/v2/management/contacts"


async def test_contact_is_created_with_its_attributes(client: AsyncClient, env: ApiEnv) -> None:
    body = {
        "environmentId": env.environment_id,
        "attributes": {"email": "jane@example.com", "userId": "u-1", "firstName": "Jane"},
    }

    response = await client.post(CONTACTS, json=body, headers=env.headers)

    assert response.status_code == 201
    assert response.json() == {
        "data": {
            "id": ANY,
            "createdAt": ANY,
            "environmentId": env.environment_id,
            "attributes": {"email": "jane@example.com", "userId": "u-1", "firstName": "Jane"},
        }
    }
    assert response.json()["data"]["createdAt"].endswith("Z")
    assert "access-control-allow-origin" not in response.headers


def _invalid(field: str, issue: str) -> dict[str, object]:
    return {
        "error": {
            "code": 422,
            "message": "Unprocessable Entity",
            "details": [{"field": field, "issue": issue}],
        }
    }


@pytest.mark.parametrize(
    ("attributes", "field", "issue"),
    [
        ({"firstName": "Jane"}, "attributes", "Email attribute is required"),
        ({"email": ""}, "attributes", "Email attribute is required"),
        ({"email": "not-an-email"}, "attributes", "Invalid email format"),
        ({"email": "a..b@example.com"}, "attributes", "Invalid email format"),
        (
            {"email": "a@example.com", "age": 42},
            "attributes.age",
            "Invalid input: expected string, received number",
        ),
    ],
)
async def test_invalid_attributes_are_422(
    client: AsyncClient, env: ApiEnv, attributes: dict[str, object], field: str, issue: str
) -> None:
    body = {"environmentId": env.environment_id, "attributes": attributes}

    response = await client.post(CONTACTS, json=body, headers=env.headers)

    assert response.status_code == 422
    assert response.json() == _invalid(field, issue)


async def test_missing_environment_is_422(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.post(
        CONTACTS, json={"attributes": {"email": "a@example.com"}}, headers=env.headers
    )

    assert response.status_code == 422
    assert response.json() == _invalid(
        "environmentId", "Invalid input: expected string, received undefined"
    )


async def test_malformed_json_is_400(client: AsyncClient, env: ApiEnv) -> None:
    response = await client.post(
        CONTACTS,
        content=b"{not json",
        headers={**env.headers, "content-type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": 400,
            "message": "Bad Request",
            "details": [
                {
                    "field": "error",
                    "issue": "Malformed JSON input, please check your request body",
                }
            ],
        }
    }


async def test_bad_key_wins_over_malformed_json(client: AsyncClient) -> None:
    response = await client.post(
        CONTACTS,
        content=b"{not json",
        headers={"x-api-key": "fbk_nope", "content-type": "application/json"},
    )

    assert response.status_code == 401
    assert response.json() == {"error": {"code": 401, "message": "Unauthorized"}}


async def test_duplicate_email_is_409(client: AsyncClient, env: ApiEnv) -> None:
    await env.create_contact("jane@example.com")
    body = {"environmentId": env.environment_id, "attributes": {"email": "jane@example.com"}}

    response = await client.post(CONTACTS, json=body, headers=env.headers)

    assert response.status_code == 409
    assert response.json()["error"]["details"] == [
        {"field": "email", "issue": "contact with this email already exists"}
    ]


async def test_duplicate_user_id_is_409(client: AsyncClient, env: ApiEnv) -> None:
    await env.create_contact("jane@example.com", userId="u-1")
    body = {
        "environmentId": env.environment_id,
        "attributes": {"email": "other@example.com", "userId": "u-1"},
    }

    response = await client.post(CONTACTS, json=body, headers=env.headers)

    assert response.status_code == 409
    assert response.json()["error"]["details"] == [
        {"field": "userId", "issue": "contact with this userId already exists"}
    ]


async def test_same_email_in_another_environment_is_fine(client: AsyncClient, env: ApiEnv) -> None:
    await env.create_contact("jane@example.com")

    contact = await env.create_contact("jane@example.com", env.workspace.development.id)

    assert contact["environmentId"] == env.workspace.development.id


async def test_unknown_attribute_keys_are_400(client: AsyncClient, env: ApiEnv) -> None:
    body = {
        "environmentId": env.environment_id,
        "attributes": {"email": "a@example.com", "plan": "pro", "tier": "gold"},
    }

    response = await client.post(CONTACTS, json=body, headers=env.headers)

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": 400,
            "message": "Bad Request",
            "details": [{"field": "attributes", "issue": "attribute keys not found: plan, tier. "}],
        }
    }


async def test_read_key_cannot_create_contacts(client: AsyncClient, env: ApiEnv) -> None:
    read_key = await env.make_key([(env.environment_id, "read")])
    body = {"environmentId": env.environment_id, "attributes": {"email": "a@example.com"}}

    response = await client.post(CONTACTS, json=body, headers={"x-api-key": read_key})

    assert response.status_code == 403
    assert response.json() == {"error": {"code": 403, "message": "Forbidden"}}
